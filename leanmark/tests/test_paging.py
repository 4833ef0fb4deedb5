"""Long lists in pages of 50 (lib/paging.py): the label, and links that keep the filters."""

from django.test import RequestFactory

from leanmark.lib.paging import paged


def test_the_label_counts_in_the_list_s_own_noun_and_the_links_keep_the_filters():
    request = RequestFactory().get("/w/acme/experiments/", {"state": "running", "page": "2"})
    paging = paged(request, list(range(120)), noun="experiment")
    assert list(paging.rows) == list(range(50, 100))
    assert paging.label == "Page 2 of 3 · 120 experiments"
    assert paging.previous_url == "/w/acme/experiments/?state=running"
    assert paging.next_url == "/w/acme/experiments/?state=running&page=3"


def test_one_page_says_only_how_many():
    request = RequestFactory().get("/w/acme/audit/")
    assert paged(request, [1]).label == "1 entry"
    assert paged(request, list(range(1610))).label == "Page 1 of 33 · 1,610 entries"
    assert paged(request, [1, 2], noun="closed cycle").label == "2 closed cycles"
