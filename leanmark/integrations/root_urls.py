"""Pages outside any workspace (health and readiness checks), mounted at the site root."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
