"""The last table of `make bench`: every performance budget of docs/product.md §13 beside its
figure on each engine, gathered from the other benchmarks' results (nothing is measured here)."""

from collections.abc import Callable

# label -> result dict, as the benchmarks wrote them ("SQLite" / "PostgreSQL")
Results = dict[str, dict | None]
ENGINES = ("SQLite", "PostgreSQL")
HEAD = ("docs/product.md §13 budget", "SQLite", "PostgreSQL", "met")


def _cell(results: Results, engine: str, figure: Callable[[dict], str]) -> str:
    result = results.get(engine)
    if result is None:
        return "not run" if engine not in results else "crashed"
    return figure(result)


def _met(results: Results, ok: Callable[[dict], bool], engines: tuple[str, ...] = ENGINES) -> str:
    measured = [results[e] for e in engines if results.get(e) is not None]
    if not measured:
        return "not measured"
    verdict = "yes" if all(ok(r) for r in measured) else "no"
    missing = [e for e in engines if results.get(e) is None]
    return verdict if not missing else f"{verdict} ({', '.join(missing)} not measured)"


def _board(size: int, key: str) -> Callable[[dict], object]:
    return lambda r: r["boards"][str(size)][key]


def budget_rows(boards: Results, flows: Results, loads: Results) -> list[tuple[str, ...]]:
    def row(
        budget: str,
        results: Results,
        figure: Callable[[dict], str],
        ok: Callable[[dict], bool],
        engines: tuple[str, ...] = ENGINES,
    ) -> tuple[str, ...]:
        cells = [_cell(results, e, figure) for e in ENGINES]  # judged on ``engines`` only
        return (budget, *cells, _met(results, ok, engines))

    def page(size: int) -> Callable[[dict], dict]:
        return lambda r: r["boards"][str(size)]["page"]

    def queries(r: dict) -> list[int]:
        return [len(b["page"]["queries"]) for b in r["boards"].values()]

    def move(r: dict) -> float:
        return max(b["api"]["timing"]["median"] for b in r["boards"].values())

    def flow_cold(r: dict) -> float:
        return max(r["cold_90"]["median"], r["cold_730"]["median"])

    def monte_carlo(r: dict) -> float:
        return max(r[k]["median"] for k in ("mc_how_many", "mc_when", "mc_how_many_weeks"))

    big = page(5000)
    return [
        row(
            "board page, 300 cards: median server time <= 60 ms",
            boards,
            lambda r: f"{page(300)(r)['page']['median']:.1f} ms",
            lambda r: page(300)(r)["page"]["median"] <= 60,
        ),
        row(
            "board page: queries constant whatever the card count",
            boards,
            lambda r: " / ".join(map(str, queries(r))),
            lambda r: len(set(queries(r))) == 1,
        ),
        row(
            "card move (API): median <= 15 ms, on every board size",
            boards,
            lambda r: f"{move(r):.1f} ms",
            lambda r: move(r) <= 15,
        ),
        row(
            "5,000-card board usable: page median, cards drawn",
            boards,
            lambda r: (
                f"{big(r)['page']['median']:.0f} ms, {big(r)['rendered']:,} drawn, "
                f"{big(r)['bytes'] / 1e6:.1f} MB"
            ),
            lambda r: big(r)["rendered"] < 5000,  # done cards collapsed, not all drawn
        ),
        row(
            "all flow metrics, 100,000 cards / 1,000,000 events, cold <= 2 s",
            flows,
            lambda r: f"{flow_cold(r) / 1000:.2f} s",
            lambda r: flow_cold(r) <= 2000,
        ),
        row(
            "Monte Carlo, 10,000 trials <= 50 ms (slowest of three)",
            flows,
            lambda r: f"{monte_carlo(r):.1f} ms",
            lambda r: monte_carlo(r) <= 50,
        ),
        row(
            "32 clients: zero 5xx, p95 <= 250 ms (PostgreSQL, 2 processes)",
            loads,
            lambda r: f"{r['errors']} errors, p95 {r['p95']:.0f} ms",
            lambda r: r["errors"] == 0 and r["p95"] <= 250,
            engines=("PostgreSQL",),
        ),
        row(
            "32 clients: zero WIP-limit violations and lost updates",
            loads,
            lambda r: f"{r['wip_violations']} WIP, {r['lost_updates']} lost",
            lambda r: r["wip_violations"] == 0 and r["lost_updates"] == 0,
        ),
    ]
