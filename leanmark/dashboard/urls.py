"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/metrics/", views.metric_list, name="dashboard-metrics"),
    path("dashboard/metrics/<slug:key>/", views.metric_detail, name="dashboard-metric"),
    path("dashboard/metrics/<slug:key>/edit", views.metric_edit, name="dashboard-metric-edit"),
    path(
        "dashboard/metrics/<slug:key>/delete", views.metric_delete, name="dashboard-metric-delete"
    ),
    path("dashboard/metrics/<slug:key>/target", views.target_set, name="dashboard-target"),
    path("dashboard/grid/", views.grid, name="dashboard-grid"),
    path("dashboard/grid/save", views.grid_save, name="dashboard-grid-save"),
    path("dashboard/import/", views.import_csv, name="dashboard-import"),
    path("dashboard/layout/", views.layout, name="dashboard-layout"),
    path("dashboard/funnel/", views.funnel, name="dashboard-funnel"),
]
