"""Work-driving parameters at their caps: `python bench/api_bounds.py`. Prints figures only.

Every API operation, page and CLI command whose cost grows with something the caller chooses
(a page size, an offset, a date range, a forecast's horizon, items or trials, a budget's
channels, the rows of an upload, the ids of a bulk operation, a list in a body…) is timed once
with that parameter AT its cap; where there is no cap, with a large value (a range of centuries,
10**6 ids, …). Rows marked "over" send one step past a cap and show that it is refused.

Each request runs in a forked child of the process that built the data, inside a transaction
that is rolled back afterwards (so an import at its cap does not change what the next row
sees), under a 6 GB address-space limit and a hard timeout of TIMEOUT seconds, after which the
child is killed and the row says so. Children inherit the warm flow cache of the parent.

Data (SQLite in a temp LEANMARK_DATA_DIR, LEANMARK_DEBUG=0 as in production): the Northwind
demo (leanmark.demo.generator.load_demo, 120 days of board history, metrics, spend, experiments,
a value stream, improvement cycles), the four personas (leanmark.testing.personas.build_world)
and a 5,000-card board in their workspace Acme (bench/board_data.py), plus 1,000 ideas in Acme.

    .venv/bin/python bench/api_bounds.py [--only SUBSTRING] [--timeout 20]
"""

import argparse
import io
import json
import os
import re
import resource
import select
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("LEANMARK_DATA_DIR", tempfile.mkdtemp(prefix="leanmark-bounds-bench-"))
os.environ.setdefault("SECRET_KEY", "bench")
os.environ.setdefault("LEANMARK_DEBUG", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LEANMARK_LOG_LEVEL", "CRITICAL")  # refusals and 500s are in the table
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leanmark.settings")
os.environ.pop("DATABASE_URL", None)

import logging  # noqa: E402

import django  # noqa: E402

django.setup()
for _name in ("django.request", "axes", "axes.watch_login"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)  # the table says what answered

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connections, transaction  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

TIMEOUT = 20.0
MEMORY_LIMIT = 6 * 1024**3
API = "/api/v1"


# ---- where a cap is written ---------------------------------------------------------------------


def where(path: str, needle: str) -> str:
    """``path:line`` of the first line holding ``needle`` (found now: the code moves)."""
    try:
        for number, text in enumerate((ROOT / path).read_text().splitlines(), start=1):
            if needle in text:
                return f"{path}:{number}"
    except OSError:
        pass
    return f"{path} (not found: {needle!r})"


# ---- the data -----------------------------------------------------------------------------------


def collect_static() -> str:
    try:
        call_command("collectstatic", interactive=False, verbosity=0, stderr=io.StringIO())
        return ""
    except Exception as error:  # the same work-around as board_bench.py
        first = str(error).strip().splitlines()[0]
    with override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "static_storage.NoSourceMapStorage"},
        }
    ):
        call_command("collectstatic", interactive=False, verbosity=0, clear=True)
    return f"collectstatic failed ({first}); collected without source maps"


@dataclass
class Data:
    acme: object
    nw: object
    board: object  # the 5,000-card board in Acme
    persona_board: object  # Acme's "Marketing" board (Ready, Writing, Review, Live, Done)
    web_acme: Client
    web_nw: Client
    api_acme: Client
    api_nw: Client
    acme_token: str
    nw_token: str
    metric_key: str
    metric_id: int
    experiment_id: int
    variants: list
    stream_id: int
    step_id: int
    step_stage: str
    improvement_id: int
    idea_ids: list
    columns: list
    currency: str
    live_column: int
    nw_columns: list
    metric_keys: list


def build() -> Data:
    from board_data import build_board, extra_members

    from leanmark.accounts.services import create_token
    from leanmark.backlog import services as backlog
    from leanmark.backlog.models import Idea
    from leanmark.board.models import Column
    from leanmark.dashboard.models import Metric
    from leanmark.demo.generator import load_demo
    from leanmark.experiments.models import Experiment
    from leanmark.flow import queries as flow_queries
    from leanmark.improvement.models import Improvement
    from leanmark.roi.queries import settings_for
    from leanmark.testing.personas import build_world
    from leanmark.valuestream.models import Step, ValueStream

    call_command("migrate", verbosity=0)
    note = collect_static()
    if note:
        print(f"  note: {note}")
    began = time.perf_counter()
    world = build_world()
    people = [world.alice, world.bob, *extra_members(world.acme)]
    big = build_board(world.acme, "Bench 5k", 5_000, people, world.alice, seed=7)
    nw = load_demo(seed=42)
    for i in range(1_000):
        backlog.capture_idea(world.acme, title=f"Bench idea {i}", actor=world.alice)
    print(f"  data built in {time.perf_counter() - began:.0f} s")
    nw_owner = nw.memberships.get(role="owner").user
    web_acme, web_nw = Client(), Client()
    web_acme.force_login(world.alice)
    web_nw.force_login(nw_owner)
    acme_token = create_token(world.alice, "bench").secret
    nw_token = create_token(nw_owner, "bench").secret
    metric = Metric.objects.filter(workspace=nw).order_by("pk").first()
    experiment = (
        Experiment.objects.filter(workspace=nw, state="running").order_by("pk").first()
        or Experiment.objects.filter(workspace=nw).order_by("pk").first()
    )
    stream = ValueStream.objects.filter(workspace=nw).order_by("pk").first()
    step = Step.objects.filter(stream=stream).order_by("pk").first()
    improvement = Improvement.objects.filter(workspace=nw).order_by("pk").first()
    for board in (big.board, world.board):  # children inherit a warm flow cache
        flow_queries.flow_data(board)
    return Data(
        acme=world.acme,
        nw=nw,
        board=big.board,
        persona_board=world.board,
        web_acme=web_acme,
        web_nw=web_nw,
        api_acme=Client(HTTP_AUTHORIZATION=f"Bearer {acme_token}"),
        api_nw=Client(HTTP_AUTHORIZATION=f"Bearer {nw_token}"),
        acme_token=acme_token,
        nw_token=nw_token,
        metric_key=metric.key,
        metric_id=metric.pk,
        experiment_id=experiment.pk,
        variants=[v.name for v in experiment.variants.order_by("position", "pk")]
        if hasattr(experiment.variants.model, "position")
        else [v.name for v in experiment.variants.order_by("pk")],
        stream_id=stream.pk,
        step_id=step.pk,
        step_stage=step.stage,
        improvement_id=improvement.pk,
        idea_ids=list(Idea.objects.filter(workspace=world.acme).values_list("pk", flat=True)),
        columns=[c.name for c in world.board.columns.order_by("position")],
        currency=settings_for(nw).currency,
        live_column=big.board.columns.get(name="Live").pk,
        nw_columns=list(Column.objects.filter(board__workspace=nw).values_list("pk", flat=True)),
        metric_keys=list(
            Metric.objects.filter(workspace=nw).order_by("pk").values_list("key", flat=True)[:10]
        ),
    )


# ---- one measurement ---------------------------------------------------------------------------


@dataclass
class Case:
    surface: str  # API, web, CLI
    what: str  # the operation
    param: str  # the parameter and the value sent
    cap: str  # the cap, or NONE
    at: str  # where it is enforced
    run: Callable[["Data"], tuple[int | str, str]]  # → (status, note)
    timeout: float | None = None  # a capped import gets longer than TIMEOUT


class Rollback(Exception):
    pass


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def answer(response) -> tuple[int, str]:
    content = body(response)
    note = f"{len(content):,} B"
    if response.status_code >= 400:
        text = content[:400].decode("utf-8", "replace")
        found = re.search(r'"message":\s*"([^"]{0,110})', text)
        note = found.group(1) if found else re.sub(r"\s+", " ", text)[:110]
    return response.status_code, note


def get(client: Client, url: str, **params) -> tuple[int, str]:
    return answer(client.get(url, params))


def post_json(client: Client, url: str, payload, method: str = "post") -> tuple[int, str]:
    data = json.dumps(payload)
    return answer(getattr(client, method)(url, data=data, content_type="application/json"))


def cli(*args: str) -> tuple[int | str, str]:
    from typer.testing import CliRunner

    from leanmark.cli import app

    result = CliRunner().invoke(app, list(args))
    out = (result.output or "").strip().replace("\n", " ")
    if result.exception and not isinstance(result.exception, SystemExit):
        return "exc", f"{type(result.exception).__name__}: {result.exception}"[:110]
    return f"exit {result.exit_code}", (out[:100] if result.exit_code else f"{len(out):,} chars")


def child(case: Case, data: Data, write: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    result: dict[str, object]
    try:
        began = time.perf_counter()
        with transaction.atomic():
            try:
                status, note = case.run(data)
            except Exception as error:  # the test client re-raises a view's exception
                status, note = 500, f"{type(error).__name__}: {str(error)[:90]}"
            seconds = time.perf_counter() - began
            raise Rollback
    except Rollback:
        result = {"status": status, "note": note, "seconds": seconds}
    except BaseException as error:
        result = {"status": "crash", "note": f"{type(error).__name__}: {error}"[:120], "seconds": 0}
        traceback.print_exc()
    os.write(write, json.dumps(result).encode())
    os._exit(0)


def measure(case: Case, data: Data, timeout: float) -> dict[str, object]:
    connections.close_all()  # the child opens its own connection
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        child(case, data, write)
    os.close(write)
    began = time.perf_counter()
    chunks = []
    while True:
        left = timeout - (time.perf_counter() - began)
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(read)
            return {"status": "TIMEOUT", "note": f"killed after {timeout:.0f} s", "seconds": None}
        ready, _, _ = select.select([read], [], [], left)
        if ready:
            chunk = os.read(read, 65536)
            if not chunk:
                break
            chunks.append(chunk)
    os.close(read)
    _, code = os.waitpid(pid, 0)
    if not chunks:
        return {"status": "died", "note": f"child ended with {code}", "seconds": None}
    return json.loads(b"".join(chunks))


# ---- the cases ----------------------------------------------------------------------------------


def board_today(board) -> date:
    from leanmark.flow.queries import time_zone

    return timezone.now().astimezone(time_zone(board)).date()


def ws_today(workspace) -> date:
    from leanmark.dashboard.queries import today

    return today(workspace, timezone.now())


def cases(d: Data) -> list[Case]:
    from leanmark.domain.forecast import MAX_AHEAD_DAYS, MAX_DRAWS, MAX_ITEMS, MAX_PERIODS
    from leanmark.flow.queries import MAX_RANGE_DAYS

    bid = d.board.pk
    acme, nw = d.acme.slug, d.nw.slug
    today = board_today(d.board)
    nw_today = ws_today(d.nw)
    flow_from = (today - timedelta(days=MAX_RANGE_DAYS - 1)).isoformat()
    until_max = (today + timedelta(days=MAX_AHEAD_DAYS)).isoformat()
    until_over = (today + timedelta(days=MAX_AHEAD_DAYS + 1)).isoformat()
    window_max = (today - timedelta(days=MAX_RANGE_DAYS)).isoformat()  # 1,830 days to yesterday
    trials_day = MAX_DRAWS // MAX_AHEAD_DAYS  # 10,952
    trials_week = MAX_DRAWS // (MAX_AHEAD_DAYS // 7)
    trials_when = MAX_DRAWS // MAX_PERIODS  # 38,461
    dash_from = (nw_today - timedelta(days=366 * 20)).isoformat()
    fq = "leanmark/flow/queries.py"
    fc = "leanmark/domain/forecast.py"
    range_cap = where(fq, "def check_range")
    ahead_cap = where(fq, "furthest = today")
    draws_cap = where(fc, "def check_draws")
    items_cap = where(fc, "if items > MAX_ITEMS")
    window_cap = where(fq, "the history window covers at most")
    fw = f"/w/{acme}/flow/boards/{bid}"
    out: list[Case] = []

    def add(surface, what, param, cap, at, run, timeout=None):
        out.append(Case(surface, what, param, cap, at, run, timeout))

    # -- board ------------------------------------------------------------------------------
    add(
        "API",
        "GET /boards/{id}/cards",
        "limit=200",
        "200",
        where("leanmark/board/api.py", "le=200"),
        lambda d: get(d.api_acme, f"{API}/boards/{bid}/cards", limit=200),
    )
    add(
        "API",
        "GET /boards/{id}/cards",
        "limit=201 (over)",
        "200",
        "ninja Query le",
        lambda d: get(d.api_acme, f"{API}/boards/{bid}/cards", limit=201),
    )
    add(
        "API",
        "GET /boards/{id}/events",
        "limit=5000",
        "5000",
        where("leanmark/board/api.py", "le=5000"),
        lambda d: get(d.api_acme, f"{API}/boards/{bid}/events", limit=5000),
    )
    add(
        "web",
        "board page /w/…/boards/{id}/",
        "done=5000",
        "5000",
        where("leanmark/board/views.py", "min(int(shown), 5000)"),
        lambda d: get(d.web_acme, f"/w/{acme}/boards/{bid}/", done=5000),
    )
    add(
        "CLI",
        "leanmark card list",
        "--limit 5000",
        "5000 (clamped)",
        where("leanmark/cli.py", "min(limit, 5000)"),
        lambda d: cli(
            "card", "list", "--workspace", acme, "--board", str(bid), "--limit", "5000", "--json"
        ),
    )
    tags = [f"t{i}" for i in range(20_000)]
    add(
        "API",
        "POST /boards/{id}/cards",
        "tags: 20,000 distinct",
        "NONE (20 checked after an O(n²) loop)",
        where("leanmark/board/services.py", "if word not in cleaned"),
        lambda d: post_json(
            d.api_acme,
            f"{API}/boards/{bid}/cards",
            {"title": "x", "column_id": d.live_column, "tags": tags},
        ),
    )
    tags_big = [f"t{i}" for i in range(200_000)]
    add(
        "API",
        "POST /boards/{id}/cards",
        "tags: 200,000 distinct (1.9 MB)",
        "NONE",
        where("leanmark/board/services.py", "if word not in cleaned"),
        lambda d: post_json(
            d.api_acme,
            f"{API}/boards/{bid}/cards",
            {"title": "x", "column_id": d.live_column, "tags": tags_big},
        ),
    )
    add(
        "API",
        "POST /ideas",
        "tags: 20,000 distinct",
        "NONE",
        where("leanmark/backlog/services.py", '"tags": clean_tags'),
        lambda d: post_json(
            d.api_acme, f"{API}/ideas", {"workspace": acme, "title": "x", "tags": tags}
        ),
    )
    add(
        "API",
        "POST /ideas",
        "tags: 200,000 distinct",
        "NONE",
        where("leanmark/backlog/services.py", '"tags": clean_tags'),
        lambda d: post_json(
            d.api_acme, f"{API}/ideas", {"workspace": acme, "title": "x", "tags": tags_big}
        ),
    )
    ids_40k = list(range(1, 40_001))
    add(
        "API",
        "POST /boards/{id}/cards",
        "assignees: 40,000 ids",
        "NONE (body 10 MB)",
        where("leanmark/board/services.py", "pk__in=ids, memberships__workspace"),
        lambda d: post_json(
            d.api_acme,
            f"{API}/boards/{bid}/cards",
            {"title": "x", "column_id": d.live_column, "assignees": ids_40k},
        ),
    )
    ids_1m = list(range(1, 1_000_001))
    add(
        "API",
        "POST /boards/{id}/cards",
        "assignees: 1,000,000 ids (6.9 MB)",
        "NONE",
        where("leanmark/board/services.py", "pk__in=ids, memberships__workspace"),
        lambda d: post_json(
            d.api_acme,
            f"{API}/boards/{bid}/cards",
            {"title": "x", "column_id": d.live_column, "assignees": ids_1m},
        ),
    )

    # -- flow report ------------------------------------------------------------------------
    add(
        "API",
        "GET /boards/{id}/flow",
        f"from..to = {MAX_RANGE_DAYS} days",
        f"{MAX_RANGE_DAYS} d",
        range_cap,
        lambda d: get(d.api_acme, f"{API}/boards/{bid}/flow", **{"from": flow_from, "to": today}),
    )
    add(
        "API",
        "GET /boards/{id}/flow",
        "from=0001-01-01 (over)",
        f"{MAX_RANGE_DAYS} d",
        range_cap,
        lambda d: get(d.api_acme, f"{API}/boards/{bid}/flow", **{"from": "0001-01-01"}),
    )
    add(
        "API",
        "GET /boards/{id}/flow",
        "from=0001-01-01&to=0001-12-31",
        f"{MAX_RANGE_DAYS} d",
        range_cap,
        lambda d: get(
            d.api_acme, f"{API}/boards/{bid}/flow", **{"from": "0001-01-01", "to": "0001-12-31"}
        ),
    )
    add(
        "web",
        "flow page",
        f"from..to = {MAX_RANGE_DAYS} days",
        f"{MAX_RANGE_DAYS} d",
        range_cap,
        lambda d: get(d.web_acme, f"{fw}/", **{"from": flow_from, "to": today}),
    )
    for chart in ("cfd", "cycle-times"):
        add(
            "web",
            f"flow {chart}.csv",
            f"from..to = {MAX_RANGE_DAYS} days",
            f"{MAX_RANGE_DAYS} d",
            range_cap,
            lambda d, c=chart: get(d.web_acme, f"{fw}/{c}.csv", **{"from": flow_from, "to": today}),
        )
    add(
        "web",
        "events.csv (whole log)",
        "none (the board's log)",
        "NONE (streamed)",
        where("leanmark/flow/exports.py", "def event_rows"),
        lambda d: get(d.web_acme, f"{fw}/events.csv"),
    )
    add(
        "CLI",
        "leanmark flow report",
        f"--from..--to {MAX_RANGE_DAYS} d",
        f"{MAX_RANGE_DAYS} d",
        range_cap,
        lambda d: cli(
            "flow",
            "report",
            "--workspace",
            acme,
            "--board",
            str(bid),
            "--from",
            flow_from,
            "--to",
            today.isoformat(),
            "--json",
        ),
    )
    add(
        "CLI",
        "leanmark export events",
        "none (the board's log)",
        "NONE",
        where("leanmark/flow/cli.py", "def export_events"),
        lambda d: cli(
            "export",
            "events",
            "--workspace",
            acme,
            "--board",
            str(bid),
            "--output",
            os.path.join(os.environ["LEANMARK_DATA_DIR"], "events.csv"),
        ),
    )

    # -- forecasts --------------------------------------------------------------------------
    hm, wh = f"{API}/boards/{bid}/forecast/how-many", f"{API}/boards/{bid}/forecast/when"
    add(
        "API",
        "forecast how-many",
        f"until=+{MAX_AHEAD_DAYS} d, trials 10,000",
        f"{MAX_AHEAD_DAYS} d",
        ahead_cap,
        lambda d: get(d.api_acme, hm, until=until_max),
    )
    add(
        "API",
        "forecast how-many",
        f"until=+{MAX_AHEAD_DAYS} d, trials={trials_day:,}",
        "20,000,000 draws",
        draws_cap,
        lambda d: get(d.api_acme, hm, until=until_max, trials=trials_day),
    )
    add(
        "API",
        "forecast how-many",
        f"period=week, trials={trials_week:,}",
        "20,000,000 draws",
        draws_cap,
        lambda d: get(d.api_acme, hm, until=until_max, period="week", trials=trials_week),
    )
    add(
        "API",
        "forecast how-many",
        f"window {MAX_RANGE_DAYS} d",
        f"{MAX_RANGE_DAYS} d",
        window_cap,
        lambda d: get(d.api_acme, hm, until=until_max, window_from=window_max),
    )
    add(
        "API",
        "forecast how-many",
        f"until=+{MAX_AHEAD_DAYS + 1} d (over)",
        f"{MAX_AHEAD_DAYS} d",
        ahead_cap,
        lambda d: get(d.api_acme, hm, until=until_over),
    )
    add(
        "API",
        "forecast how-many",
        "trials=1,000,001 (over)",
        "1,000,000",
        where(fc, "def check_trials"),
        lambda d: get(d.api_acme, hm, until=until_max, trials=1_000_001),
    )
    add(
        "API",
        "forecast when",
        f"items={MAX_ITEMS:,}, trials 10,000",
        f"{MAX_ITEMS:,}",
        items_cap,
        lambda d: get(d.api_acme, wh, items=MAX_ITEMS),
    )
    add(
        "API",
        "forecast when",
        f"items={MAX_ITEMS:,}, trials={trials_when:,}",
        "20,000,000 draws",
        draws_cap,
        lambda d: get(d.api_acme, wh, items=MAX_ITEMS, trials=trials_when),
    )
    add(
        "API",
        "forecast when",
        f"items={MAX_ITEMS + 1:,} (over)",
        f"{MAX_ITEMS:,}",
        items_cap,
        lambda d: get(d.api_acme, wh, items=MAX_ITEMS + 1),
    )
    add(
        "web",
        "forecast page how-many",
        f"until=+{MAX_AHEAD_DAYS} d, trials={trials_day:,}",
        "20,000,000 draws",
        draws_cap,
        lambda d: get(
            d.web_acme, f"{fw}/forecast", mode="how_many", until=until_max, trials=trials_day
        ),
    )
    add(
        "web",
        "forecast page when",
        f"items={MAX_ITEMS:,}, trials={trials_when:,}",
        "20,000,000 draws",
        draws_cap,
        lambda d: get(
            d.web_acme, f"{fw}/forecast", mode="when", items=MAX_ITEMS, trials=trials_when
        ),
    )
    add(
        "web",
        "forecast CSV when",
        f"items={MAX_ITEMS:,}, trials={trials_when:,}",
        "20,000,000 draws",
        draws_cap,
        lambda d: get(
            d.web_acme,
            f"{fw}/forecast",
            mode="when",
            items=MAX_ITEMS,
            trials=trials_when,
            format="csv",
        ),
    )
    add(
        "web",
        "forecast page",
        f"until=+{MAX_AHEAD_DAYS + 1} d (over)",
        f"{MAX_AHEAD_DAYS} d",
        ahead_cap,
        lambda d: get(d.web_acme, f"{fw}/forecast", mode="how_many", until=until_over),
    )
    add(
        "web",
        "forecast page",
        "items=10**9 (over)",
        f"{MAX_ITEMS:,}",
        items_cap,
        lambda d: get(d.web_acme, f"{fw}/forecast", mode="when", items=10**9),
    )
    add(
        "CLI",
        "leanmark forecast how-many",
        f"--until +{MAX_AHEAD_DAYS} d --trials {trials_day}",
        "20,000,000 draws",
        draws_cap,
        lambda d: cli(
            "forecast",
            "how-many",
            "--workspace",
            acme,
            "--board",
            str(bid),
            "--until",
            until_max,
            "--trials",
            str(trials_day),
            "--json",
        ),
    )
    add(
        "CLI",
        "leanmark forecast when",
        f"--items {MAX_ITEMS} --trials {trials_when}",
        "20,000,000 draws",
        draws_cap,
        lambda d: cli(
            "forecast",
            "when",
            "--workspace",
            acme,
            "--board",
            str(bid),
            "--items",
            str(MAX_ITEMS),
            "--trials",
            str(trials_when),
            "--json",
        ),
    )
    add(
        "CLI",
        "leanmark forecast how-many",
        f"--until +{MAX_AHEAD_DAYS + 1} d (over)",
        f"{MAX_AHEAD_DAYS} d",
        ahead_cap,
        lambda d: cli(
            "forecast", "how-many", "--workspace", acme, "--board", str(bid), "--until", until_over
        ),
    )
    add(
        "CLI",
        "leanmark forecast when",
        "--items 10001 (over)",
        f"{MAX_ITEMS:,}",
        items_cap,
        lambda d: cli(
            "forecast", "when", "--workspace", acme, "--board", str(bid), "--items", "10001"
        ),
    )

    # -- card-history import ----------------------------------------------------------------
    header = "id,title," + ",".join(d.columns)
    day = [(date(2025, 1, 1) + timedelta(days=k)).isoformat() for k in range(len(d.columns))]
    history = "\n".join([header] + [f"h{i},Card {i}," + ",".join(day) for i in range(100_000)])
    pb = d.persona_board.pk
    add(
        "web",
        "card-history import (upload)",
        f"100,000 rows ({len(history) / 1e6:.1f} MB)",
        "100,000 rows / 20 MB",
        where("leanmark/flow/services.py", "MAX_ROWS = "),
        lambda d: answer(
            d.web_acme.post(
                f"/w/{acme}/flow/boards/{pb}/import",
                {"file": SimpleUploadedFile("h.csv", history.encode(), "text/csv")},
            )
        ),
        timeout=300,
    )

    # -- Trello import (owner) ---------------------------------------------------------------
    def trello(n: int) -> bytes:
        lists = [
            {"id": f"l{k}", "name": name, "closed": False, "pos": k}
            for k, name in enumerate(("To do", "Doing", "Done"))
        ]
        cards = [
            {
                "id": f"{0x60000000 + i:08x}{i:016x}",
                "name": f"Trello card {i}",
                "idList": f"l{i % 3}",
                "closed": False,
                "pos": i,
                "desc": "",
                "dateLastActivity": "2026-01-01T00:00:00.000Z",
                "idLabels": [],
                "idMembers": [],
            }
            for i in range(n)
        ]
        return json.dumps(
            {
                "name": "Bench",
                "lists": lists,
                "cards": cards,
                "actions": [],
                "members": [],
                "labels": [],
            }
        ).encode()

    for n, limit in ((20_000, None), (230_000, 300)):
        export = trello(n)
        add(
            "web",
            "Trello import (upload)",
            f"{n:,} cards ({len(export) / 1e6:.0f} MB)",
            "50 MB (no card count)",
            where("leanmark/integrations/trello.py", "MAX_BYTES = "),
            lambda d, e=export: answer(
                d.web_acme.post(
                    f"/w/{acme}/import/trello",
                    {"file": SimpleUploadedFile("t.json", e, "application/json")},
                )
            ),
            timeout=limit,
        )

    # -- ideas ------------------------------------------------------------------------------
    add(
        "API",
        "GET /ideas",
        "limit=1000",
        "1000",
        where("leanmark/backlog/api.py", "le=1000"),
        lambda d: get(d.api_acme, f"{API}/ideas", workspace=acme, limit=1000, status="all"),
    )
    add(
        "API",
        "GET /ideas",
        "on=9999-12-31",
        "NONE (any date)",
        where("leanmark/backlog/api.py", "on: Day | None"),
        lambda d: get(d.api_nw, f"{API}/ideas", workspace=nw, on="9999-12-31", rank="cd3"),
    )
    add(
        "API",
        "POST /ideas/triage",
        "ids: 500",
        "500",
        where("leanmark/backlog/schemas.py", "max_length=500"),
        lambda d: post_json(
            d.api_acme,
            f"{API}/ideas/triage",
            {"workspace": acme, "ids": d.idea_ids[:500], "status": "parked", "reason": "bench"},
        ),
    )
    add(
        "web",
        "ideas bulk (form)",
        "ids: 990 fields",
        "1000 fields (Django)",
        "settings DATA_UPLOAD_MAX_NUMBER_FIELDS (default)",
        lambda d: answer(
            d.web_acme.post(
                f"/w/{acme}/ideas/bulk",
                {"ids": d.idea_ids[:990], "status": "parked", "reason": "bench"},
            )
        ),
    )
    ideas_csv = "title,tags\n" + "\n".join(f"Imported idea {i},a;b" for i in range(10_000))
    add(
        "web",
        "ideas CSV import",
        "10,000 rows",
        "10,000 rows / 5 MB",
        where("leanmark/backlog/services.py", "CSV_MAX_ROWS = "),
        lambda d: answer(
            d.web_acme.post(
                f"/w/{acme}/ideas/import/upload",
                {"file": SimpleUploadedFile("i.csv", ideas_csv.encode(), "text/csv")},
            )
        ),
    )

    # -- dashboard --------------------------------------------------------------------------
    mid, key = d.metric_id, d.metric_key
    dcap = where("leanmark/dashboard/api.py", "MAX_RANGE_DAYS = ")
    add(
        "API",
        "GET /metrics/{id}/measurements",
        "from..to 20 years",
        "7,320 d; 10,000 rows",
        dcap,
        lambda d: get(d.api_nw, f"{API}/metrics/{mid}/measurements", **{"from": dash_from}),
    )
    add(
        "API",
        "GET /metrics/{id}/rollup",
        "period=day, 20 years",
        "7,320 d (any period)",
        dcap,
        lambda d: get(d.api_nw, f"{API}/metrics/{mid}/rollup", period="day", **{"from": dash_from}),
    )
    for builtin in ("flow-throughput", "flow-wip", "flow-cycle-time"):
        add(
            "API",
            f"GET /workspaces/{{slug}}/series/{builtin}",
            "period=day, 20 years (Acme)",
            "7,320 d (flow's 1,830 not applied)",
            dcap,
            lambda d, k=builtin: get(
                d.api_acme,
                f"{API}/workspaces/{acme}/series/{k}",
                period="day",
                **{"from": (board_today(d.board) - timedelta(days=366 * 20)).isoformat()},
            ),
        )
    add(
        "API",
        "GET /workspaces/{slug}/funnel",
        "period=day, 20 years",
        "7,320 d",
        dcap,
        lambda d: get(
            d.api_nw, f"{API}/workspaces/{nw}/funnel", period="day", **{"from": dash_from}
        ),
    )
    add(
        "API",
        "GET /metrics/{id}/rollup",
        "from=0001-01-01&to=0001-01-10",
        "7,320 d",
        dcap,
        lambda d: get(
            d.api_nw,
            f"{API}/metrics/{mid}/rollup",
            period="year",
            **{"from": "0001-01-01", "to": "0001-01-10"},
        ),
    )
    measurements = [
        {
            "metric": key,
            "date": (date(2010, 1, 1) + timedelta(days=i // 10)).isoformat(),
            "value": float(i % 97),
            "channel": f"ch{i % 10}",
        }
        for i in range(50_000)
    ]
    add(
        "API",
        "POST /measurements",
        "50,000 items",
        "50,000 items",
        where("leanmark/dashboard/schemas.py", "max_length=50_000"),
        lambda d: post_json(
            d.api_nw, f"{API}/measurements", {"workspace": nw, "measurements": measurements}
        ),
    )
    add(
        "web",
        "dashboard page",
        "period=day&as_of=0001-01-01",
        "NONE (≤ today only)",
        where("leanmark/dashboard/views.py", "def _as_of"),
        lambda d: get(d.web_nw, f"/w/{nw}/dashboard/", period="day", as_of="0001-01-01"),
    )
    add(
        "web",
        "metric page (built-in flow)",
        "period=year&from=0001-01-01",
        "60×366 d (clamped)",
        where("leanmark/dashboard/views.py", "Period.YEAR: 60 * 366"),
        lambda d: get(
            d.web_acme,
            f"/w/{acme}/dashboard/metrics/flow-throughput/",
            period="year",
            **{"from": "0001-01-01"},
        ),
    )
    add(
        "web",
        "metric page (typed)",
        "period=year&from=0001-01-01",
        "60×366 d (clamped)",
        where("leanmark/dashboard/views.py", "Period.YEAR: 60 * 366"),
        lambda d: get(
            d.web_nw, f"/w/{nw}/dashboard/metrics/{key}/", period="year", **{"from": "0001-01-01"}
        ),
    )
    add(
        "web",
        "entry grid",
        "end=0001-01-01",
        "14 days",
        where("leanmark/dashboard/views.py", "GRID_DAYS = "),
        lambda d: get(d.web_nw, f"/w/{nw}/dashboard/grid/", end="0001-01-01"),
    )
    keys = d.metric_keys
    wide_days = 200_000 // len(keys)
    long_csv = (
        "date,"
        + ",".join(keys)
        + "\n"
        + "\n".join(
            (date(1500, 1, 1) + timedelta(days=k)).isoformat()
            + ","
            + ",".join(str((k + j) % 97) for j in range(len(keys)))
            for k in range(wide_days)
        )
    )
    add(
        "web",
        "metrics CSV import (wide)",
        f"{wide_days * len(keys):,} values ({len(long_csv) / 1e6:.1f} MB)",
        "5 MB / 200,000 rows",
        where("leanmark/dashboard/csvimport.py", "MAX_BYTES = "),
        lambda d: answer(
            d.web_nw.post(
                f"/w/{nw}/dashboard/import/",
                {
                    "file": SimpleUploadedFile("m.csv", long_csv.encode(), "text/csv"),
                    "action": "import",
                },
            )
        ),
        timeout=300,
    )
    add(
        "CLI",
        "leanmark metrics rollup",
        "--period day --from 1000-01-01 (typed)",
        "NONE",
        where("leanmark/dashboard/cli.py", "rows = queries.rollup_report"),
        lambda d: cli(
            "metrics",
            "rollup",
            key,
            "--workspace",
            nw,
            "--period",
            "day",
            "--from",
            "1000-01-01",
            "--json",
        ),
    )
    add(
        "CLI",
        "leanmark metrics rollup",
        "--period day, 20 years, flow-throughput",
        "NONE",
        where("leanmark/dashboard/cli.py", "rows = queries.rollup_report"),
        lambda d: cli(
            "metrics",
            "rollup",
            "flow-throughput",
            "--workspace",
            acme,
            "--period",
            "day",
            "--from",
            (today - timedelta(days=366 * 20)).isoformat(),
            "--json",
        ),
    )
    add(
        "CLI",
        "leanmark metrics rollup",
        "--period day --from 0001-01-01 (typed)",
        "NONE",
        where("leanmark/dashboard/cli.py", "rows = queries.rollup_report"),
        lambda d: cli(
            "metrics",
            "rollup",
            key,
            "--workspace",
            nw,
            "--period",
            "day",
            "--from",
            "0001-01-01",
            "--json",
        ),
    )
    add(
        "CLI",
        "leanmark metrics rollup",
        "--period day --from 1900-01-01 flow-throughput",
        "NONE",
        where("leanmark/dashboard/cli.py", "rows = queries.rollup_report"),
        lambda d: cli(
            "metrics",
            "rollup",
            "flow-throughput",
            "--workspace",
            acme,
            "--period",
            "day",
            "--from",
            "1900-01-01",
            "--json",
        ),
    )

    # -- ROI --------------------------------------------------------------------------------
    add(
        "API",
        "GET /workspaces/{slug}/spend",
        "limit=1000",
        "1000",
        where("leanmark/roi/api.py", "le=1000),"),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/spend", limit=1000),
    )
    add(
        "API",
        "GET /workspaces/{slug}/spend",
        "offset=10,000,000",
        "10,000,000",
        where("leanmark/roi/api.py", "le=10_000_000"),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/spend", limit=1000, offset=10_000_000),
    )
    add(
        "API",
        "GET /workspaces/{slug}/time-logs",
        "limit=1000",
        "1000",
        where("leanmark/roi/api.py", "card_id: int | None"),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/time-logs", limit=1000),
    )
    add(
        "web",
        "spend page",
        "page=9999",
        "page < 10,000",
        where("leanmark/roi/views.py", "0 < int(page) < 10_000"),
        lambda d: get(d.web_nw, f"/w/{nw}/roi/spend/", page=9999),
    )
    for period in ("last-12-months", "1000-01-01..9998-12-31", "1000-01-01..9999-12-31"):
        add(
            "API",
            "GET /workspaces/{slug}/roi",
            f"period={period}",
            "NONE",
            where("leanmark/domain/roi.py", "def parse_period"),
            lambda d, p=period: get(d.api_nw, f"{API}/workspaces/{nw}/roi", period=p),
        )
    add(
        "web",
        "ROI page",
        "period=1000-01-01..9998-12-31",
        "NONE",
        where("leanmark/roi/views.py", "def _period"),
        lambda d: get(d.web_nw, f"/w/{nw}/roi/", period="1000-01-01..9998-12-31"),
    )
    add(
        "web",
        "ROI page",
        "period=1000-01-01..9999-12-31",
        "NONE",
        where("leanmark/roi/views.py", "def _period"),
        lambda d: get(d.web_nw, f"/w/{nw}/roi/", period="1000-01-01..9999-12-31"),
    )
    add(
        "CLI",
        "leanmark roi report",
        "--period 1000-01-01..9998-12-31",
        "NONE",
        where("leanmark/roi/cli.py", '@roi_app.command("report")'),
        lambda d: cli("roi", "report", "--workspace", nw, "--period", "1000-01-01..9998-12-31"),
    )
    add(
        "CLI",
        "leanmark roi report",
        "--period 1000-01-01..9999-12-31",
        "NONE",
        where("leanmark/roi/cli.py", '@roi_app.command("report")'),
        lambda d: cli("roi", "report", "--workspace", nw, "--period", "1000-01-01..9999-12-31"),
    )
    for n in (20, 100, 200, 500, 1_000):
        curves = {f"bench{i}": {"a": 1000.0 + i, "b": 500.0 + 3 * i} for i in range(n)}
        add(
            "API",
            "POST /allocation",
            f"curves: {n:,} channels",
            "NONE (body 10 MB)",
            where("leanmark/roi/schemas.py", "curves: dict[str, CurveIn]"),
            lambda d, c=curves: post_json(
                d.api_nw, f"{API}/allocation", {"workspace": nw, "budget": 100_000.0, "curves": c}
            ),
        )
    spend_csv = "date,amount,currency,channel,stage,campaign\n" + "\n".join(
        f"{(date(2015, 1, 1) + timedelta(days=i // 10)).isoformat()},{10 + i % 90}.50,"
        f"{d.currency},bench{i % 10},know,c{i}"
        for i in range(50_000)
    )
    add(
        "API",
        "POST /workspaces/{slug}/spend/import",
        f"50,000 rows ({len(spend_csv) / 1e6:.1f} MB)",
        "50,000 rows / 5,000,000 chars",
        where("leanmark/roi/services.py", "CSV_MAX_ROWS = "),
        lambda d: post_json(d.api_nw, f"{API}/workspaces/{nw}/spend/import", {"csv": spend_csv}),
    )
    add(
        "web",
        "spend CSV import",
        "50,000 rows",
        "50,000 rows / 5 MB",
        where("leanmark/roi/views.py", "UPLOAD_MAX = "),
        lambda d: answer(
            d.web_nw.post(
                f"/w/{nw}/roi/spend/import",
                {"file": SimpleUploadedFile("s.csv", spend_csv.encode(), "text/csv")},
            )
        ),
    )
    add(
        "CLI",
        "leanmark spend list",
        "--limit 1000000",
        "NONE",
        where("leanmark/roi/cli.py", "limit: Annotated[int"),
        lambda d: cli("spend", "list", "--workspace", nw, "--limit", "1000000"),
    )

    # -- experiments ------------------------------------------------------------------------
    eid = d.experiment_id
    first = nw_today - timedelta(days=9_999)
    obs = [
        {
            "variant": name,
            "date": (first + timedelta(days=k)).isoformat(),
            "trials": 10 * (k + 1),
            "successes": k + 1,
        }
        for k in range(10_000)
        for name in d.variants[:2]
    ]
    add(
        "API",
        "POST /experiments/{id}/observations",
        f"rows: {len(obs):,}",
        "20,000 rows",
        where("leanmark/experiments/schemas.py", "max_length=20_000"),
        lambda d: post_json(d.api_nw, f"{API}/experiments/{eid}/observations", {"rows": obs}),
        timeout=300,
    )
    obs_csv = "date,variant,trials,successes\n" + "\n".join(
        f"{o['date']},{o['variant']},{o['trials']},{o['successes']}" for o in obs
    )
    add(
        "web",
        "experiment CSV import",
        f"{len(obs):,} rows",
        "20,000 rows / 2 MB",
        where("leanmark/experiments/services.py", "IMPORT_MAX_ROWS = "),
        lambda d: answer(
            d.web_nw.post(
                f"/w/{nw}/experiments/{eid}/import",
                {"file": SimpleUploadedFile("o.csv", obs_csv.encode(), "text/csv")},
            )
        ),
        timeout=300,
    )

    def big_counts(d):
        rows = [
            {
                "variant": v,
                "date": nw_today.isoformat(),
                "trials": 2_000_000_000,
                "successes": 1_000_000_000 + 7 * i,
            }
            for i, v in enumerate(d.variants[:2])
        ]
        status, note = post_json(d.api_nw, f"{API}/experiments/{eid}/observations", {"rows": rows})
        if status != 200:
            return status, f"push refused: {note}"
        began = time.perf_counter()
        status, note = get(d.api_nw, f"{API}/experiments/{eid}/analysis")
        return status, f"{note}; analysis alone {time.perf_counter() - began:.2f} s"

    add(
        "API",
        "GET /experiments/{id}/analysis",
        "counts 2,000,000,000",
        "2e9 per count",
        where("leanmark/experiments/schemas.py", "le=2_000_000_000"),
        big_counts,
    )
    add(
        "API",
        "GET /experiment-plan",
        "sequential, baseline 0.5, mde 0.00257",
        "2,000,000 conversions",
        where("leanmark/domain/stats.py", "SEQUENTIAL_MAX_N = "),
        lambda d: get(
            d.api_nw, f"{API}/experiment-plan", baseline=0.5, mde=0.00257, sequential="true"
        ),
    )
    words = " ".join(["zzqx"] * 25)[:100]
    add(
        "API",
        "GET /workspaces/{slug}/learnings",
        "q: 100 chars, 10 words",
        "100 chars, 10 words",
        where("leanmark/experiments/queries.py", "q.split()[:10]"),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/learnings", q=words),
    )
    add(
        "API",
        "GET /workspaces/{slug}/experiments",
        "q: 100 chars",
        "100 chars; 500 rows",
        where("leanmark/experiments/queries.py", 'q=data.get("q", "")[:100]'),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/experiments", q=words),
    )

    # -- value streams, improvement, stand-ups ----------------------------------------------
    sid, st = d.stream_id, d.step_id
    add(
        "API",
        "GET /value-streams/{id}",
        "days=3650",
        "3650",
        where("leanmark/valuestream/api.py", "le=3650"),
        lambda d: get(d.api_nw, f"{API}/value-streams/{sid}", days=3650),
    )
    add(
        "API",
        "PUT /value-stream-steps/{id}/columns",
        "column_ids: 50",
        "50",
        where("leanmark/valuestream/schemas.py", "column_ids: list[Id]"),
        lambda d: post_json(
            d.api_nw,
            f"{API}/value-stream-steps/{st}/columns",
            {"column_ids": (d.nw_columns * 50)[:50]},
            method="put",
        ),
    )
    add(
        "API",
        "POST /value-stream-steps/{id}/move",
        "order: 1,000,000 ids (6.9 MB)",
        "NONE",
        where("leanmark/valuestream/schemas.py", "order: list[Id]"),
        lambda d: post_json(
            d.api_nw,
            f"{API}/value-stream-steps/{st}/move",
            {"stage": d.step_stage, "order": ids_1m},
        ),
    )
    add(
        "API",
        "GET /improvements/{id}/check",
        "window_days=365",
        "365",
        where("leanmark/improvement/api.py", "le=365"),
        lambda d: get(d.api_nw, f"{API}/improvements/{d.improvement_id}/check", window_days=365),
    )
    add(
        "API",
        "GET /workspaces/{slug}/impediments",
        "state=all",
        "1000 resolved (open: all)",
        where("leanmark/standups/api.py", "limit=1000"),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/impediments", state="all"),
    )
    add(
        "API",
        "GET /workspaces/{slug}/standups",
        "day=0001-01-01",
        "any date",
        where("leanmark/standups/api.py", "day: Day | None"),
        lambda d: get(d.api_nw, f"{API}/workspaces/{nw}/standups", day="0001-01-01"),
    )
    add(
        "web",
        "stand-up day page",
        "/standup/0001-01-01/",
        "any date ≤ today",
        where("leanmark/standups/views.py", '"previous": when - timedelta'),
        lambda d: get(d.web_nw, f"/w/{nw}/standup/0001-01-01/"),
    )
    return out


# ---- the table ----------------------------------------------------------------------------------


def main() -> None:
    global TIMEOUT
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="run the rows whose text holds this")
    parser.add_argument("--timeout", type=float, default=TIMEOUT)
    args = parser.parse_args()
    TIMEOUT = args.timeout
    # The test client closes "old" connections at each request's start and end, which would end
    # the child's rolled-back transaction: a TestCase disconnects them too.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"Work-driving parameters at their caps (load average {load}); SQLite, DEBUG off, "
        f"timeout {TIMEOUT:.0f} s, one run per row. Figures only; nothing is asserted."
    )
    data = build()
    chosen = [
        c for c in cases(data) if args.only.lower() in f"{c.surface} {c.what} {c.param}".lower()
    ]
    print(
        f"\n{'surface':<4} {'operation':<42} {'parameter':<44} {'cap':<30} {'seconds':>8}  "
        f"{'answer':<9} note / where"
    )
    for case in chosen:
        found = measure(case, data, case.timeout or TIMEOUT)
        seconds = "–" if found["seconds"] is None else f"{found['seconds']:.3f}"
        print(
            f"{case.surface:<4} {case.what[:42]:<42} {case.param[:44]:<44} {case.cap[:30]:<30} "
            f"{seconds:>8}  {found['status']!s:<9} {str(found['note'])[:90]}  [{case.at}]",
            flush=True,
        )


if __name__ == "__main__":
    main()
