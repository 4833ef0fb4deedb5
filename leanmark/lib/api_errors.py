"""Answers that Django, django-ninja or a middleware make outside the API's handlers (an unknown
path under /api/, a method the path does not take, a body over the size limit, a host not
allowed, a forged request) get the API's one error envelope too: every answer under /api/ is
JSON, errors included."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIX = "/api/"
CODES = {
    400: ("bad_request", "the request could not be read"),
    401: ("unauthenticated", "send 'Authorization: Bearer <token>' or log in first"),
    403: ("forbidden", "this request is not allowed"),
    404: ("not_found", "no such API path; see /api/v1/docs"),
    405: ("method_not_allowed", "this path does not take that method; see /api/v1/docs"),
    413: ("payload_too_large", "the request body is larger than the server accepts"),
    429: ("too_many_requests", "too many requests; wait a moment and try again"),
    500: ("server_error", "Something went wrong on the server; it was logged."),
    503: ("unavailable", "the server cannot answer now; try again"),
}
_KEPT_HEADERS_LEFT_OUT = {"content-type", "content-length"}


def envelope(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"error": {"code": code, "message": message, "fields": {}}}, status=status)


class ApiErrorEnvelopeMiddleware:
    """The outermost middleware: whatever made a non-JSON error under /api/ (Django's 400 page
    for a body over the limit or a bad host, a 404 or 405 from the resolver), the client gets
    the envelope, with the original's status and headers (Allow, Retry-After, security)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        is_json = response.get("Content-Type", "").startswith("application/json")
        if status < 400 or is_json or not request.path.startswith(PREFIX):
            return response
        code, message = CODES.get(status, ("error", f"the request failed (HTTP {status})"))
        answer = envelope(status, code, message)
        for name, value in response.items():
            if name.lower() not in _KEPT_HEADERS_LEFT_OUT:
                answer[name] = value
        return answer


class RejectNulMiddleware:
    """A NUL character in a query parameter is never meaningful, and PostgreSQL refuses it in
    text (a 500 found by schemathesis): answer 422 naming the parameter, before any view."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            if "\x00" in name or any("\x00" in v for v in values):
                message = (
                    f"the query parameter {name.replace(chr(0), '')!r} contains a NUL character"
                )
                if request.path.startswith(PREFIX):
                    body = {
                        "error": {"code": "invalid", "message": message, "fields": {name: message}}
                    }
                    return JsonResponse(body, status=422)
                return HttpResponse(message, status=422, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
