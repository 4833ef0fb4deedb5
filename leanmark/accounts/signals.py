"""Sign-ins, successful or not, go to the audit trail of the person's workspaces."""

from typing import Any

from django.http import HttpRequest

from leanmark.lib.client_ip import client_ip

from .models import User, normalise_email
from .services import audit_for_user


def _where(request: HttpRequest | None) -> str:
    if request is None:
        return "the command line"
    return client_ip(request) or "an unknown address"


def signed_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    if request is not None and not request.POST:  # force_login in tests and tools: not a sign-in
        return
    audit_for_user(user, "sign_in", f"{user.label} signed in from {_where(request)}")


def failed_sign_in(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    email = normalise_email(str(credentials.get("username", ""))[:150])
    user = User.objects.filter(username=email).first()
    if user is not None:  # an unknown e-mail has no workspace to tell
        audit_for_user(user, "sign_in.failed", f"failed sign-in as {email} from {_where(request)}")
