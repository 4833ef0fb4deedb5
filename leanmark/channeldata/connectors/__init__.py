"""Pull connectors: an account's daily figures fetched from the platform's API, every day by
the job worker, and imported through the same all-or-nothing replace as an export file.

A pull asks for the last 28 days up to yesterday (ad platforms and GA4 revise their recent
days) and replaces that source's rows on those days. One connection per source and workspace;
connecting a source again replaces its account and credentials. A pull that fails imports
nothing and leaves its sentence in ``last_error``; an expired or revoked credential says to
connect again. The schedule: each connection has one waiting job (django-tasks, run after
``next_pull_at``) that pulls and then queues the next day's; ``schedule_missing`` (run as every
worker starts) queues one for a connection whose job was lost. docs/data-sources.md tells how a
user connects a real account.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from types import ModuleType

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from leanmark.accounts.models import User, Workspace
from leanmark.accounts.services import audit
from leanmark.domain.channeldata import DayRow, grouping
from leanmark.domain.channeldata.reader import summed_rows
from leanmark.lib import clean
from leanmark.lib.errors import InvalidInput

from .. import queries, services, vault
from ..models import CONNECTOR_SOURCES, Connection
from . import ga4, meta
from .http import PullFailed

KINDS: dict[str, ModuleType] = {"ga4": ga4, "meta_ads": meta}
WINDOW_DAYS = 28
MAX_CREDENTIALS = 20_000  # bytes: a service account key is about 2,400


def window(today: date) -> tuple[date, date]:
    """The days a pull asks for: the last 28 up to yesterday (today is not over)."""
    return today - timedelta(days=WINDOW_DAYS), today - timedelta(days=1)


def next_run(after: datetime) -> datetime:
    """The next daily pull time (LEANMARK_PULL_HOUR o'clock, the server's time zone)."""
    local = timezone.localtime(after)
    at = timezone.make_aware(
        datetime.combine(local.date(), time(settings.LEANMARK_PULL_HOUR)), local.tzinfo
    )
    return at if at > after else at + timedelta(days=1)


# ---- reads ------------------------------------------------------------------------------------


def connections_of(workspace: Workspace) -> list[Connection]:
    return list(Connection.objects.for_workspace(workspace).select_related("last_import"))


def connection_for(workspace: Workspace, connection_id: int) -> Connection:
    found = Connection.objects.for_workspace(workspace).filter(pk=connection_id).first()
    if found is None:
        raise Http404("no such connection")
    return found


# ---- writes -----------------------------------------------------------------------------------


@transaction.atomic
def connect(
    workspace: Workspace,
    source: str,
    *,
    account: object,
    credentials: bytes,
    name: object = "",
    actor: User | None,
) -> Connection:
    """Save (or, for a source already connected, replace) the account and its credentials,
    sealed; the first pull is queued for the worker right away."""
    kind = KINDS.get(source)
    if kind is None:
        raise InvalidInput(
            f"pulls come from {' or '.join(CONNECTOR_SOURCES)}, not {source!r}", field="source"
        )
    account_id = kind.check_account(clean.text(account, "account", label="the account", limit=40))
    if len(credentials) > MAX_CREDENTIALS:
        raise InvalidInput("the credentials are longer than any key or token", field="credentials")
    sealed = vault.seal(kind.check_credentials(credentials))
    label = clean.text(name, "name", label="the name", limit=120) or (
        f"{CONNECTOR_SOURCES[source]} {account_id}"
    )
    now = timezone.now()
    connection, created = Connection.objects.update_or_create(
        workspace=workspace,
        source=source,
        defaults={
            "name": label,
            "account": account_id,
            "secret": sealed,
            "secret_saved_at": now,
            "last_error": "",
            "next_pull_at": now,
        },
        create_defaults={
            "name": label,
            "account": account_id,
            "secret": sealed,
            "secret_saved_at": now,
            "next_pull_at": now,
            "created_by": actor,
        },
    )
    audit(
        workspace,
        actor,
        "channeldata.connect",
        f"{CONNECTOR_SOURCES[source]} {account_id} {'connected' if created else 'connected again'}",
    )
    enqueue(connection)  # in this transaction: a rolled-back connect queues nothing
    return connection


@transaction.atomic
def disconnect(connection: Connection, *, actor: User | None) -> None:
    """Forget the connection and its credentials; the rows it imported stay."""
    audit(
        connection.workspace,
        actor,
        "channeldata.disconnect",
        f"{CONNECTOR_SOURCES.get(connection.source)} {connection.account}",
    )
    connection.delete()


@dataclass(frozen=True)
class Pulled:
    connection: Connection
    first_day: date
    last_day: date
    result: services.ImportResult | None  # None when the pull failed
    error: str = ""


def _rows(workspace: Workspace, rows: list[DayRow]) -> list[DayRow]:
    """The API's rows with the channel grouping's names, summed per day and dimension as a
    file's are (campaign placeholders that read as none add up)."""
    rules = queries.rules_of(workspace)
    named = [
        row
        if row.channel or not (row.utm_source or row.utm_medium)
        else replace(row, channel=grouping.channel_for(row.utm_source, row.utm_medium, rules))
        for row in rows
    ]
    return summed_rows(named)


def pull(
    connection: Connection,
    *,
    actor: User | None = None,
    today: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Pulled:
    """Fetch the last 28 days and import them; a failure imports nothing and is recorded."""
    workspace = connection.workspace
    first, last = window(today or timezone.localdate())
    kind = KINDS[connection.source]
    result = None
    try:
        try:
            secret = vault.unseal(connection.secret)
        except vault.Unreadable:
            raise PullFailed(
                "the saved credentials cannot be read any more (the server's SECRET_KEY "
                "changed): connect the account again",
                credentials=True,
            ) from None
        fetched, notes = kind.fetch(secret, connection.account, first, last)
        outside = sorted({r.day for r in fetched if not first <= r.day <= last})
        if outside:
            raise PullFailed(
                f"the API gave rows for {outside[0]:%d %b %Y}, outside the {first:%d %b %Y} to "
                f"{last:%d %b %Y} asked for; nothing was imported"
            )
        rows = _rows(workspace, fetched)
        if not rows:
            raise PullFailed(
                f"{CONNECTOR_SOURCES[connection.source]} gave no rows for {first:%d %b %Y} to "
                f"{last:%d %b %Y}; nothing was changed (is it the right account?)"
            )
        if len(rows) > services.MAX_ROWS:
            raise PullFailed(f"the API gave {len(rows):,} rows; at most {services.MAX_ROWS:,}")
        plan = services.plan_rows(
            workspace,
            connection.source,
            f"{connection.name} (API pull)",
            rows,
            first_day=first,
            last_day=last,
            notes=notes,
        )
        result = services.write_plan(workspace, plan, actor=actor, progress=progress)
        error = ""
    except PullFailed as failed:
        error = failed.message
    now = timezone.now()
    connection.last_tried_at = now
    connection.last_error = error
    fields = ["last_tried_at", "last_error"]
    if result is not None:
        connection.last_pulled_at, connection.last_import = now, result.data_import
        fields += ["last_pulled_at", "last_import"]
    Connection.objects.filter(pk=connection.pk).update(
        **{f: getattr(connection, f) for f in fields}
    )
    if error:
        audit(workspace, actor, "channeldata.pull", f"{connection.name}: failed: {error}"[:500])
    return Pulled(connection, first, last, result, error)


# ---- the schedule -----------------------------------------------------------------------------


def enqueue(connection: Connection) -> None:
    """Queue the connection's next pull, to run after its ``next_pull_at``."""
    due = connection.next_pull_at or timezone.now()
    scheduled_pull.using(run_after=due).enqueue(connection.pk, due.isoformat())


@task()
def scheduled_pull(connection_id: int, due: str) -> str:
    """The daily job: pull one connection, then queue the next day's pull. A job whose
    connection was deleted, or rescheduled (connected again) since, does nothing."""
    connection = Connection.objects.select_related("workspace").filter(pk=connection_id).first()
    if connection is None:
        return "gone"
    if connection.next_pull_at != datetime.fromisoformat(due):
        return "rescheduled"
    try:
        outcome = pull(connection).error or "pulled"
    except Exception as error:  # the next day's pull must still be queued
        outcome = f"the pull failed unexpectedly: {type(error).__name__}: {str(error)[:200]}"
        Connection.objects.filter(pk=connection.pk).update(
            last_tried_at=timezone.now(), last_error=outcome
        )
    connection.next_pull_at = next_run(timezone.now())
    Connection.objects.filter(pk=connection.pk).update(next_pull_at=connection.next_pull_at)
    enqueue(connection)
    return outcome


def schedule_missing() -> int:
    """Queue a pull for every connection without a waiting job (the worker's queue was
    emptied, or a job was lost): its missed pull runs now. Returns how many were queued."""
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    jobs = DBTaskResult.objects.filter(
        task_path=scheduled_pull.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    )
    waiting = {
        (job.args_kwargs["args"][0], datetime.fromisoformat(job.args_kwargs["args"][1]))
        for job in jobs
    }
    count = 0
    for connection in Connection.objects.all():
        due = connection.next_pull_at
        if due is not None and (connection.pk, due) in waiting:
            continue
        if due is None or due < timezone.now():
            connection.next_pull_at = timezone.now()
            Connection.objects.filter(pk=connection.pk).update(next_pull_at=connection.next_pull_at)
        enqueue(connection)
        count += 1
    return count
