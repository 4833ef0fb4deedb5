"""Channel performance by day, read from the export files of the tools marketing teams use.

One canonical row per day, source (the tool), channel, campaign and ad set, with the measures a
tool gives (spend, impressions, clicks, sessions, conversions, revenue, new customers); a measure
the tool does not give is None, never 0. Amounts keep the currency they were given in.

``read(name, data)`` decodes a file (UTF-8 with or without BOM, UTF-16 as Google Ads writes it,
XLSX), recognises the tool by its headers, and returns its rows summed per day and dimension.
Nothing here knows Django; the channeldata app stores the rows.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

SOURCES = {
    "ga4": "Google Analytics 4",
    "google_ads": "Google Ads",
    "meta_ads": "Meta Ads Manager",
    "mailchimp": "Mailchimp",
    "shopify": "Shopify",
    "stripe": "Stripe",
    "hubspot": "HubSpot",
    "csv": "Other CSV (mapped columns)",
}

MEASURES = (
    "spend",
    "impressions",
    "clicks",
    "sessions",
    "conversions",
    "revenue",
    "new_customers",
)


@dataclass(frozen=True)
class DayRow:
    day: date
    source: str  # a key of SOURCES
    channel: str = ""  # the grouped channel ("Paid search"); "" until grouping gives it one
    campaign: str = ""
    ad_set: str = ""
    utm_source: str = ""  # as the file gives them, for the channel grouping
    utm_medium: str = ""
    currency: str = ""  # ISO 4217 code as given; "" when the file names none
    spend: Decimal | None = None
    impressions: int | None = None
    clicks: int | None = None
    sessions: int | None = None
    conversions: Decimal | None = None
    revenue: Decimal | None = None
    new_customers: int | None = None
    line: int = 0  # the file line the row came from (the first one, once rows are summed)


@dataclass(frozen=True)
class Problem:
    line: int  # 1-based line of the file (0: the file as a whole)
    message: str


class FileRefused(Exception):
    """The file cannot be read as a whole: every problem found, each with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems[:5]))
        self.problems = problems


class UnknownFormat(FileRefused):
    """No reader knows the file's columns: it can still be read with a column mapping."""

    def __init__(self, problems: list[Problem], headers: list[str]) -> None:
        super().__init__(problems)
        self.headers = headers  # the file's first non-blank row, to map from


@dataclass
class Parsed:
    source: str
    rows: list[DayRow]
    notes: list[str] = field(default_factory=list)  # what was left out, said to the user

    @property
    def first_day(self) -> date | None:
        return min((r.day for r in self.rows), default=None)

    @property
    def last_day(self) -> date | None:
        return max((r.day for r in self.rows), default=None)


from leanmark.domain.channeldata.reader import read  # noqa: E402  (it needs the types above)

__all__ = ["MEASURES", "SOURCES", "DayRow", "FileRefused", "Parsed", "Problem", "read"]
