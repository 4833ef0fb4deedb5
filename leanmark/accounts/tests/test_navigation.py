"""The main navigation lists a capability once its index page exists."""

from types import SimpleNamespace

from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from leanmark.accounts.context import navigation


def _page(request, ws):  # pragma: no cover - never called, only reversed
    return HttpResponse()


urlpatterns = [path("w/<slug:ws>/ideas/", _page, name="backlog")]


@override_settings(ROOT_URLCONF=__name__)
def test_only_apps_with_an_index_page_are_linked():
    request = RequestFactory().get("/")
    request.workspace = SimpleNamespace(slug="acme")
    assert navigation(request) == {"nav_links": [("Backlog", "/w/acme/ideas/")]}


def test_no_links_outside_a_workspace():
    assert navigation(RequestFactory().get("/")) == {"nav_links": []}
