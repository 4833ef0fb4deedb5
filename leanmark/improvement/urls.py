"""Pages of this app, mounted under /w/<ws>/ by leanmark/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
