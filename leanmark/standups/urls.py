"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("standup/", views.standup, name="standup"),
    path("standup/check-in", views.check_in, name="standup-checkin"),
    path("standup/mode", views.mode, name="standup-mode"),
    path("standup/start", views.start, name="standup-start"),
    path(
        "standup/cards/<int:number>/<str:action>",
        views.card_action,
        name="standup-card-action",
    ),
    path("standup/impediments/", views.impediments, name="standup-impediments"),
    path("standup/impediments/new", views.impediment_new, name="standup-impediment-new"),
    path(
        "standup/impediments/<int:impediment_id>/",
        views.impediment,
        name="standup-impediment",
    ),
    path(
        "standup/impediments/<int:impediment_id>/resolve",
        views.impediment_resolve,
        name="standup-impediment-resolve",
    ),
    path("standup/<str:day>/", views.day, name="standup-day"),
    path("standup/<str:day>/summary.md", views.summary, name="standup-summary"),
]
