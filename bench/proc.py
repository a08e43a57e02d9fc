"""Run one product process, echo its output, and measure its wall time, CPU and peak memory (RSS).

The measuring is done by bench/launch.py, a small process between the harness and the product, so the
harness's own size never shows up in a product process's peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULT_PREFIX = "BENCH-RESULT "  # the bench's own scripts end with this line and a JSON object


def say(text: str) -> None:
    print(text, flush=True)


@dataclass
class Measured:
    """What one process took: seconds (wall), CPU seconds, peak RSS, exit code and the tail of its output."""

    label: str
    seconds: float
    cpu_seconds: float
    peak_rss_mb: float
    returncode: int
    lines: list[str] = field(default_factory=list)
    sandbox_cpu_seconds: float | None = None  # filled in by callers that have a sandbox

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def result(self) -> dict:
        """The JSON object a bench script printed last (empty when none)."""
        for line in reversed(self.lines):
            if line.startswith(RESULT_PREFIX):
                return json.loads(line[len(RESULT_PREFIX) :])
        return {}

    def tail(self, n: int = 15) -> str:
        return "\n".join(self.lines[-n:])


def manage(*args: str) -> list[str]:
    return [PYTHON, str(ROOT / "manage.py"), *args]


def script(module: str, *args: str) -> list[str]:
    return [PYTHON, "-m", module, *args]


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_measured(
    label: str,
    cmd: list[str],
    *,
    env: dict[str, str],
    probe: Callable[[], str] | None = None,
    heartbeat_seconds: float = 15.0,
    echo: bool = True,
) -> Measured:
    """Run cmd to its end through bench.launch, which reports its wall time and own rusage (os.wait4).

    Its output is echoed indented; every heartbeat_seconds a line says it is still running, how big
    it is now, and whatever probe() adds (e.g. the import run's progress read from the database).
    """
    lines: deque[str] = deque(maxlen=400)
    child: dict = {}
    started = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and scripts
        [PYTHON, "-m", "bench.launch", *cmd],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
    )

    def read() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip("\n").split("\r")[-1]  # a self-rewriting progress line: keep its last state
            if line.startswith("BENCH-PID "):
                child["pid"] = int(line.split()[1])
            elif line.startswith("BENCH-RUSAGE "):
                child["usage"] = json.loads(line.split(" ", 1)[1])
            else:
                lines.append(line)
                if echo and not line.startswith(RESULT_PREFIX):
                    say(f"    | {line}")

    done = threading.Event()

    def beat() -> None:
        while not done.wait(heartbeat_seconds):
            rss = _rss_mb(child["pid"]) if "pid" in child else None
            extra = probe() if probe else ""
            now = f"RSS {rss:,.0f} MB" if rss is not None else "starting or finishing"
            say(f"    … {label}: {time.perf_counter() - started:,.0f}s, {now}{extra}")

    reader = threading.Thread(target=read, daemon=True)
    ticker = threading.Thread(target=beat, daemon=True)
    reader.start()
    ticker.start()
    proc.wait()
    done.set()
    reader.join(timeout=10)
    usage = child.get("usage")
    if usage is None:  # the launcher itself failed
        return Measured(label, time.perf_counter() - started, 0.0, 0.0, proc.returncode or 1, list(lines))
    return Measured(
        label, usage["seconds"], usage["cpu_seconds"], usage["max_rss_kib"] / 1024, usage["returncode"], list(lines)
    )


def cpu_seconds(pid: int) -> float | None:
    """CPU time (user + system) a running process has used so far, from /proc (Linux)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_quiet(cmd: list[str], *, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a helper command (not measured) and capture its output."""
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, check=False)  # noqa: S603
