"""Fixtures for the browser tests: Debian's Chromium driven by Playwright's sync API.

A test module loads them with ``pytest_plugins = ["leanmark.testing.browser"]`` and asks for
``ui``: a fresh browser context (no cookies) on pytest-django's ``live_server``, with helpers that
act as a person would (log in through the form, drag with the mouse). The browser is launched
once per session. A JavaScript error in the page fails the test.

Static files: pytest-django's live server answers /static/ from the source folders through the
staticfiles finders, so the tests use the plain storage; the manifest storage's hashed names exist
only in STATIC_ROOT after collectstatic, where those finders never look.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from leanmark.testing.personas import PASSWORD
from leanmark.testing.require import unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1440, "height": 900}
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
# Refusals answer 409 (a limit, a stale version) or 422 (a form that is re-shown with its
# error) on purpose, and Chromium logs every 4xx response as a console error.
EXPECTED_CONSOLE = ("status of 409", "status of 422", "favicon.ico")


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable(
            f"{CHROMIUM} is missing: install Debian's package with `apt-get install chromium`"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable(
            "Playwright is not installed: install the dev extras with `pip install -e .[dev]`"
        )
    # Playwright's sync API keeps an asyncio loop running in this thread, while the tests' own ORM
    # calls stay synchronous: Django's guard against ORM use in async code must be off.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def ui(chromium, live_server, settings) -> Iterator["Ui"]:
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    context = chromium.new_context(viewport=VIEWPORT, base_url=live_server.url)
    context.set_default_timeout(5_000)
    ui = Ui(context.new_page())
    yield ui
    context.close()
    assert ui.errors == [], f"JavaScript errors in the page: {ui.errors}"


class Ui:
    """One browser tab and what a person does with it."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        self.posts: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)
        page.on("request", lambda r: self.posts.append(r.url) if r.method == "POST" else None)

    def _console(self, message: Any) -> None:
        where = (message.location or {}).get("url", "")
        text = f"{message.text} {where}"
        if message.type == "error" and not any(e in text for e in EXPECTED_CONSOLE):
            self.errors.append(text)

    def log_in(self, user: Any) -> None:
        self.page.goto(reverse("login"))
        self.page.fill("input[name=username]", user.email)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("button.primary")
        self.page.wait_for_url(lambda url: "/login/" not in url)

    def open_board(self, board: Any, query: str = "") -> None:
        self.page.goto(
            reverse("board", kwargs={"ws": board.workspace.slug, "board_id": board.pk}) + query
        )
        # Both scripts are deferred: wait until they ran, which also proves the static files load.
        self.page.wait_for_function("typeof htmx === 'object' && typeof Sortable === 'function'")

    def open_card(self, card: Any) -> None:
        self.page.goto(
            reverse("card", kwargs={"ws": card.board.workspace.slug, "number": card.number})
        )

    def card(self, number: int) -> Any:
        return self.page.locator(f"#card-{number}")

    def cell(self, column: Any, lane: str = "standard") -> Any:
        return self.page.locator(f".cell[data-column='{column.pk}'][data-lane='{lane}']")

    def header(self, column: Any) -> Any:
        return self.page.locator(f".col-head[data-column='{column.pk}']")

    def drag(self, source: Any, target: Any) -> None:
        """Press, move in small steps, release: SortableJS starts a drag only on real pointer moves.

        The layout shifts while the card travels (cells grow and shrink), so the pointer aims at
        the top of the target cell, which stays put, and takes aim again before letting go.
        """
        start = source.bounding_box()
        assert start, "the card must be on screen"
        x, y = start["x"] + start["width"] / 2, start["y"] + start["height"] - 6
        self.page.mouse.move(x, y)
        self.page.mouse.down()
        self.page.mouse.move(x + 5, y + 5, steps=3)
        for steps in (12, 3):
            end = target.bounding_box()
            assert end, "the drop target must be on screen"
            self.page.mouse.move(
                end["x"] + end["width"] / 2, end["y"] + min(16, end["height"] / 2), steps=steps
            )
        self.page.mouse.up()

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path
