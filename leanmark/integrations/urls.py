"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("export/", views.export_page, name="export"),
    path("import/trello", views.trello_import, name="trello_import"),
    path("export/workspace.<str:fmt>", views.export_download, name="export_download"),
    path("webhooks/", views.webhooks, name="webhooks"),
    path("webhooks/<int:hook_id>/", views.webhook, name="webhook"),
    path("webhooks/<int:hook_id>/<str:action>", views.webhook_action, name="webhook_action"),
]
