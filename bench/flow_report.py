"""Prints the flow benchmark's figures (bench/flow_bench.py) as run.py's other tables."""

from collections.abc import Callable

REPORT_BUDGET_MS = 2000.0  # all flow metrics, 100,000 cards and 1,000,000 events (PRODUCT §13)
MONTE_CARLO_BUDGET_MS = 50.0  # 10,000 trials


def print_flow(label: str, r: dict, print_table: Callable, row: Callable) -> None:
    floor = r["floor"]["median"]

    def ratio(key: str) -> tuple[str, str, str, str]:
        return (f"  ratio to the floor: {key}", f"{r[key]['median'] / floor:.1f}x", "-", "-")

    rows = [
        (
            "cards / events (of which flow events)",
            f"{r['cards']:,} / {r['events']:,} ({r['flow_events']:,})",
            "-",
            "-",
        ),
        row("floor: plain SQL read of the board's events (median of 3)", floor),
        row(
            "flow report, last 90 days, cold (median of 3)",
            r["cold_90"]["median"],
            REPORT_BUDGET_MS,
        ),
        ratio("cold_90"),
        row("flow report, 730 days, cold (median of 3)", r["cold_730"]["median"], REPORT_BUDGET_MS),
        ratio("cold_730"),
        row("flow report, last 90 days, warm (median of 5)", r["warm_90"]["median"]),
        row("flow report, 730 days, warm (median of 5)", r["warm_730"]["median"]),
        row("  of a cold report: reading the log into arrays", r["read_log"]["median"]),
        row("  of a cold report: the timeline (NumPy)", r["timeline"]["median"]),
        row("cycle_time_percentiles(), warm", r["percentiles_warm"]["median"]),
        row(
            "Monte Carlo how-many, 10,000 trials, 30 days",
            r["mc_how_many"]["median"],
            MONTE_CARLO_BUDGET_MS,
        ),
        row(
            "Monte Carlo when, 10,000 trials, 500 items",
            r["mc_when"]["median"],
            MONTE_CARLO_BUDGET_MS,
        ),
        row(
            "Monte Carlo how-many, 10,000 trials, 26 weeks",
            r["mc_how_many_weeks"]["median"],
            MONTE_CARLO_BUDGET_MS,
        ),
        ("items finished in the last 90 days", f"{r['finished_90']:,}", "-", "-"),
    ]
    title = (
        f"{label} {r['server_version']}: flow benchmark, board built in "
        f"{r['build_seconds']:.0f} s, measured in {r['seconds']:.0f} s"
    )
    print_table(title, rows)
