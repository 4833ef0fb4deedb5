"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import feed_views, views

urlpatterns = [
    path("experiments/", views.index, name="experiments"),
    path("experiments/new", views.create, name="experiment-new"),
    path("experiments/plan", views.plan, name="experiment-plan"),
    path("experiments/learnings", views.learnings, name="experiment-learnings"),
    path("experiments/<int:experiment_id>/", views.detail, name="experiment"),
    path("experiments/<int:experiment_id>/edit", views.edit, name="experiment-edit"),
    path("experiments/<int:experiment_id>/observe", views.observe, name="experiment-observe"),
    path("experiments/<int:experiment_id>/import", views.import_csv, name="experiment-import"),
    path("experiments/<int:experiment_id>/decide", views.decide, name="experiment-decide"),
    path(
        "experiments/<int:experiment_id>/metrics/<int:metric_id>/observe",
        views.observe_metric,
        name="experiment-metric-observe",
    ),
    path("experiments/<int:experiment_id>/data", feed_views.read_data, name="experiment-data"),
    path("experiments/<int:experiment_id>/<str:action>", views.action, name="experiment-action"),
]
