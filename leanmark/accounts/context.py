from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from .queries import workspaces_of

# The main navigation: (label, URL name of the app's index page). An app's entry appears once
# its index page exists, so capabilities can land one at a time.
NAV = (
    ("Backlog", "backlog"),
    ("Flow", "flow"),
    ("Stand-up", "standup"),
    ("Experiments", "experiments"),
    ("Value stream", "valuestream"),
    ("Improvement", "improvement"),
    ("Dashboard", "dashboard"),
    ("ROI", "roi"),
)


def workspaces(request: HttpRequest) -> dict[str, object]:
    """The workspace switcher in the header lists the user's workspaces (one query, lazily)."""
    return {"my_workspaces": lambda: workspaces_of(request.user)}  # type: ignore[arg-type]


def navigation(request: HttpRequest) -> dict[str, object]:
    """Links to each capability's index page in the current workspace (no queries)."""
    workspace = getattr(request, "workspace", None)
    if workspace is None:
        return {"nav_links": []}
    links = []
    for label, name in NAV:
        try:
            links.append((label, reverse(name, kwargs={"ws": workspace.slug})))
        except NoReverseMatch:
            continue
    return {"nav_links": links}
