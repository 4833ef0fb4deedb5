"""The one NinjaAPI (v1): authentication, the error envelope, and each app's router."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.schema import NinjaGenerateJsonSchema
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from leanmark.accounts.services import user_for_token
from leanmark.lib.errors import LeanmarkError

# Decimal fields are documented as "a number or a string"; pydantic leaves the string's syntax
# out unless the generator asks for it (its documented get_decimal_pattern hook). ninja builds
# the document with its own generator class and takes no other, so the hook is set on it: the
# document then says which strings are decimals, and "" is no longer schema-valid.
NinjaGenerateJsonSchema.get_decimal_pattern = NinjaGenerateJsonSchema.build_decimal_pattern


class TokenAuth(HttpBearer):
    """``Authorization: Bearer lm_…`` with a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(NinjaSessionAuth):
    """The browser's session. CSRF is checked only when there is a signed-in session to forge:
    a request with no session has no credentials, and is told so (401), not that its CSRF token
    is missing (ninja's SessionAuth checks CSRF first, so anonymous writes answered 403)."""

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


api = NinjaAPI(
    title="Leanmark API",
    version="1",
    description="Lean marketing: workspaces, boards, cards and their event log. "
    "Authenticate with `Authorization: Bearer <token>` (create one under Account → API tokens "
    "or with `leanmark token create`) or with the browser session. Errors share one envelope: "
    '`{"error": {"code": "...", "message": "...", "fields": {...}}}`.',
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)


def error_response(
    request: HttpRequest, status: int, code: str, message: str, **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {
        "code": code,
        "message": message,
        "fields": extra.pop("fields", {}) or {},
    }
    body.update(extra)
    return api.create_response(request, {"error": body}, status=status)


def _loc(entry: dict[str, Any]) -> str:
    parts = [str(p) for p in entry.get("loc", ()) if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "request"


# pydantic's words for the common refusals, said plainly ("at most 999", not "Input should be
# less than or equal to 999"); any other keeps pydantic's message.
PLAIN = {
    "missing": "required",
    "string_type": "must be text",
    "extra_forbidden": "unknown field; remove it",
    "greater_than_equal": "at least {ge}",
    "greater_than": "more than {gt}",
    "less_than_equal": "at most {le}",
    "less_than": "less than {lt}",
    "string_too_long": "at most {max_length} characters",
    "string_too_short": "at least {min_length} characters",
    "too_long": "at most {max_length} items",
    "too_short": "at least {min_length} items",
}


def _number(value: Any) -> Any:
    """A bound as people write it: 1, not 1.0; 0.05 stays 0.05."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _plain(entry: dict[str, Any]) -> str:
    words = PLAIN.get(entry.get("type", ""))
    if words is not None:
        try:
            return words.format(**{k: _number(v) for k, v in (entry.get("ctx") or {}).items()})
        except (KeyError, IndexError):
            pass
    # A validator's own words, without pydantic's "Value error, " in front of them.
    return str(entry.get("msg", "invalid")).removeprefix("Value error, ")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for entry in exc.errors:
        name = _loc(entry)
        fields.setdefault(name, _plain(entry))
    summary = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return error_response(
        request, 422, "validation_error", f"invalid input ({summary})", fields=fields
    )


@api.exception_handler(LeanmarkError)
def on_board_error(request: HttpRequest, exc: LeanmarkError) -> HttpResponse:
    fields = {exc.field: exc.message} if exc.field else {}
    extra = {k: v for k, v in exc.details.items() if k in ("current", "errors", "headers")}
    return error_response(request, exc.status, exc.code, exc.message, fields=fields, **extra)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(exc) or "not found")


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden", str(exc) or "your role does not allow this")


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, 401, "unauthenticated", "send 'Authorization: Bearer <token>' or log in first"
    )


@api.exception_handler(RequestDataTooBig)
def on_body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    sent = request.META.get("CONTENT_LENGTH") or ""
    size = f"has {int(sent):,} bytes" if sent.isdigit() else "is too large"
    return error_response(
        request,
        413,
        "payload_too_large",
        f"the request body {size}; the server accepts at most {limit:,} "
        "(LEANMARK_MAX_UPLOAD_BYTES): send fewer rows at a time",
    )


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    """Django's refusals of a malformed request (too many fields, a bad host)."""
    return error_response(request, 400, "bad_request", f"the request was refused: {exc}")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    codes = {
        400: "bad_request",
        403: "forbidden",
        405: "method_not_allowed",
        429: "too_many_requests",
    }
    code = codes.get(exc.status_code, "error")
    if exc.status_code == 403 and "CSRF" in str(exc):
        code = "csrf_failed"
    return error_response(request, exc.status_code, code, str(exc))


if not settings.DEBUG:

    @api.exception_handler(Exception)
    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        raise exc  # Django logs it and answers 500 without leaking the traceback


def _add_routers() -> None:
    """Each app's ``api.router`` (imported here: the routers need ``api`` and its handlers)."""
    from leanmark.accounts import api as accounts_api
    from leanmark.backlog import api as backlog_api
    from leanmark.board import api as board_api
    from leanmark.channeldata import api as channeldata_api
    from leanmark.dashboard import api as dashboard_api
    from leanmark.experiments import api as experiments_api
    from leanmark.experiments import feed_api as experiments_feed_api
    from leanmark.flow import api as flow_api
    from leanmark.improvement import api as improvement_api
    from leanmark.integrations import api as integrations_api
    from leanmark.roi import api as roi_api
    from leanmark.standups import api as standups_api
    from leanmark.valuestream import api as valuestream_api

    for module in (
        accounts_api,
        board_api,
        backlog_api,
        flow_api,
        experiments_api,
        experiments_feed_api,
        standups_api,
        valuestream_api,
        improvement_api,
        dashboard_api,
        roi_api,
        integrations_api,
        channeldata_api,
    ):
        api.add_router("", module.router)


_add_routers()
