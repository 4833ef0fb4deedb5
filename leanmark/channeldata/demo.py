"""This app's part of the Northwind demo; leanmark/demo/generator.py calls ``load(ctx)`` after
the ROI part.

The paid channels' year of spend (roi/demo.py's ``year()``, the same figures the ROI part would
have typed in) is written as the files the tools export and imported through ``import_file``,
as a user's upload is: paid search as a Google Ads campaign report (UTF-16 TSV, a title and a
date-range line, ``Total:`` lines at the end), paid social as a Meta Ads Manager ad-set export,
and the site's visits as a GA4 traffic-acquisition report. Impressions, clicks, conversions and
sessions are derived from each day's spend. No file has a revenue column: the demo's returns are
the ROI part's revenue metrics, and a conversion value here would count them twice.
"""

import random
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from leanmark.demo.context import DemoContext
from leanmark.roi import demo as roi_demo

from . import services

FILES = 3  # the imports below; one progress step each (generator.Steps)
ACCOUNT = "Northwind Coffee Roasters"

# Google Ads campaign: (cost per click, click-through rate, conversion rate)
SEARCH_CAMPAIGNS = {
    "Brand search": (0.55, 0.062, 0.085),
    "Sample pack": (0.82, 0.034, 0.048),
    "Retargeting": (0.41, 0.021, 0.036),
}
# Meta campaign: (ad set, cost per 1,000 impressions, link clicks per impression, purchase rate)
SOCIAL_CAMPAIGNS = {
    "Reels": ("UK coffee lovers 25-54", 6.20, 0.0115, 0.022),
    "Ambassadors": ("Lookalike 1% purchasers", 9.40, 0.0142, 0.035),
}
SOCIAL_SOURCES = {"Reels": "instagram", "Ambassadors": "facebook"}
# GA4 visits of the unpaid channels: sessions a month per £ of the month's spend, key-event rate
EMAIL_SESSIONS, EMAIL_KEY_EVENTS = 2.1, 0.034
ORGANIC_SESSIONS, ORGANIC_KEY_EVENTS = 3.8, 0.016
DIRECT_SESSIONS, DIRECT_KEY_EVENTS = 64, 0.028  # a day


def load(ctx: DemoContext) -> None:
    rng = ctx.rng("channeldata")
    figures = roi_demo.year(ctx)
    paid = [line for line in figures.spend if line.channel in roi_demo.PAID]
    search = [line for line in paid if line.channel == "paid_search"]
    social = [line for line in paid if line.channel == "paid_social"]
    first = min(day for _, day, _ in figures.revenue)
    last = ctx.now.date()
    services.set_stages(
        ctx.workspace,
        {channel: roi_demo.CHANNELS[channel][0] for channel in roi_demo.PAID},
        actor=ctx.owner,
    )
    ads = google_ads_rows(rng, search)
    name = f"Campaign report {first:%Y-%m-%d} to {last:%Y-%m-%d}.csv"
    services.import_file(ctx.workspace, name, google_ads_file(ads, first, last), actor=ctx.owner)
    ctx.step()
    meta = meta_rows(rng, social)
    name = f"Northwind-Ad-sets-{first:%d-%b-%Y}-{last:%d-%b-%Y}.csv"
    services.import_file(ctx.workspace, name, meta_file(meta, first, last), actor=ctx.owner)
    ctx.step()
    visits = ga4_rows(rng, ads, meta, figures.spend, first, last)
    name = "Traffic_acquisition_Session_source_medium.csv"
    services.import_file(ctx.workspace, name, ga4_file(visits, first, last), actor=ctx.owner)
    ctx.step()


# ---- Google Ads -------------------------------------------------------------------------------

AdsRow = tuple[date, str, Decimal, int, int, Decimal]  # day, campaign, cost, impr., clicks, conv.


def google_ads_rows(rng: random.Random, spend: Iterable[roi_demo.SpendLine]) -> list[AdsRow]:
    rows = []
    for line in spend:
        cpc, ctr, rate = SEARCH_CAMPAIGNS[line.campaign]
        clicks = max(1, round(float(line.amount) / (cpc * rng.uniform(0.85, 1.15))))
        impressions = round(clicks / (ctr * rng.uniform(0.8, 1.2)))
        conversions = Decimal(repr(round(clicks * rate * rng.uniform(0.6, 1.4), 2)))
        rows.append((line.on, line.campaign, line.amount, impressions, clicks, conversions))
    return rows


def google_ads_file(rows: list[AdsRow], first: date, last: date) -> bytes:
    """As Google Ads downloads a campaign report: UTF-16 with a BOM, tabs, CRLF, thousands
    separators, and the account's and campaign types' totals at the end."""
    lines = [
        "Campaign report",
        f"{first.day} {first:%B %Y} - {last.day} {last:%B %Y}",
        "Day\tCampaign\tCampaign type\tCurrency code\tCost\tImpr.\tClicks\tConversions",
    ]
    for day, campaign, cost, impressions, clicks, conversions in rows:
        lines.append(
            f"{day.isoformat()}\t{campaign}\tSearch\tGBP\t{cost:,.2f}\t{impressions:,}\t"
            f"{clicks:,}\t{conversions:,.2f}"
        )
    cost = sum((r[2] for r in rows), Decimal(0))
    impressions, clicks = sum(r[3] for r in rows), sum(r[4] for r in rows)
    conversions = sum((r[5] for r in rows), Decimal(0))
    totals = f"GBP\t{cost:,.2f}\t{impressions:,}\t{clicks:,}\t{conversions:,.2f}"
    lines += [f"{label}\t--\t--\t{totals}" for label in ("Total: Account", "Total: Search")]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-16-le")


# ---- Meta Ads Manager -------------------------------------------------------------------------

MetaRow = tuple[date, str, str, Decimal, int, int, int, int]
# day, campaign, ad set, spent, impressions, reach, link clicks, purchases


def meta_rows(rng: random.Random, spend: Iterable[roi_demo.SpendLine]) -> list[MetaRow]:
    rows = []
    for line in spend:
        ad_set, cpm, ctr, rate = SOCIAL_CAMPAIGNS[line.campaign]
        impressions = round(float(line.amount) / (cpm * rng.uniform(0.85, 1.15)) * 1000)
        reach = round(impressions / rng.uniform(1.2, 1.6))
        clicks = round(impressions * ctr * rng.uniform(0.75, 1.25))
        purchases = round(clicks * rate * rng.uniform(0.5, 1.5))
        rows.append(
            (line.on, line.campaign, ad_set, line.amount, impressions, reach, clicks, purchases)
        )
    return rows


def meta_file(rows: list[MetaRow], first: date, last: date) -> bytes:
    """As Ads Manager exports an ad-set table broken down by day: the summary row first."""
    purchase = "actions:offsite_conversion.fb_pixel_purchase"
    lines = [
        "Reporting starts,Reporting ends,Campaign name,Ad set name,Ad set delivery,"
        "Amount spent (GBP),Impressions,Reach,Link clicks,Results,Result indicator,Purchases",
        f"{first.isoformat()},{last.isoformat()},,,,{sum(r[3] for r in rows):.2f},"
        f"{sum(r[4] for r in rows)},,{sum(r[6] for r in rows)},,,{sum(r[7] for r in rows)}",
    ]
    for day, campaign, ad_set, spent, impressions, reach, clicks, purchases in rows:
        lines.append(
            f"{day.isoformat()},{day.isoformat()},{campaign},{ad_set},active,{spent:.2f},"
            f"{impressions},{reach},{clicks},{purchases},{purchase},{purchases}"
        )
    return ("\n".join(lines) + "\n").encode()


# ---- GA4 --------------------------------------------------------------------------------------

VisitRow = tuple[date, str, str, int, int]  # day, source / medium, campaign, sessions, key events


def ga4_rows(
    rng: random.Random,
    ads: list[AdsRow],
    meta: list[MetaRow],
    spend: list[roi_demo.SpendLine],
    first: date,
    last: date,
) -> list[VisitRow]:
    """Sessions from the ads' clicks (a share of clicks ends up as a session), and for email and
    SEO from the month's spend on them, spread over its days; direct visits every day."""
    by_day: dict[date, list[VisitRow]] = defaultdict(list)
    for day, campaign, _cost, _impressions, clicks, conversions in ads:
        sessions = round(clicks * rng.uniform(0.82, 0.95))
        events = round(float(conversions) * rng.uniform(0.7, 1.0))
        by_day[day].append((day, "google / cpc", campaign, sessions, events))
    for day, campaign, _ad_set, _spent, _impressions, _reach, clicks, purchases in meta:
        sessions = round(clicks * rng.uniform(0.7, 0.9))
        source = f"{SOCIAL_SOURCES[campaign]} / paid_social"
        by_day[day].append((day, source, campaign, sessions, min(purchases, sessions)))
    monthly: dict[tuple[str, date], Decimal] = defaultdict(Decimal)
    campaigns: dict[date, str] = {}
    for line in spend:
        monthly[(line.channel, line.on.replace(day=1))] += line.amount
        if line.channel == "email":
            campaigns[line.on] = line.campaign
    days = [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]
    per_month: dict[date, int] = defaultdict(int)
    for day in days:
        per_month[day.replace(day=1)] += 1
    email_campaign = "Newsletter"
    for day in days:
        month = day.replace(day=1)
        email_campaign = campaigns.get(day, email_campaign)
        rhythm = 1.25 if day.weekday() >= 5 else 1.0  # coffee sells at weekends
        for pair, campaign, per_pound, rate, channel in (
            ("newsletter / email", email_campaign, EMAIL_SESSIONS, EMAIL_KEY_EVENTS, "email"),
            ("google / organic", "(organic)", ORGANIC_SESSIONS, ORGANIC_KEY_EVENTS, "seo"),
        ):
            mean = float(monthly[(channel, month)]) * per_pound / per_month[month] * rhythm
            sessions = round(mean * rng.uniform(0.7, 1.3))
            by_day[day].append((day, pair, campaign, sessions, round(sessions * rate)))
        sessions = round(DIRECT_SESSIONS * rhythm * rng.uniform(0.7, 1.3))
        by_day[day].append(
            (day, "(direct) / (none)", "(direct)", sessions, round(sessions * DIRECT_KEY_EVENTS))
        )
    return [row for day in sorted(by_day) for row in by_day[day] if row[3]]


def ga4_file(rows: list[VisitRow], first: date, last: date) -> bytes:
    """As GA4 downloads a traffic-acquisition report: comment lines with the property and the
    date range, a blank line, the header and the grand total first."""
    rule = "# ----------------------------------------"
    lines = [
        rule,
        "# Traffic acquisition: Session source / medium",
        f"# Account: {ACCOUNT}",
        f"# Property: {ACCOUNT} - GA4",
        rule,
        "#",
        "# All Users",
        f"# Start date: {first:%Y%m%d}",
        f"# End date: {last:%Y%m%d}",
        rule,
        "",
        "Date,Session source / medium,Session campaign,Sessions,Key events",
        f"Grand total,,,{sum(r[3] for r in rows)},{sum(r[4] for r in rows)}",
    ]
    lines += [f"{d:%Y%m%d},{pair},{campaign},{s},{e}" for d, pair, campaign, s, e in rows]
    return ("\n".join(lines) + "\n").encode()
