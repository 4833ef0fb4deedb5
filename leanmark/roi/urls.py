"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("roi/", views.report, name="roi"),
    path("roi/spend/", views.spend, name="roi-spend"),
    path("roi/spend/import", views.spend_import, name="roi-spend-import"),
    path("roi/spend/<int:spend_id>/edit", views.spend_edit, name="roi-spend-edit"),
    path("roi/spend/<int:spend_id>/delete", views.spend_delete, name="roi-spend-delete"),
    path("roi/time/", views.time_list, name="roi-time"),
    path("roi/cards/<int:number>/time", views.time_log, name="roi-time-log"),
    path("roi/time/<int:log_id>/delete", views.time_delete, name="roi-time-delete"),
    path("roi/settings/", views.settings_page, name="roi-settings"),
    path("roi/settings/costs/<int:user_id>", views.hourly_cost, name="roi-hourly-cost"),
    path("roi/allocation/", views.allocation, name="roi-allocation"),
    path("roi/allocation/curves", views.curve_save, name="roi-curve-save"),
    path(
        "roi/allocation/curves/<int:curve_id>/delete", views.curve_delete, name="roi-curve-delete"
    ),
    path("roi/plans/", views.plan_save, name="roi-plan-save"),
    path("roi/plans/<int:plan_id>/", views.plan_detail, name="roi-plan"),
    path("roi/plans/<int:plan_id>/delete", views.plan_delete, name="roi-plan-delete"),
    path("roi/steps/", views.steps_create, name="roi-steps-create"),
    path("roi/steps/<int:step_id>/", views.step_detail, name="roi-step"),
]
