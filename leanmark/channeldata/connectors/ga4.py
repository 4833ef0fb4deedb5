"""Google Analytics 4 through the Data API's ``runReport``
(POST https://analyticsdata.googleapis.com/v1beta/properties/{id}:runReport), signed in as a
service account: its JSON key signs a JWT (RS256, with ``cryptography``) that Google's token
endpoint exchanges for an hour's access token (OAuth 2.0 for server-to-server applications).

The report asks for sessions, key events and total revenue by date, session source, medium
and campaign: the same figures a GA4 traffic-acquisition export gives (domain/channeldata/ga4).
"""

import base64
import json
import time
import urllib.parse
from datetime import date
from decimal import Decimal, InvalidOperation

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.conf import settings

from leanmark.domain.channeldata import DayRow
from leanmark.domain.channeldata.ga4 import PLACEHOLDERS
from leanmark.lib.errors import InvalidInput

from .http import PullFailed, call

SOURCE = "ga4"
PLATFORM = "Google Analytics"
SCOPE = "https://www.googleapis.com/auth/analytics.readonly"
DIMENSIONS = ("date", "sessionSource", "sessionMedium", "sessionCampaignName")
METRICS = ("sessions", "keyEvents", "totalRevenue")
PAGE = 100_000  # rows per runReport call (the API's maximum is 250,000)
AGAIN = "connect the property again with a new key"


def check_account(text: str) -> str:
    cleaned = text.strip().removeprefix("properties/")
    if not cleaned.isdigit() or len(cleaned) > 20:
        raise InvalidInput(
            "a GA4 property id is its number, e.g. 412345678 (Admin > Property details)",
            field="account",
        )
    return cleaned


def check_credentials(data: bytes) -> bytes:
    """The service account's JSON key as downloaded from Google Cloud (IAM > Service
    accounts > Keys > Add key > JSON), checked to be one; what is sealed."""
    try:
        key = json.loads(data)
    except ValueError:
        key = None
    if not isinstance(key, dict) or key.get("type") != "service_account":
        raise InvalidInput(
            'the credentials must be a service account\'s JSON key file (its "type" is '
            '"service_account"): Google Cloud console > IAM & Admin > Service accounts > Keys '
            "> Add key > JSON",
            field="credentials",
        )
    for name in ("client_email", "private_key"):
        if not isinstance(key.get(name), str) or not key[name]:
            raise InvalidInput(f"the JSON key has no {name}", field="credentials")
    try:
        _private_key(key)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise InvalidInput(
            "the JSON key's private_key is not a PEM RSA key; download a new key",
            field="credentials",
        ) from None
    return json.dumps(
        {k: key[k] for k in ("client_email", "private_key", "private_key_id") if k in key}
    ).encode()


def _private_key(key: dict[str, str]) -> rsa.RSAPrivateKey:
    found = serialization.load_pem_private_key(key["private_key"].encode(), password=None)
    if not isinstance(found, rsa.RSAPrivateKey):
        raise ValueError("not an RSA key")
    return found


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def assertion(key: dict[str, str], token_url: str, now: float) -> str:
    header = {
        "alg": "RS256",
        "typ": "JWT",
        **({"kid": key["private_key_id"]} if key.get("private_key_id") else {}),
    }
    claims = {
        "iss": key["client_email"],
        "scope": SCOPE,
        "aud": token_url,
        "iat": int(now),
        "exp": int(now) + 3600,
    }
    signing_input = f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}"
    signature = _private_key(key).sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def access_token(key: dict[str, str]) -> str:
    token_url = settings.LEANMARK_GOOGLE_TOKEN_URL
    body = urllib.parse.urlencode(
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": assertion(key, token_url, time.time()),
        }
    ).encode()
    status, found = call(
        "POST",
        token_url,
        platform="Google's sign-in",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    if status == 200 and isinstance(found.get("access_token"), str):
        return found["access_token"]
    if found.get("error") in {"invalid_grant", "invalid_client", "unauthorized_client"}:
        raise PullFailed(
            "Google refused the service account's key "
            f"({found.get('error_description') or found['error']}): the key was deleted or "
            f"the service account disabled; {AGAIN}",
            credentials=True,
        )
    raise PullFailed(
        f"Google's sign-in answered {status}; the pull is tried again at the next schedule"
    )


def _refused(status: int, found: dict[str, object], property_id: str) -> PullFailed:
    error = found.get("error") if isinstance(found.get("error"), dict) else {}
    kind = str(error.get("status", ""))  # type: ignore[union-attr]
    said = str(error.get("message", ""))[:300]  # type: ignore[union-attr]
    if status == 401 or kind == "UNAUTHENTICATED":
        return PullFailed(
            "Google Analytics refused the service account's credentials (UNAUTHENTICATED): "
            + AGAIN,
            credentials=True,
        )
    if status == 403 or kind == "PERMISSION_DENIED":
        return PullFailed(
            f"the service account has no access to GA4 property {property_id} (PERMISSION_DENIED): "
            "add its email as a Viewer under Admin > Property access management, or connect "
            "the right property",
            credentials=True,
        )
    if status == 429 or kind == "RESOURCE_EXHAUSTED":
        return PullFailed(
            "the property's Google Analytics API quota is used up for now (RESOURCE_EXHAUSTED); "
            "the pull is tried again at the next schedule"
        )
    if status == 404 or kind == "NOT_FOUND":
        return PullFailed(f"there is no GA4 property {property_id} (NOT_FOUND): check its id")
    return PullFailed(
        f"Google Analytics answered {status} {kind}: {said or 'no reason given'}; the pull is "
        "tried again at the next schedule"
    )


def _number(text: str, name: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise PullFailed(f"Google Analytics gave {text!r} for {name}, not a number") from None


def rows_of(report: dict[str, object]) -> list[DayRow]:
    """The DayRows of one RunReportResponse (by its headers' names, in any order)."""
    dimensions = [h["name"] for h in report.get("dimensionHeaders", [])]  # type: ignore[union-attr,index]
    metrics = [h["name"] for h in report.get("metricHeaders", [])]  # type: ignore[union-attr,index]
    currency = str((report.get("metadata") or {}).get("currencyCode", ""))[:3].upper()  # type: ignore[union-attr]
    found = []
    for row in report.get("rows", []) or []:  # type: ignore[union-attr]
        d = dict(
            zip(
                dimensions,
                (v.get("value", "") for v in row.get("dimensionValues", [])),
                strict=False,
            )
        )
        m = dict(
            zip(metrics, (v.get("value", "0") for v in row.get("metricValues", [])), strict=False)
        )
        try:
            day = date(int(d["date"][:4]), int(d["date"][4:6]), int(d["date"][6:8]))
        except (KeyError, ValueError):
            raise PullFailed(f"Google Analytics gave a row without a readable date: {d}") from None
        campaign = d.get("sessionCampaignName", "")
        found.append(
            DayRow(
                day=day,
                source=SOURCE,
                campaign="" if campaign.casefold() in PLACEHOLDERS else campaign,
                utm_source=d.get("sessionSource", ""),
                utm_medium=d.get("sessionMedium", ""),
                currency=currency,
                sessions=int(_number(m.get("sessions", "0"), "sessions")),
                conversions=_number(m.get("keyEvents", "0"), "key events"),
                revenue=_number(m.get("totalRevenue", "0"), "total revenue").quantize(
                    Decimal("0.01")
                ),
            )
        )
    return found


def fetch(
    secret: bytes, property_id: str, first: date, last: date
) -> tuple[list[DayRow], list[str]]:
    """Every row of the report over ``first`` to ``last``, page by page."""
    key = json.loads(secret)
    token = access_token(key)
    url = f"{settings.LEANMARK_GA4_API_URL}/v1beta/properties/{property_id}:runReport"
    rows: list[DayRow] = []
    offset = 0
    while True:
        request = {
            "dateRanges": [{"startDate": first.isoformat(), "endDate": last.isoformat()}],
            "dimensions": [{"name": n} for n in DIMENSIONS],
            "metrics": [{"name": n} for n in METRICS],
            "limit": str(PAGE),
            "offset": str(offset),
        }
        status, report = call(
            "POST",
            url,
            platform=PLATFORM,
            body=json.dumps(request).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )
        if status != 200:
            raise _refused(status, report, property_id)
        page = rows_of(report)
        rows.extend(page)
        offset += len(page)
        total = int(report.get("rowCount", 0) or 0)  # type: ignore[call-overload]
        if not page or offset >= total:
            return rows, [f"Pulled {len(rows)} report rows of GA4 property {property_id}."]
