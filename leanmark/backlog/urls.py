"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("ideas/", views.backlog, name="backlog"),
    path("ideas/new", views.capture, name="backlog-capture"),
    path("ideas/triage", views.triage, name="backlog-triage"),
    path("ideas/bulk", views.bulk, name="backlog-bulk"),
    path("ideas/settings", views.settings, name="backlog-settings"),
    path("ideas/import", views.import_form, name="backlog-import"),
    path("ideas/import/upload", views.import_upload, name="backlog-import-upload"),
    path("ideas/<int:idea_id>/", views.idea_detail, name="backlog-idea"),
    path("ideas/<int:idea_id>/edit", views.idea_edit, name="backlog-idea-edit"),
    path("ideas/<int:idea_id>/score", views.idea_score, name="backlog-idea-score"),
    path("ideas/<int:idea_id>/status", views.idea_status, name="backlog-idea-status"),
    path("ideas/<int:idea_id>/start", views.idea_start, name="backlog-idea-start"),
    path("ideas/<int:idea_id>/delete", views.idea_delete, name="backlog-idea-delete"),
]
