from django.urls import path

from . import views

urlpatterns = [
    path("", views.workspace_home, name="workspace"),
    path("boards/new", views.board_create, name="board_create"),
    path("boards/<int:board_id>/", views.board, name="board"),
    path("boards/<int:board_id>/changes", views.board_changes, name="board_changes"),
    path("boards/<int:board_id>/settings", views.board_settings, name="board_settings"),
    path("boards/<int:board_id>/columns/new", views.column_add, name="column_add"),
    path(
        "boards/<int:board_id>/columns/<int:column_id>/<str:action>",
        views.column_action,
        name="column_action",
    ),
    path("boards/<int:board_id>/cards/new", views.card_create, name="card_create"),
    path("boards/<int:board_id>/cards/<int:number>/move", views.card_move, name="card_move"),
    path("cards/<int:number>/", views.card_detail, name="card"),
    path("cards/<int:number>/edit", views.card_edit, name="card_edit"),
    path("cards/<int:number>/editing", views.card_editing, name="card_editing"),
    path("cards/<int:number>/<str:action>", views.card_action, name="card_action"),
]
