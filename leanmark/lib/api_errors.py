"""Answers that Django or django-ninja make outside the API's handlers (an unknown path under
/api/, a method the path does not take) get the API's one error envelope too."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

PREFIX = "/api/"
CODES = {
    404: ("not_found", "no such API path; see /api/v1/docs"),
    405: ("method_not_allowed", "this path does not take that method; see /api/v1/docs"),
}


class ApiErrorEnvelopeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        is_json = response.get("Content-Type", "").startswith("application/json")
        if request.path.startswith(PREFIX) and response.status_code in CODES and not is_json:
            code, message = CODES[response.status_code]
            body = {"error": {"code": code, "message": message, "fields": {}}}
            answer = JsonResponse(body, status=response.status_code)
            if "Allow" in response:
                answer["Allow"] = response["Allow"]
            return answer
        return response


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
