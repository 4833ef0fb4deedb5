"""The imported marketing data's measures are dashboard metrics of their own."""

from datetime import date
from pathlib import Path

from leanmark.channeldata import services as channeldata
from leanmark.dashboard import queries

FIXTURES = Path(__file__).resolve().parents[2] / "domain" / "tests" / "fixtures" / "channeldata"


def test_imported_measures_become_metrics_with_daily_values(world, client_for):
    assert queries.data_infos(world.acme) == []
    ga4 = (FIXTURES / "ga4_traffic_acquisition.csv").read_bytes()
    channeldata.import_file(world.acme, "ga4.csv", ga4, actor=None)
    keys = [i.key for i in queries.data_infos(world.acme)]
    assert keys == ["data-sessions", "data-conversions", "data-revenue"]
    sessions = queries.info_for(world.acme, "data-sessions")
    assert (sessions.stage, sessions.kind, sessions.builtin) == ("like", "output", True)
    days, values = queries.points_of(world.acme, sessions, date(2026, 12, 1), date(2026, 12, 1))
    assert (days, values) == ([date(2026, 12, 1)], [345.0])  # the seven rows of 1 Dec
    week = queries.series(
        world.acme, "data-sessions", start=date(2026, 11, 23), end=date(2026, 12, 6), period="week"
    )
    assert sum(v for _, v in week if v) == 5029
    html = client_for(world.carol).get(
        f"/w/{world.acme.slug}/dashboard/?period=week&as_of=2026-12-06"
    )
    assert "Sessions (imported)" in html.content.decode()
    assert queries.data_infos(world.evil) == []
