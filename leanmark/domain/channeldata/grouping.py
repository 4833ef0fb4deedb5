"""The channel a visit or an order belongs to, from its utm_source and utm_medium.

Rules are data, tried in order; the first whose patterns both match names the channel. A pattern
is a regular expression matched against the whole value, ignoring case; an empty pattern matches
anything. Several rules may name one channel (its conditions are then alternatives). The default
follows the order and the conditions of Google Analytics 4's default channel group, without the
conditions GA4 takes from the campaign name or its own site lists beyond the common ones below.
Nothing matched: "Unassigned".
"""

import re
from dataclasses import dataclass
from functools import lru_cache

UNASSIGNED = "Unassigned"
MAX_RULES = 200
MAX_PATTERN = 500

SEARCH = r".*(google|bing|yahoo|duckduckgo|ecosia|baidu|yandex|naver|qwant|startpage|search).*"
SOCIAL = (
    r".*(facebook|fb|instagram|ig|meta|linkedin|lnkd|twitter|t\.co|x\.com|pinterest|reddit|"
    r"tiktok|snapchat|threads|mastodon|bluesky|whatsapp|messenger|quora|tumblr|vk).*"
)
VIDEO = r".*(youtube|vimeo|twitch|dailymotion|wistia).*"
SHOPPING = r".*(shopping|shop|merchant|amazon|ebay|etsy|idealo|pricerunner).*"
PAID = r"(.*cp.*|ppc|retargeting|paid.*)"


@dataclass(frozen=True)
class Rule:
    channel: str
    source: str = ""  # regex on utm_source ("" = any)
    medium: str = ""  # regex on utm_medium ("" = any)


DEFAULT_RULES: tuple[Rule, ...] = (
    Rule("Direct", source=r"\(direct\)|direct", medium=r"|\(none\)|\(not set\)|none"),
    Rule("Paid shopping", source=SHOPPING, medium=PAID),
    Rule("Paid search", source=SEARCH, medium=PAID),
    Rule("Paid social", source=SOCIAL, medium=PAID),
    Rule("Paid video", source=VIDEO, medium=PAID),
    Rule("Display", medium=r"display|banner|expandable|interstitial|cpm"),
    Rule("Paid other", medium=PAID),
    Rule("Organic shopping", source=SHOPPING),
    Rule("Organic social", source=SOCIAL),
    Rule(
        "Organic social",
        medium=r"social|social-network|social-media|sm|social network|social media",
    ),
    Rule("Organic video", source=VIDEO),
    Rule("Organic video", medium=r".*video.*"),
    Rule("Organic search", source=SEARCH),
    Rule("Organic search", medium=r"organic"),
    Rule("Email", source=r"email|e-mail|e_mail|e mail|newsletter|mailchimp|klaviyo"),
    Rule("Email", medium=r"email|e-mail|e_mail|e mail|newsletter"),
    Rule("Affiliates", medium=r"affiliate|affiliates"),
    Rule("Referral", medium=r"referral|app|link"),
    Rule("Audio", medium=r"audio|podcast"),
    Rule("SMS", source=r"sms"),
    Rule("SMS", medium=r"sms"),
    Rule("Mobile push notifications", medium=r".*push$|.*mobile.*|.*notification.*"),
)


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def _matches(pattern: str, value: str) -> bool:
    return not pattern or _compiled(pattern).fullmatch(value.strip()) is not None


def channel_for(
    utm_source: str, utm_medium: str, rules: tuple[Rule, ...] | list[Rule] = DEFAULT_RULES
) -> str:
    for rule in rules:
        if _matches(rule.source, utm_source) and _matches(rule.medium, utm_medium):
            return rule.channel
    return UNASSIGNED


def rules_from(data: list[dict[str, object]]) -> list[Rule]:
    """Rules from their stored or posted form; ValueError names the first bad one."""
    if len(data) > MAX_RULES:
        raise ValueError(f"at most {MAX_RULES} channel rules, not {len(data)}")
    rules = []
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"rule {number} must give a channel, a source and a medium")
        channel = str(item.get("channel") or "").strip()
        if not channel or len(channel) > 60:
            raise ValueError(f"rule {number} needs a channel name of 1 to 60 characters")
        patterns = []
        for part in ("source", "medium"):
            pattern = str(item.get(part) or "").strip()
            if len(pattern) > MAX_PATTERN:
                raise ValueError(
                    f"rule {number}: the {part} pattern is over {MAX_PATTERN} characters"
                )
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(
                    f"rule {number}: the {part} pattern {pattern!r} is not a regular "
                    f"expression ({error})"
                ) from None
            patterns.append(pattern)
        rules.append(Rule(channel, patterns[0], patterns[1]))
    return rules


def rule_dict(rule: Rule) -> dict[str, str]:
    return {"channel": rule.channel, "source": rule.source, "medium": rule.medium}
