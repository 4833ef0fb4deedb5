"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("flow/", views.index, name="flow"),
    path("flow/boards/<int:board_id>/", views.board_flow, name="flow-board"),
    path("flow/boards/<int:board_id>/forecast", views.forecast, name="flow-forecast"),
    path("flow/boards/<int:board_id>/calendar", views.calendar_edit, name="flow-calendar"),
    path("flow/boards/<int:board_id>/import", views.card_history_import, name="flow-import"),
    path("flow/boards/<int:board_id>/events.csv", views.events_csv, name="flow-events-csv"),
    path("flow/boards/<int:board_id>/<slug:chart>.csv", views.flow_csv, name="flow-csv"),
]
