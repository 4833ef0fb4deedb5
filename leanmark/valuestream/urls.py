"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("vsm/", views.index, name="valuestream"),
    path("vsm/new", views.create, name="valuestream-create"),
    path("vsm/<int:stream_id>/", views.map_page, name="valuestream-map"),
    path("vsm/<int:stream_id>/settings", views.settings, name="valuestream-settings"),
    path("vsm/<int:stream_id>/delete", views.delete, name="valuestream-delete"),
    path("vsm/<int:stream_id>/steps/new", views.step_add, name="valuestream-step-add"),
    path(
        "vsm/<int:stream_id>/steps/<int:step_id>/edit",
        views.step_edit,
        name="valuestream-step-edit",
    ),
    path(
        "vsm/<int:stream_id>/steps/<int:step_id>/delete",
        views.step_delete,
        name="valuestream-step-delete",
    ),
    path(
        "vsm/<int:stream_id>/steps/<int:step_id>/move",
        views.step_move,
        name="valuestream-step-move",
    ),
    path(
        "vsm/<int:stream_id>/steps/<int:step_id>/apply",
        views.apply,
        name="valuestream-apply",
    ),
    path("vsm/<int:stream_id>/export.<str:fmt>", views.export, name="valuestream-export"),
    path("vsm/<int:stream_id>/walk/", views.walk, name="valuestream-walk"),
    path(
        "vsm/<int:stream_id>/walk/<int:step_id>",
        views.walk_answer,
        name="valuestream-walk-answer",
    ),
    path("vsm/<int:stream_id>/future", views.future_create, name="valuestream-future"),
    path(
        "vsm/<int:stream_id>/compare/<int:future_id>/",
        views.compare,
        name="valuestream-compare",
    ),
    path("vsm/<int:stream_id>/hourglass/", views.hourglass, name="valuestream-hourglass"),
]
