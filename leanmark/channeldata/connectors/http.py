"""One JSON call to a platform's API, with its failures said in words.

Plain ``urllib``: the calls are a few documented HTTPS requests, so no SDK is needed
(docs/data-sources.md, "Pull connectors", says why per source). A network failure, a timeout
or an answer that is not JSON raises ``Unreachable``; an HTTP error status returns its status
and JSON body, for the connector to name (an expired token, a missing permission).
"""

import json
import urllib.error
import urllib.request

from django.conf import settings


class PullFailed(Exception):
    """A pull that imported nothing, with the sentence the connection shows as its last error.
    ``credentials``: the account must be connected again (an expired or revoked credential)."""

    def __init__(self, message: str, *, credentials: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.credentials = credentials


class Unreachable(PullFailed):
    pass


def call(
    method: str,
    url: str,
    *,
    platform: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, object]]:
    """(HTTP status, the JSON object answered)."""
    request = urllib.request.Request(  # noqa: S310 (the URLs are settings, http(s))
        url,
        data=body,
        method=method,
        headers={"Accept": "application/json", "User-Agent": "Leanmark/1", **(headers or {})},
    )
    timeout = settings.LEANMARK_CONNECTOR_TIMEOUT
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    except TimeoutError:
        raise Unreachable(
            f"{platform} did not answer within {timeout} s; the pull is tried again at the "
            "next schedule"
        ) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise Unreachable(
            f"could not reach {platform} ({str(reason)[:200]}); the pull is tried again at the "
            "next schedule"
        ) from None
    try:
        found = json.loads(raw or b"{}")
    except ValueError:
        found = None
    if not isinstance(found, dict):
        raise Unreachable(
            f"{platform} answered {status} with something that is not JSON; the pull is tried "
            "again at the next schedule"
        )
    return status, found
