"""The load test's short form, as CI runs it: the split deployment (eight gunicorns, the path router,
real Postgres and Redis) under 50 Locust callers for 30 s; no call may fail and no two booked
appointments of a doctor may overlap; a short capacity phase against the system, the floor (a bare
Flask chain with the system's hops per turn) and the bare app; progress, HTML reports and the plot."""

from __future__ import annotations

import json

from sqlalchemy.engine import make_url

from tests.conftest import TEST_DATABASE_URL, TEST_REDIS_URL
from tools.loadtest.__main__ import main


def test_short_load_test_completes_calls_without_failures_or_double_bookings(tmp_path, capsys):
    url = make_url(TEST_DATABASE_URL)
    load_database = url.set(database=f"{url.database}_load").render_as_string(hide_password=False)

    status = main(["--short", "--capacity-seconds", "3", "--progress-seconds", "5", "--database-url", load_database,
                   "--redis-url", TEST_REDIS_URL, "--run-dir", str(tmp_path)])

    printed = capsys.readouterr().out
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["failed_calls"] == 0, printed
    assert report["calls_completed"] >= 20, printed
    assert report["database"]["overlapping_pairs"] == 0, printed
    assert report["database"].get("booked", 0) >= 5, printed
    # the messaging worker sent every confirmation before the deployment stopped
    assert report["database"].get("texts_sent", 0) >= report["database"]["booked"], printed
    assert not report["database"].get("texts_pending") and not report["database"].get("texts_sending"), printed
    assert status == 0, printed

    assert printed.count("progress ") >= 3, "progress lines while the callers run"
    for name in ("callers.html", "capacity-system.html", "capacity-floor.html", "capacity-baseline.html"):
        assert "<html" in (tmp_path / name).read_text().lower(), name
    assert (tmp_path / "callers-timeline.png").read_bytes().startswith(b"\x89PNG")
    assert len(report["timeline"]) >= 4 and all(item["turns_per_second"] > 0 for item in report["timeline"][1:-1])
    hops = report["hops"]["capacity"]
    assert 0.2 <= hops["hops_per_turn"] <= 8 and hops["turns"] > 0, printed
    capacity = report["capacity"]
    assert capacity["floor_hops_per_turn"] == hops["hops_per_turn"]
    assert capacity["floor"] > 0 and capacity["floor_failed_requests"] == 0, printed
    assert capacity["ratio_floor"] == capacity["system"] / capacity["floor"]
    assert "system / floor" in printed and "system / bare" in printed
