"""`make bench-identify` at toy size: it runs end to end and ends with one JSON line of its figures.

The real run (a million students) is not a test; this only keeps the harness from rotting. Needs wrk.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed (apt-get install -y wrk)")
def test_the_identify_benchmark_runs_and_ends_with_one_json_line():
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.identify", "--students", "600", "--seconds", "1", "--rounds", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["students"] == figures["rows"]["students"] == 600
    assert figures["identify_rps"] > 0 and figures["reference_rps"] > 0 and figures["ratio"] > 0
    assert figures["errors"] == 0
    assert "ratio identify / reference" in done.stdout
