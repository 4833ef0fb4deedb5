"""Meta Ads through the Marketing API's Insights edge
(GET https://graph.facebook.com/{version}/act_{account}/insights), one row per ad set and day
(``level=adset``, ``time_increment=1``), following ``paging.next`` until the last page.

Spend, impressions, link clicks, purchases and their value: the columns the Ads Manager export
gives (domain/channeldata/meta_ads). The token is a system user's access token with
``ads_read``; it travels as the ``access_token`` parameter, as the Graph API documents, and a
next page is followed only on the API's own address, so the token goes nowhere else.
"""

import json
import urllib.parse
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings

from leanmark.domain.channeldata import DayRow
from leanmark.lib.errors import InvalidInput

from .http import PullFailed, call

SOURCE = "meta_ads"
PLATFORM = "the Meta Marketing API"
FIELDS = (
    "campaign_name",
    "adset_name",
    "spend",
    "impressions",
    "inline_link_clicks",
    "actions",
    "action_values",
    "account_currency",
    "date_start",
    "date_stop",
)
# Meta counts a purchase under several action types; the first one an ad set reports is used
PURCHASES = ("omni_purchase", "purchase", "offsite_conversion.fb_pixel_purchase")
PAGE = 500
MAX_PAGES = 1_000
AGAIN = "connect the ad account again with a new token"


def check_account(text: str) -> str:
    cleaned = text.strip().removeprefix("act_")
    if not cleaned.isdigit() or len(cleaned) > 20:
        raise InvalidInput(
            "a Meta ad account id is its number, e.g. 1234567890 (Ads Manager > account "
            "overview; with or without act_)",
            field="account",
        )
    return cleaned


def check_credentials(data: bytes) -> bytes:
    token = data.decode("utf-8", "replace").strip()
    if len(token) < 20 or any(c.isspace() for c in token) or not token.isascii():
        raise InvalidInput(
            "the token must be a Meta access token (one line of letters and digits): Business "
            "settings > System users > Generate new token, with ads_read",
            field="credentials",
        )
    return token.encode()


def _refused(status: int, found: dict[str, object], account: str) -> PullFailed:
    error = found.get("error") if isinstance(found.get("error"), dict) else {}
    code = error.get("code")  # type: ignore[union-attr]
    said = str(error.get("message", ""))[:300]  # type: ignore[union-attr]
    if code == 190 or (status == 401 and not code):
        return PullFailed(
            f"The Meta access token has expired or was revoked: {AGAIN}", credentials=True
        )
    if code in (10, 200, 294) or (isinstance(code, int) and 200 <= code <= 299):
        return PullFailed(
            f"the Meta token may not read ad account {account} (error {code}: {said}): give "
            "the system user the ad account as an asset and a token with ads_read",
            credentials=True,
        )
    if code in (4, 17, 32, 613, 80000, 80004):
        return PullFailed(
            f"Meta's rate limit for this ad account is reached (error {code}); the pull is "
            "tried again at the next schedule"
        )
    if code == 100:
        return PullFailed(f"Meta refused the request for ad account {account}: {said}")
    return PullFailed(
        f"Meta answered {status} (error {code}: {said or 'no reason given'}); the pull is "
        "tried again at the next schedule"
    )


def _number(value: object, name: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise PullFailed(f"Meta gave {value!r} for {name}, not a number") from None


def _action(entries: object, name: str) -> Decimal | None:
    found = {
        e.get("action_type"): e.get("value")
        for e in entries or []  # type: ignore[attr-defined]
        if isinstance(e, dict)
    }
    for kind in PURCHASES:
        if kind in found:
            return _number(found[kind], name)
    return None


def rows_of(page: dict[str, object]) -> list[DayRow]:
    found = []
    for item in page.get("data", []) or []:  # type: ignore[union-attr]
        if not isinstance(item, dict):
            continue
        start, stop = item.get("date_start"), item.get("date_stop")
        try:
            day = date.fromisoformat(str(start))
        except ValueError:
            raise PullFailed(f"Meta gave a row without a readable date: {start!r}") from None
        if stop not in (None, start):
            raise PullFailed(f"Meta gave a row over {start} to {stop}, not one day")
        found.append(
            DayRow(
                day=day,
                source=SOURCE,
                channel="Paid social",
                campaign=str(item.get("campaign_name", "")),
                ad_set=str(item.get("adset_name", "")),
                currency=str(item.get("account_currency", ""))[:3].upper(),
                spend=_number(item.get("spend", "0"), "spend").quantize(Decimal("0.01")),
                impressions=int(_number(item.get("impressions", "0"), "impressions")),
                clicks=int(_number(item.get("inline_link_clicks", "0"), "link clicks")),
                conversions=_action(item.get("actions"), "purchases"),
                revenue=_action(item.get("action_values"), "purchase value"),
            )
        )
    return found


def fetch(secret: bytes, account: str, first: date, last: date) -> tuple[list[DayRow], list[str]]:
    base = settings.LEANMARK_META_API_URL
    query = urllib.parse.urlencode(
        {
            "level": "adset",
            "time_increment": "1",
            "time_range": json.dumps({"since": first.isoformat(), "until": last.isoformat()}),
            "fields": ",".join(FIELDS),
            "limit": str(PAGE),
            "access_token": secret.decode(),
        }
    )
    url: str | None = f"{base}/{settings.LEANMARK_META_API_VERSION}/act_{account}/insights?{query}"
    rows: list[DayRow] = []
    pages = 0
    while url:
        status, page = call("GET", url, platform=PLATFORM)
        if status != 200:
            raise _refused(status, page, account)
        rows.extend(rows_of(page))
        pages += 1
        following = (page.get("paging") or {}).get("next")  # type: ignore[union-attr]
        if following and not str(following).startswith(base + "/"):
            raise PullFailed(f"Meta's next page is not on {base}; nothing was imported")
        if pages >= MAX_PAGES:
            raise PullFailed(f"Meta gave more than {MAX_PAGES} pages; nothing was imported")
        url = str(following) if following else None
    return rows, [f"Pulled {len(rows)} ad set days of Meta ad account {account} ({pages} pages)."]
