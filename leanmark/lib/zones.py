"""Where a workspace works: its time zone, its today, the day a moment falls on there.

Every app dates things in the workspace's time zone (a team in Auckland finishes a card on its
own Tuesday, not the server's Monday); these are the one place that reads
``Workspace.time_zone``, falling back to UTC when it is empty or names no zone.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

from leanmark.accounts.models import Workspace

UTC = ZoneInfo("UTC")


def zone(workspace: Workspace) -> ZoneInfo:
    """The workspace's time zone (UTC when unset or unknown)."""
    try:
        return ZoneInfo(workspace.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local_day(workspace: Workspace, moment: datetime) -> date:
    """The calendar day ``moment`` falls on in the workspace's time zone."""
    return moment.astimezone(zone(workspace)).date()


def today(workspace: Workspace, now: datetime | None = None) -> date:
    """Today in the workspace's time zone (at ``now``, the present when None)."""
    return local_day(workspace, now or timezone.now())


def day_bounds(workspace: Workspace, first: date, last: date) -> tuple[datetime, datetime]:
    """The moments the days ``first`` to ``last`` (both included) start and end there."""
    here = zone(workspace)
    return (
        datetime.combine(first, time.min, tzinfo=here),
        datetime.combine(last + timedelta(days=1), time.min, tzinfo=here),
    )
