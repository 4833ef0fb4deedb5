"""Render a page, or only one of its {% partialdef %} fragments when HTMX asks for it."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def render_page(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    fragment: str | None = None,
    status: int = 200,
    trigger: str | None = None,
) -> HttpResponse:
    name = f"{template}#{fragment}" if fragment and getattr(request, "htmx", False) else template
    response = render(request, name, context, status=status)
    if trigger:
        response["HX-Trigger"] = trigger
    return response
