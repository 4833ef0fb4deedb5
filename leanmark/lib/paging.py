"""Long lists in pages (Django's Paginator): ``?page=N``, and links that keep the list's filters.

A view passes ``paged(request, rows)`` to its template as ``paging`` and loops over
``paging.rows``; ``{% include "_pager.html" %}`` draws "Page 2 of 9 · 431 entries" with the
previous and next links (nothing when everything fits on one page)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest

from leanmark.lib import formats

PER_PAGE = 50


@dataclass(frozen=True)
class Paging:
    page: Page
    noun: str
    plural: str
    previous_url: str | None
    next_url: str | None

    @property
    def rows(self) -> Any:
        return self.page.object_list

    @property
    def label(self) -> str:
        """ "Page 2 of 9 · 431 entries"; "12 entries" when they fit on one page."""
        total = formats.count(self.page.paginator.count, self.noun, self.plural)
        if self.page.paginator.num_pages == 1:
            return total
        return f"Page {self.page.number} of {self.page.paginator.num_pages} · {total}"

    @property
    def several(self) -> bool:
        return self.page.paginator.num_pages > 1


def _url(request: HttpRequest, number: int) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    if number > 1:
        query["page"] = str(number)
    encoded = query.urlencode()
    return f"{request.path}?{encoded}" if encoded else request.path


def paged(
    request: HttpRequest,
    rows: QuerySet[Any] | Sequence[Any],
    *,
    per_page: int = PER_PAGE,
    noun: str = "entry",
    plural: str = "",
) -> Paging:
    """The page of ``rows`` that ``?page=`` asks for: the first for a missing or unreadable
    number, the last for one past the end (Paginator.get_page)."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page", "")[:6])
    return Paging(
        page=page,
        noun=noun,
        plural=plural or ("entries" if noun == "entry" else f"{noun}s"),
        previous_url=_url(request, page.previous_page_number()) if page.has_previous() else None,
        next_url=_url(request, page.next_page_number()) if page.has_next() else None,
    )
