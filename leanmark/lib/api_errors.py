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
