"""`make bench-identify`: the device identify API under load, side by side with a minimal DRF reference.

    python -m bench.identify [--students 1000000] [--seconds 15] [--rounds 2] [--connections 4] [--keep]

Steps, in a temp folder of its own (never data/):
 1. a scratch SQLite database is migrated, then filled with one district of --students students by raw SQL
    (bench/identify_data.py: schools, teachers, sections of the current term, 6 enrollments per student,
    emails in the district default's Google domain) and given a device key;
 2. gunicorn serves the product with 2 sync workers, production settings (CLASSHUB_ENV=production, DEBUG off)
    and persistent database connections (CLASSHUB_CONN_MAX_AGE), plus the reference endpoint
    (CLASSHUB_BENCH_REFERENCE=1, bench/reference_api.py: one indexed lookup by email, no key, no rate limit);
 3. a sample of requests checks both endpoints answer (identify: "matched");
 4. wrk, a second process on loopback, drives each endpoint in turn (reference, then identify, --rounds times)
    with bench/identify.lua, which spreads the requests over every student's email;
 5. device sign-in readiness recomputed for the whole district (bench/readiness.py: about 10% of the students
    given a missing or foreign email first), timed;
 6. requests/s, p50 and p99 of both (medians of the rounds), their ratio (the median of the rounds' ratios:
    a round's two runs share whatever else the machine is doing), the readiness seconds, and last one line
    of JSON with every figure.
The rate limit is set far above what the machine can serve, so every request still pays for counting.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.db import BenchError
from bench.proc import PYTHON, ROOT, manage, run_measured, run_quiet, say, script
from bench.run import git_commit, product_env

LUA = Path(__file__).with_name("identify.lua")
IDENTIFY_PATH = "/api/v1/devices/identify"
REFERENCE_PATH = "/api/v1/bench/reference"
TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
BENCH_DISTRICT = "b" * 24  # the Clever id bench/identify_data.py gives its district


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench.identify", description=__doc__.split("\n")[0])
    p.add_argument("--students", type=int, default=1_000_000, help="students of the district (default 1000000)")
    p.add_argument("--seconds", type=int, default=8, help="seconds of load per endpoint and round (default 8)")
    p.add_argument("--rounds", type=int, default=5, help="rounds of reference-then-identify (default 5)")
    p.add_argument("--connections", type=int, default=4, help="wrk's open connections (default 4)")
    p.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    p.add_argument("--keep", action="store_true", help="keep the temp folder")
    return p.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str, body: dict, key: str = "") -> tuple[int, dict | None]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    try:
        conn.request("POST", path, body=json.dumps(body), headers=headers)
        response = conn.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else None)
    finally:
        conn.close()


class Server:
    """gunicorn with the product, started and stopped by this harness (its own process group)."""

    def __init__(self, env: dict[str, str], port: int, workers: int, log: Path):
        self.port = port
        self.log = log.open("w")
        cmd = [
            PYTHON,
            "-m",
            "gunicorn",
            "classhub.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--log-level",
            "warning",
        ]
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and gunicorn
            cmd, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, key: str, email: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn exited with {self.proc.returncode}; see {self.log.name}")
            try:
                status, _ = post(self.port, IDENTIFY_PATH, {"email": email, "platform": "chromebook"}, key)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise BenchError(f"gunicorn did not answer on port {self.port} within {timeout:.0f}s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # the group of the gunicorn we started, nothing else
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def wrk(port: int, path: str, *, key: str, students: int, domain: str, seconds: int, connections: int) -> dict:
    env = dict(
        os.environ,
        BENCH_PATH=path,
        BENCH_KEY=key,
        BENCH_STUDENTS=str(students),
        BENCH_DOMAIN=domain,
        BENCH_SEED=str(random.randrange(1 << 30)),
    )
    cmd = [
        "wrk",
        "--threads",
        "1",
        "--connections",
        str(connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        "5s",
        "--script",
        str(LUA),
        f"http://127.0.0.1:{port}{path}",
    ]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False, timeout=seconds + 60)  # noqa: S603
    for line in done.stdout.splitlines():
        if line.startswith("WRK-RESULT "):
            r = json.loads(line.split(" ", 1)[1])
            seconds_run = r["duration_us"] / 1e6
            return {
                "requests": r["requests"],
                "rps": r["requests"] / seconds_run,
                "p50_ms": r["p50_us"] / 1000,
                "p90_ms": r["p90_us"] / 1000,
                "p99_ms": r["p99_us"] / 1000,
                "max_ms": r["max_us"] / 1000,
                "errors": r["non_2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"],
            }
    raise BenchError(f"wrk gave no result (exit {done.returncode}):\n{done.stdout[-1500:]}{done.stderr[-1500:]}")


def check_answers(port: int, key: str, students: int, domain: str, samples: int = 50) -> None:
    """Both endpoints answer for students spread over the district; identify finds them with sections."""
    for n in random.sample(range(1, students + 1), min(samples, students)):
        email = f"s{n}@{domain}"
        status, answer = post(port, IDENTIFY_PATH, {"email": email, "platform": "chromebook"}, key)
        if status != 200 or answer["status"] != "matched" or not answer["sections"]:
            raise BenchError(f"identify of {email}: {status} {answer}")
        status, answer = post(port, REFERENCE_PATH, {"email": email})
        if status != 200:
            raise BenchError(f"reference lookup of {email}: {status} {answer}")
    status, _ = post(port, IDENTIFY_PATH, {"email": f"s1@{domain}", "platform": "chromebook"}, "chk_wrong")
    if status != 401:
        raise BenchError(f"a wrong key got {status}, not 401")


def summarise(runs: list[dict]) -> dict:
    """Rounds added up: requests/s and latency percentiles as the median of the rounds."""
    return {
        "rps": statistics.median(r["rps"] for r in runs),
        "p50_ms": statistics.median(r["p50_ms"] for r in runs),
        "p99_ms": statistics.median(r["p99_ms"] for r in runs),
        "p99_ms_worst": max(r["p99_ms"] for r in runs),
        "requests": sum(r["requests"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "rounds": [{k: round(v, 2) for k, v in r.items()} for r in runs],
    }


def run(args: argparse.Namespace) -> dict:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: `apt-get install -y wrk` (Debian's package), then run again.")
    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="classhub-bench-identify-"))
    env = product_env()
    env.update(CLASSHUB_DATA_DIR=str(root))
    f: dict = {
        "benchmark": "identify",
        "students": args.students,
        "database": "sqlite",
        "workers": args.workers,
        "connections": args.connections,
        "seconds_per_run": args.seconds,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "commit": git_commit(),
        "load_before": os.getloadavg()[0],
    }
    server = None
    try:
        say(f"Identify benchmark: {args.students:,} students on SQLite; scratch files in {root}")
        say("\n==> [1/5] Scratch database: migrate, then the district by raw SQL, and a device key")
        done = run_quiet(manage("migrate", "--noinput"), env=env)
        if done.returncode:
            raise BenchError(f"migrate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        filled = run_measured("fill", script("bench.identify_data", str(args.students)), env=env, echo=False)
        if not filled.ok:
            raise BenchError(f"bench.identify_data failed:\n{filled.tail()}")
        data = filled.result()
        key, domain = data["device_key"], data["domain"]
        f["rows"] = data["rows"]
        f["fill_seconds"] = filled.seconds
        say(
            f"    {sum(data['rows'].values()):,} rows in {filled.seconds:,.1f}s: "
            + ", ".join(f"{n:,} {table}" for table, n in data["rows"].items())
        )

        say(f"\n==> [2/5] gunicorn, {args.workers} workers, production settings, persistent connections")
        server_env = dict(
            env,
            CLASSHUB_ENV="production",
            DJANGO_SECRET_KEY=os.urandom(24).hex(),
            DJANGO_DEBUG="0",
            DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
            CLASSHUB_CONN_MAX_AGE="600",
            CLASSHUB_BENCH_REFERENCE="1",
            DEVICE_IDENTIFY_RATE="1000000000/min",  # counted on every request, never reached
            CLASSHUB_LOG_LEVEL="WARNING",
        )
        port = free_port()
        server = Server(server_env, port, args.workers, root / "gunicorn.log")
        server.wait_ready(key, f"s1@{domain}")
        say(f"    serving on 127.0.0.1:{port}")

        say("\n==> [3/5] Checking answers: 50 students spread over the district, both endpoints")
        check_answers(port, key, args.students, domain)
        say("    identify: matched with sections; reference: found; a wrong key: 401")

        say(f"\n==> [4/5] Load: wrk, {args.connections} connections, {args.rounds} × {args.seconds}s per endpoint")
        load = {"key": key, "students": args.students, "domain": domain, "connections": args.connections}
        for path in (REFERENCE_PATH, IDENTIFY_PATH):  # warm-up: each worker's connection, caches, page cache
            wrk(port, path, seconds=3, **load)
        runs: dict[str, list[dict]] = {"reference": [], "identify": []}
        for round_no in range(1, args.rounds + 1):
            for name, path, use_key in (("reference", REFERENCE_PATH, ""), ("identify", IDENTIFY_PATH, key)):
                result = wrk(port, path, seconds=args.seconds, **{**load, "key": use_key})
                runs[name].append(result)
                say(
                    f"    round {round_no} {name:<9}: {result['rps']:8,.0f} requests/s, p50 {result['p50_ms']:.1f} ms, "
                    f"p99 {result['p99_ms']:.1f} ms, errors {result['errors']}"
                )
        server.stop()
        server = None

        # Last, because it gives some students bad emails (the identify load expects every one to match).
        say(f"\n==> [5/5] Device sign-in readiness of the {args.students:,}-student district, recomputed")
        measured = run_measured("readiness", script("bench.readiness", BENCH_DISTRICT), env=env, echo=False)
        if not measured.ok:
            raise BenchError(f"bench.readiness failed:\n{measured.tail()}")
        readiness = measured.result()
        f.update(
            readiness_seconds=readiness["readiness_seconds"],
            readiness_judged=readiness["readiness_judged"],
            readiness_rows=readiness["readiness_rows"],
        )
        say(
            f"    readiness_refresh: {readiness['readiness_judged']:,} students (per school) judged, "
            f"{readiness['readiness_rows']:,} not ready written, in {readiness['readiness_seconds']:.1f}s; "
            f"{readiness['readiness_counts']}"
        )
    finally:
        if server is not None:
            server.stop()
        if args.keep:
            say(f"    kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    ref, ident = summarise(runs["reference"]), summarise(runs["identify"])
    f.update(
        reference_rps=ref["rps"],
        reference_p50_ms=ref["p50_ms"],
        reference_p99_ms=ref["p99_ms"],
        identify_rps=ident["rps"],
        identify_p50_ms=ident["p50_ms"],
        identify_p99_ms=ident["p99_ms"],
        identify_p99_ms_worst=ident["p99_ms_worst"],
        # Each round's identify run follows its reference run, so the pair shares the machine's other load;
        # the ratio is the median of the rounds' ratios.
        ratio=statistics.median(i["rps"] / r["rps"] for i, r in zip(runs["identify"], runs["reference"], strict=True)),
        errors=ref["errors"] + ident["errors"],
        reference_rounds=ref["rounds"],
        identify_rounds=ident["rounds"],
        total_seconds=time.perf_counter() - started,
        load_after=os.getloadavg()[0],
    )
    f["meets_target"] = bool(
        f["ratio"] and f["ratio"] >= TARGET_RATIO and f["identify_p99_ms"] < TARGET_P99_MS and not f["errors"]
    )
    return f


def report(f: dict) -> None:
    say("\nResults")
    say(f"    {'':<10} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8}")
    for name in ("reference", "identify"):
        say(f"    {name:<10} {f[name + '_rps']:>11,.0f} {f[name + '_p50_ms']:>8.1f} {f[name + '_p99_ms']:>8.1f}")
    say(
        f"    ratio identify / reference: {f['ratio']:.2f} (target ≥ {TARGET_RATIO}); identify p99 "
        f"{f['identify_p99_ms']:.1f} ms (target < {TARGET_P99_MS:.0f} ms); errors {f['errors']}; "
        f"{'meets the target' if f['meets_target'] else 'MISSES the target'}"
    )
    say(
        f"    readiness: {f['readiness_judged']:,} students judged in {f['readiness_seconds']:.1f}s "
        f"({f['readiness_rows']:,} not ready)"
    )
    say(f"    load average before/after: {f['load_before']:.2f} / {f['load_after']:.2f} (other work skews figures)")
    print(json.dumps(f, sort_keys=True), flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        figures = run(args)
    except BenchError as exc:
        say(f"\nbench-identify stopped: {exc}")
        return 1
    report(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
