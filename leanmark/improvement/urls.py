"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import path

from . import views

urlpatterns = [
    path("improvement/", views.index, name="improvement"),
    path("improvement/new/", views.new, name="improvement-new"),
    path("improvement/<int:number>/", views.detail, name="improvement-detail"),
    path("improvement/<int:number>/edit/", views.edit, name="improvement-edit"),
    path("improvement/<int:number>/phase/", views.phase, name="improvement-phase"),
    path("improvement/<int:number>/decide/", views.decide, name="improvement-decide"),
    path("improvement/<int:number>/next/", views.follow_up, name="improvement-follow-up"),
    path("improvement/<int:number>/tasks/", views.task, name="improvement-task"),
    path("improvement/<int:number>/a3/", views.a3, name="improvement-a3"),
]
