"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import connection_views, views

urlpatterns = [
    path("data/", views.page, name="channeldata"),
    path("data/check", views.check, name="channeldata-check"),
    path("data/map", views.map_columns, name="channeldata-map"),
    path("data/import", views.confirm, name="channeldata-import"),
    path("data/rates", views.rate, name="channeldata-rate"),
    path(
        "data/mappings/<int:preset_id>/delete",
        views.preset_delete,
        name="channeldata-preset-delete",
    ),
    path("data/grouping", views.grouping, name="channeldata-grouping"),
    path("data/stages", views.stage, name="channeldata-stage"),
    path("data/connections", connection_views.connect, name="channeldata-connect"),
    path(
        "data/connections/<int:connection_id>/pull",
        connection_views.pull,
        name="channeldata-pull",
    ),
    path(
        "data/connections/<int:connection_id>/delete",
        connection_views.disconnect,
        name="channeldata-disconnect",
    ),
]
