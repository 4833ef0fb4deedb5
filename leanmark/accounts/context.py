from django.http import HttpRequest

from .queries import workspaces_of


def workspaces(request: HttpRequest) -> dict[str, object]:
    """The workspace switcher in the header lists the user's workspaces (one query, lazily)."""
    return {"my_workspaces": lambda: workspaces_of(request.user)}  # type: ignore[arg-type]
