"""`make bench` at toy size: it runs end to end and its last line is the JSON with every figure.

The real runs are not tests (they take minutes); this only keeps the harness from rotting.
"""

import json
import subprocess
import sys
from pathlib import Path

from bench.report import MEASURED

ROOT = Path(__file__).resolve().parents[2]
DERIVED = ["import_rows_per_s", "floor_ratio", "naive_ratio", "nochange_fraction", "events_per_s", "peak_rss_mb"]


def test_the_harness_runs_and_ends_with_one_json_line_of_every_figure():
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench", "--students", "300", "--naive-students", "100", "--events", "40"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(MEASURED + DERIVED) <= set(figures)
    assert figures["students"] == 300 and figures["database"] == "sqlite"
    assert figures["import_rows"] == figures["floor_rows"] == sum(figures["tables"].values()) > 300
    assert figures["import_seconds"] > 0 and figures["floor_ratio"] > 0 and figures["naive_ratio"] > 0
    assert figures["nochange_fraction"] > 0 and figures["import_peak_rss_mb"] > 10
    if figures["events"] is None:
        assert "events: not measured (sync_events missing)" in done.stdout
    else:
        assert figures["events_per_s"] > 0
