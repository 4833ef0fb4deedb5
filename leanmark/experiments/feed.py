"""Counts read from the marketing data: a conversion experiment fed by the daily table of
channel performance (leanmark/channeldata), with no SDK and no warehouse.

The writes of that feed, each in one transaction (services.py's rules, kept in a module of their
own), and the reads that prepare them:

- ``options``: the campaigns and ad sets the table holds (of the experiment's channel if it has
  one), to link each variant to;
- ``link_data``: which rows each variant reads (one source's campaign, ad set, or ad set of a
  campaign) and which measure counts as trials (impressions, clicks, sessions) and as successes
  (clicks, conversions, new customers);
- ``plan_pull``: what reading them would write, day by day, without writing (the dry run);
- ``pull_data``: write it. Each day from the start date to today (or the planned end, if
  earlier) on which a variant has rows becomes one observation of that variant, source
  "channel": the day's count summed over its rows (every ad set of a campaign; every currency,
  since counts do not depend on it), added to the days before it (observations are cumulative).
  Pulling again replaces the "channel" observations: new days are added, revised ones changed,
  days whose rows are gone removed, the others left as they are.

One experiment reads its counts from one place. Figures entered another way (the form, a CSV,
the API, the CLI) are cumulative counts of the same traffic, so adding the table's counts to
them would count it twice: a pull is refused while they exist, unless ``replace_entered`` says
to remove them in the same transaction; and entering figures by hand is refused once the
experiment has "channel" observations (``services.record_observations``).
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from leanmark.accounts.models import User, Workspace
from leanmark.channeldata import queries as channeldata_queries
from leanmark.domain.channeldata import SOURCES
from leanmark.lib import formats, zones

from .errors import InvalidExperimentInput, WrongState
from .models import Experiment, MetricType, Observation, State, Variant
from .services import FEED_SOURCE, _writable

TRIAL_MEASURES = ("impressions", "clicks", "sessions")
SUCCESS_MEASURES = ("clicks", "conversions", "new_customers")
LABELS = {
    "impressions": "impressions",
    "clicks": "clicks",
    "sessions": "sessions",
    "conversions": "conversions",
    "new_customers": "new customers",
}
NAME_MAX = 200
SHOWN_DAYS = 5  # days named in an error before "and N more"


# ---- links ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkIn:
    """What a person gives for one variant: its campaign and/or ad set as the table spells them,
    and the source when the same names come from more than one tool. Both names empty unlinks."""

    variant: Any
    campaign: Any = ""
    ad_set: Any = ""
    source: Any = ""


@dataclass(frozen=True)
class Link:
    variant: Variant
    source: str
    campaign: str
    ad_set: str

    @property
    def label(self) -> str:
        return f"{SOURCES.get(self.source, self.source)} {_where(self.campaign, self.ad_set)}"

    def overlaps(self, other: "Link") -> bool:
        """Whether the two could read the same rows (a campaign and one of its ad sets do)."""

        def same(a: str, b: str) -> bool:
            return a == b or not a or not b

        return (
            self.source == other.source
            and same(self.campaign, other.campaign)
            and same(self.ad_set, other.ad_set)
        )


def _where(campaign: str, ad_set: str) -> str:
    """'campaign “Spring”, ad set “Lookalike”' as a person reads a link."""
    named = [f"campaign “{campaign}”"] if campaign else []
    return ", ".join([*named, *([f"ad set “{ad_set}”"] if ad_set else [])])


@dataclass(frozen=True)
class FeedSpec:
    trials: str
    successes: str
    links: dict[int, Link]  # variant id → its rows; unlinked variants are absent


def rows_key(source: str, campaign: str, ad_set: str) -> str:
    """A campaign or ad set as one value (the page's lists): names may hold any character."""
    return json.dumps([source, campaign, ad_set], ensure_ascii=False)


def link_of(variant: Variant) -> Link | None:
    if not variant.data_campaign and not variant.data_ad_set:
        return None
    return Link(variant, variant.data_source, variant.data_campaign, variant.data_ad_set)


def spec_of(experiment: Experiment) -> FeedSpec:
    """The link as stored on the experiment and its variants."""
    links = {v.pk: link for v in experiment.variants.all() if (link := link_of(v)) is not None}
    return FeedSpec(experiment.data_trials, experiment.data_successes, links)


def _measure(value: Any, allowed: tuple[str, ...], name: str, label: str) -> str:
    given = str(value or "").strip().lower().replace(" ", "_")
    words = ", ".join(LABELS[m] for m in allowed)
    if not given:
        raise InvalidExperimentInput(
            f"choose the measure that counts as {label}: one of {words}", field=name
        )
    if given not in allowed:
        raise InvalidExperimentInput(
            f"{str(value)[:40]!r} cannot count as {label}; choose one of {words}", field=name
        )
    return given


def _name(value: Any, what: str) -> str:
    text = str(value or "").strip()
    if len(text) > NAME_MAX:
        raise InvalidExperimentInput(
            f"the {what.replace('_', ' ')} name is longer than {NAME_MAX} characters", field=what
        )
    return text


def _clean_link(workspace: Workspace, variant: Variant, given: LinkIn) -> Link | None:
    campaign, ad_set = _name(given.campaign, "campaign"), _name(given.ad_set, "ad_set")
    source = str(given.source or "").strip()
    if not campaign and not ad_set:
        return None
    if source and source not in SOURCES:
        raise InvalidExperimentInput(
            f"unknown source {source[:40]!r}; choose one of {', '.join(SOURCES)}", field="source"
        )
    where = _where(campaign, ad_set)
    found = channeldata_queries.sources_with(workspace, campaign=campaign, ad_set=ad_set)
    if not found:
        raise InvalidExperimentInput(
            f"{variant.name}: no imported rows have {where} (names are matched exactly, as the "
            "marketing data spells them: choose one from the list)",
            field="campaign",
        )
    sources = [f.source for f in found]
    if source and source not in sources:
        raise InvalidExperimentInput(
            f"{variant.name}: no {SOURCES[source]} rows have {where}; those rows come from "
            f"{', '.join(SOURCES.get(s, s) for s in sources)}",
            field="source",
        )
    if not source and len(sources) > 1:
        raise InvalidExperimentInput(
            f"{variant.name}: {where} comes from "
            f"{' and '.join(SOURCES.get(s, s) for s in sources)}; choose the source to read, "
            "since two tools count the same traffic",
            field="source",
        )
    return Link(variant, source or sources[0], campaign, ad_set)


def clean_spec(
    experiment: Experiment,
    *,
    trials: Any = None,
    successes: Any = None,
    links: Sequence[LinkIn] = (),
) -> FeedSpec:
    """The stored link with these changes (``None``: keep the measure; a variant not named keeps
    its link), cleaned: measures from their lists, names matched to imported rows, one source."""
    current = spec_of(experiment)
    trials = _measure(
        current.trials if trials is None else trials, TRIAL_MEASURES, "trials", "trials"
    )
    successes = _measure(
        current.successes if successes is None else successes,
        SUCCESS_MEASURES,
        "successes",
        "successes",
    )
    if trials == successes:
        raise InvalidExperimentInput(
            f"{LABELS[trials]} cannot count as both trials and successes", field="successes"
        )
    variants = {v.name.lower(): v for v in experiment.variants.all()}
    chosen = dict(current.links)
    for given in links:
        variant = variants.get(str(given.variant).strip().lower())
        if variant is None:
            raise InvalidExperimentInput(
                f"unknown variant {str(given.variant)[:60]!r}; this experiment has "
                f"{', '.join(v.name for v in variants.values())}",
                field="variant",
            )
        link = _clean_link(experiment.workspace, variant, given)
        if link is None:
            chosen.pop(variant.pk, None)
        else:
            chosen[variant.pk] = link
    return FeedSpec(trials, successes, chosen)


def _check_apart(workspace: Workspace, spec: FeedSpec) -> None:
    """Refuse two variants that would read a row twice (a campaign and one of its ad sets)."""
    links = sorted(spec.links.values(), key=lambda link: link.variant.position)
    for i, first in enumerate(links):
        for second in links[i + 1 :]:
            if first.overlaps(second) and channeldata_queries.rows_shared(
                workspace,
                source=first.source,
                campaign=first.campaign or second.campaign,
                ad_set=first.ad_set or second.ad_set,
            ):
                raise InvalidExperimentInput(
                    f"{first.variant.name} ({first.label}) and {second.variant.name} "
                    f"({second.label}) would read the same rows: each variant needs rows of its "
                    "own (another campaign or ad set)",
                    field="campaign",
                )


def link_data(
    experiment: Experiment,
    *,
    trials: Any = None,
    successes: Any = None,
    links: Sequence[LinkIn] = (),
    actor: User | None = None,
) -> FeedSpec:
    """Store which rows each variant reads and the two measures; nothing is read yet."""
    with transaction.atomic():
        locked = _writable(experiment)
        _conversion_only(locked)
        spec = clean_spec(locked, trials=trials, successes=successes, links=links)
        _check_apart(experiment.workspace, spec)
        _store(locked, spec)
    return spec


def _store(experiment: Experiment, spec: FeedSpec) -> None:
    experiment.data_trials, experiment.data_successes = spec.trials, spec.successes
    experiment.save(update_fields=["data_trials", "data_successes"])
    for variant in experiment.variants.all():
        link = spec.links.get(variant.pk)
        values = (link.source, link.campaign, link.ad_set) if link else ("", "", "")
        if values != (variant.data_source, variant.data_campaign, variant.data_ad_set):
            variant.data_source, variant.data_campaign, variant.data_ad_set = values
            variant.save(update_fields=["data_source", "data_campaign", "data_ad_set"])


def _conversion_only(experiment: Experiment) -> None:
    if experiment.metric_type != MetricType.CONVERSION:
        raise InvalidExperimentInput(
            "the marketing data gives counts (trials and successes): only a conversion "
            "experiment can read them, not one with a continuous metric",
            field="metric_type",
        )


# ---- what the table holds ----------------------------------------------------------------------


@dataclass(frozen=True)
class Options:
    rows: list[channeldata_queries.RowSet]
    channel: str  # the channel key the list is of, "" for every channel
    note: str


def options(experiment: Experiment) -> Options:
    """The campaigns and ad sets to link to: those of the experiment's channel when it has one
    and the table has rows of it, else every channel's."""
    workspace = experiment.workspace
    key = channeldata_queries.channel_key(experiment.channel) if experiment.channel else ""
    if key:
        found = channeldata_queries.campaigns_and_ad_sets(workspace, channel=key)
        if found:
            return Options(found, key, f"campaigns and ad sets of the channel {formats.label(key)}")
    found = channeldata_queries.campaigns_and_ad_sets(workspace)
    note = "campaigns and ad sets of every channel"
    if key:
        note = f"no imported rows are of the channel {formats.label(key)}: {note}"
    if not found:
        note = (
            "the marketing data has no campaigns or ad sets yet: import an ad platform's or "
            "analytics export first (Marketing data)"
        )
    return Options(found, "", note)


# ---- the pull ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedDay:
    """One variant's observation on one day: the day's counts and the totals so far."""

    variant: str
    day: date
    trials: int
    successes: Decimal
    total_trials: int
    total_successes: int
    kind: str  # new | changed | same
    before: tuple[int, int] | None  # the "channel" observation it replaces (trials, successes)


@dataclass
class FeedPlan:
    start: date
    end: date
    trials: str
    successes: str
    links: list[Link]
    days: list[FeedDay]
    removed: list[tuple[str, date]]  # "channel" observations no row gives any more
    entered: int  # observations entered another way, removed with ``replace_entered``
    notes: list[str] = field(default_factory=list)
    written: bool = False

    def count(self, kind: str) -> int:
        return sum(1 for d in self.days if d.kind == kind)

    @property
    def added(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("same")

    @property
    def totals(self) -> list[tuple[str, int, int]]:
        """(variant, trials, successes) as of each variant's last observation."""
        last: dict[str, FeedDay] = {}
        for day in self.days:
            last[day.variant] = day
        return [
            (
                link.variant.name,
                last[link.variant.name].total_trials,
                last[link.variant.name].total_successes,
            )
            for link in self.links
            if link.variant.name in last
        ]

    @property
    def changes(self) -> int:
        """Observations writing would add, change or remove (0: they match the data already)."""
        return self.added + self.changed + len(self.removed) + self.entered

    def day_counts(self) -> dict[str, int]:
        """Days by what happens to them: added (a variant's observation is new), changed (one
        is revised), unchanged, removed (only observations no row gives any more)."""
        kinds: dict[date, set[str]] = {}
        for d in self.days:
            kinds.setdefault(d.day, set()).add(d.kind)
        counts = {"added": 0, "changed": 0, "unchanged": 0}
        for found in kinds.values():
            counts[
                "added" if "new" in found else "changed" if "changed" in found else "unchanged"
            ] += 1
        counts["removed"] = len({day for _, day in self.removed} - set(kinds))  # every variant's
        return counts

    @property
    def summary(self) -> str:
        """Days read, then what happens to the observations (the four counts add up to them and
        the write button counts the same changes): "… into 6 observations: 5 added, 1 changed,
        0 unchanged; 0 removed." """
        verb = "Read" if self.written else "Would read"
        total = len({d.day for d in self.days})
        text = (
            f"{verb} {total} day{'s' if total != 1 else ''} from {formats.day(self.start)} to "
            f"{formats.day(self.end)} into {len(self.days)} "
            f"observation{'s' if len(self.days) != 1 else ''}: {self.added} added, "
            f"{self.changed} changed, {self.unchanged} unchanged; {len(self.removed)} removed"
        )
        if self.entered:
            text += f", {self.entered} entered another way replaced"
        return text + "."


def _num(value: Decimal) -> str:
    """5.00 → "5", 3.50 → "3.5": a count as a person writes it."""
    return format(value.normalize(), "f")


def _days(days: Sequence[date]) -> str:
    shown = ", ".join(formats.day(d) for d in days[:SHOWN_DAYS])
    return shown + (f" and {len(days) - SHOWN_DAYS} more" if len(days) > SHOWN_DAYS else "")


def _read(
    experiment: Experiment, spec: FeedSpec, link: Link, start: date, end: date
) -> tuple[list[channeldata_queries.CountDay], list[str]]:
    """The link's days, checked: rows in the range, both measures on every row, no negative
    count, never more successes than trials on a day."""
    name = link.variant.name
    days = channeldata_queries.daily_counts(
        experiment.workspace,
        source=link.source,
        campaign=link.campaign,
        ad_set=link.ad_set,
        start=start,
        end=end,
    )
    if not days:
        spans = [
            s
            for s in channeldata_queries.sources_with(
                experiment.workspace, campaign=link.campaign, ad_set=link.ad_set
            )
            if s.source == link.source
        ]
        held = (
            f"its rows run from {formats.day(spans[0].first_day)} to "
            f"{formats.day(spans[0].last_day)}"
            if spans
            else "nothing of it is imported any more"
        )
        raise InvalidExperimentInput(
            f"{name}: no rows of {link.label} from {formats.day(start)} to {formats.day(end)} "
            f"({held})",
            field="campaign",
        )
    for measure in (spec.trials, spec.successes):
        missing = [d.day for d in days if d.given[measure] < d.rows]
        if not missing:
            continue
        if len(missing) == len(days):
            given = [m for m in channeldata_queries.COUNTS if all(d.given[m] for d in days)]
            carried = ", ".join(LABELS[m] for m in given) or "no counts at all"
            raise InvalidExperimentInput(
                f"{name}: the rows of {link.label} give no {LABELS[measure]} (a measure a tool "
                f"does not export is empty, not 0); they give {carried}",
                field="trials" if measure == spec.trials else "successes",
            )
        raise InvalidExperimentInput(
            f"{name}: {LABELS[measure]} are missing from rows of {link.label} on "
            f"{_days(missing)} ({len(missing)} of {len(days)} days): re-import those days with "
            "the measure, or choose one every row gives",
            field="trials" if measure == spec.trials else "successes",
        )
    for d in days:
        # every row gives both (checked above): None cannot be left here
        trials = d.totals[spec.trials] or Decimal(0)
        successes = d.totals[spec.successes] or Decimal(0)
        if trials < 0 or successes < 0:
            negative = spec.trials if trials < 0 else spec.successes
            count = trials if negative == spec.trials else successes
            raise InvalidExperimentInput(
                f"{name}: on {formats.day(d.day)} the rows of {link.label} count {_num(count)} "
                f"{LABELS[negative]}: counts cannot be negative",
                field="campaign",
            )
        if successes > trials:
            raise InvalidExperimentInput(
                f"{name}: on {formats.day(d.day)} the rows of {link.label} count {_num(successes)} "
                f"{LABELS[spec.successes]} but {_num(trials)} {LABELS[spec.trials]}: successes "
                "cannot exceed trials (choose a measure that counts every chance to succeed as "
                "trials)",
                field="successes",
            )
    notes = []
    currencies = sorted({c for d in days for c in d.currencies})
    if len(currencies) > 1:
        notes.append(
            f"{name}: the rows are in {', '.join(currencies)}; counts do not depend on the "
            "currency, so they are summed as they are"
        )
    return days, notes


def _apart_notes(links: list[Link], days: list[FeedDay], trials: str) -> list[str]:
    """What makes the variants' totals hard to compare: read from different tools (each counts
    its own way), or over days that mostly differ (an A/B test compares variants side by side)."""
    notes = []
    tools = sorted({SOURCES.get(link.source, link.source) for link in links})
    if len(tools) > 1:
        notes.append(
            f"the variants are read from different tools ({', '.join(tools)}), which count "
            f"{LABELS[trials]} their own way: a difference may be the tools', not the variants'"
        )
    spans: dict[str, tuple[date, date]] = {}
    for d in days:
        first, _ = spans.get(d.variant, (d.day, d.day))
        spans[d.variant] = (first, d.day)
    if len(spans) > 1:
        shared = (min(e for _, e in spans.values()) - max(s for s, _ in spans.values())).days + 1
        whole = (max(e for _, e in spans.values()) - min(s for s, _ in spans.values())).days + 1
        if shared * 2 < whole:
            runs = ", ".join(
                f"{name} {formats.day(first)} to {formats.day(last)}"
                for name, (first, last) in spans.items()
            )
            notes.append(
                f"the variants' counts cover different days ({runs}): an A/B test compares "
                "variants over the same days, so link campaigns or ad sets that ran side by side"
            )
    return notes


def plan_pull(
    experiment: Experiment,
    spec: FeedSpec | None = None,
    *,
    replace_entered: bool = False,
    today: date | None = None,
) -> FeedPlan:
    """What pulling would write, day by day; nothing is written."""
    _conversion_only(experiment)
    if experiment.state == State.DECIDED:
        raise WrongState("the experiment is decided; its evidence can no longer change")
    spec = spec or spec_of(experiment)
    _measure(spec.trials, TRIAL_MEASURES, "trials", "trials")
    _measure(spec.successes, SUCCESS_MEASURES, "successes", "successes")
    variants = list(experiment.variants.all())
    unlinked = [v.name for v in variants if v.pk not in spec.links]
    if unlinked:
        raise InvalidExperimentInput(
            f"{' and '.join(unlinked)} {'is' if len(unlinked) == 1 else 'are'} not linked to a "
            "campaign or ad set of the marketing data: link every variant first",
            field="campaign",
        )
    _check_apart(experiment.workspace, spec)
    start = experiment.start_date
    if start is None:
        raise InvalidExperimentInput(
            "the experiment has no start date: set it (Edit), counts are read from that day on",
            field="start_date",
        )
    today = today or workspace_today(experiment.workspace)
    end = min(today, experiment.planned_end) if experiment.planned_end else today
    if start > end:
        raise InvalidExperimentInput(
            f"the experiment starts on {formats.day(start)}, after {formats.day(end)}: there is "
            "no day to read yet",
            field="start_date",
        )
    existing = list(Observation.objects.filter(variant__experiment=experiment))
    entered = [o for o in existing if o.source != FEED_SOURCE]
    if entered and not replace_entered:
        kinds = ", ".join(sorted({o.source for o in entered}))
        raise InvalidExperimentInput(
            f"the experiment has {len(entered)} observation{'s' if len(entered) != 1 else ''} "
            f"entered another way ({kinds}); adding counts from the marketing data to them "
            "would count the same traffic twice. Replace them to read every count from the "
            "marketing data (the “Replace” box on the page, --replace-entered in the CLI, "
            "replace_entered in the API)",
            field="replace_entered",
        )
    stored = {(o.variant_id, o.date): o for o in existing if o.source == FEED_SOURCE}
    links = [spec.links[v.pk] for v in variants]
    plan = FeedPlan(start, end, spec.trials, spec.successes, links, [], [], len(entered))
    if experiment.planned_end and experiment.planned_end < today:
        plan.notes.append(
            f"days after the planned end, {formats.day(experiment.planned_end)}, are not read"
        )
    fractional = 0
    seen: set[tuple[int, date]] = set()
    for link in links:
        days, notes = _read(experiment, spec, link, start, end)
        plan.notes.extend(notes)
        total_trials, total_successes = 0, Decimal(0)
        for d in days:
            trials = d.totals[spec.trials] or Decimal(0)
            successes = d.totals[spec.successes] or Decimal(0)
            total_trials += int(trials)
            total_successes += successes
            fractional += successes != successes.to_integral_value()
            if not total_trials:
                continue  # no traffic yet: nothing to record
            whole = int(total_successes.quantize(Decimal(1), rounding=ROUND_HALF_UP))
            before = stored.get((link.variant.pk, d.day))
            was = None if before is None else (before.trials, before.successes or 0)
            kind = "new" if was is None else ("same" if was == (total_trials, whole) else "changed")
            plan.days.append(
                FeedDay(
                    link.variant.name, d.day, int(trials), successes, total_trials, whole, kind, was
                )
            )
            seen.add((link.variant.pk, d.day))
        quiet = (end - start).days + 1 - len(days)
        if quiet:
            plan.notes.append(
                f"{link.variant.name}: no rows on {quiet} of the {(end - start).days + 1} days, "
                "so no observation on those days"
            )
    plan.notes.extend(_apart_notes(links, plan.days, spec.trials))
    names = {v.pk: v.name for v in variants}
    plan.removed = sorted((names[v], day) for v, day in stored if (v, day) not in seen)
    if fractional:
        plan.notes.append(
            f"{LABELS[spec.successes]} are fractional on {fractional} day(s) (credit shared "
            "between campaigns by the tool's attribution): each day's total so far is rounded "
            "to a whole number"
        )
    order = {link.variant.name: link.variant.position for link in links}
    plan.days.sort(key=lambda d: (d.day, order[d.variant]))
    return plan


def workspace_today(workspace: Workspace) -> date:
    """Today where the workspace works (its time zone, not the server's): the last day read. A
    team in Auckland reads this morning's rows while the server's UTC clock is still yesterday."""
    return zones.today(workspace)


_BATCH = 1000


def pull_data(
    experiment: Experiment,
    *,
    actor: User | None,
    spec: FeedSpec | None = None,
    dry_run: bool = False,
    replace_entered: bool = False,
    today: date | None = None,
    at: datetime | None = None,
) -> FeedPlan:
    """Read the linked rows and write them as the experiment's "channel" observations, in one
    transaction (with ``spec``, the link is stored too); ``dry_run`` only answers the plan."""
    if dry_run:  # read as stored now (the instance given may predate a link_data)
        fresh = Experiment.objects.select_related("workspace").get(pk=experiment.pk)
        return plan_pull(fresh, spec, replace_entered=replace_entered, today=today)
    with transaction.atomic():
        locked = _writable(experiment)
        if spec is not None:
            _conversion_only(locked)
            _check_apart(experiment.workspace, spec)
            _store(locked, spec)
        plan = plan_pull(locked, spec, replace_entered=replace_entered, today=today)
        now = at or timezone.now()
        existing = {
            (o.variant_id, o.date): o
            for o in Observation.objects.filter(variant__experiment=locked)
        }
        if plan.entered:
            Observation.objects.filter(variant__experiment=locked).exclude(
                source=FEED_SOURCE
            ).delete()
        ids = {v.name: v.pk for v in locked.variants.all()}
        gone = [existing[(ids[name], day)].pk for name, day in plan.removed]
        Observation.objects.filter(pk__in=gone).delete()
        new, changed = [], []
        for d in plan.days:
            if d.kind == "new":
                new.append(
                    Observation(
                        variant_id=ids[d.variant],
                        date=d.day,
                        trials=d.total_trials,
                        successes=d.total_successes,
                        source=FEED_SOURCE,
                        recorded_at=now,
                        recorded_by=actor,
                    )
                )
            elif d.kind == "changed":
                found = existing[(ids[d.variant], d.day)]
                found.trials, found.successes = d.total_trials, d.total_successes
                found.recorded_at, found.recorded_by = now, actor
                changed.append(found)
        Observation.objects.bulk_create(new, batch_size=_BATCH)
        Observation.objects.bulk_update(
            changed, ["trials", "successes", "recorded_at", "recorded_by"], batch_size=_BATCH
        )
        if locked.state == State.DRAFT and plan.days:  # data arriving means the test is running
            locked.state, locked.running_at = State.RUNNING, now
            locked.save(update_fields=["state", "running_at"])
        plan.written = True
    return plan
