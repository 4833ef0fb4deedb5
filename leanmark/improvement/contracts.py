"""The one place this app calls other capabilities (their ``queries``/``services`` contracts).

The apps are built side by side, so a contract may not exist yet: ``contract(app, module, name)``
answers the function or None, and every caller says plainly what is missing instead of faking it.
"""

from collections.abc import Callable
from importlib import import_module
from typing import Any

APP_LABELS = {
    "flow": "flow analytics",
    "valuestream": "the value stream map",
    "standups": "the daily stand-up",
    "dashboard": "the metrics dashboard",
    "experiments": "experiments",
    "roi": "value-stream ROI",
}


def contract(app: str, module: str, name: str) -> Callable[..., Any] | None:
    """``leanmark.<app>.<module>.<name>`` when that app has landed it, else None."""
    try:
        found = import_module(f"leanmark.{app}.{module}")
    except ImportError:
        return None
    function = getattr(found, name, None)
    return function if callable(function) else None


def missing(app: str, what: str) -> str:
    """The sentence shown where a chart or a choice needs an app that is not there yet."""
    return f"No data yet: {what} needs {APP_LABELS.get(app, app)}, which is not available yet."
