"""`make bench`: every figure of issue 4's "Speed and memory", measured side by side in one run.

Steps, each a separate process so its time and peak RSS are its own:
 1. the Clever sandbox serves two generated districts: the big one (--students) and a small slice
    (--naive-students);
 2. a scratch database is migrated once as a template (a temp folder for SQLite; scratch databases
    on 127.0.0.1:5432 for PostgreSQL) and the big district is approved in a copy (setup_district.py);
 3. full import: `manage.py import_district` of the big district (full_import below);
 4. floor: the rows it wrote, written again with raw driver calls into an empty copy (floor.py);
 5. no-change sync: `import_district` again, nothing having changed in Clever;
 6. events: update events added in the sandbox, then `manage.py sync_events` (events.py);
 7. readiness: a device setup for every school of the big district, then readiness_refresh() timed
    (readiness.py);
 8. naive slice: the small district imported by our importer and by the naive one (naive.py), each
    into a fresh copy of the template;
 9. the summary, and one line of JSON with every figure by name.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from bench import report
from bench.db import BenchError, Database, Workspace
from bench.events import build_events, events_visible, sync_events_available
from bench.proc import ROOT, Measured, manage, run_measured, run_quiet, say, script
from bench.sandbox import CLIENT_ID, CLIENT_SECRET, Sandbox

# Variables of the developer's shell that would point the product elsewhere (their database, their
# Redis and its workers, real email): never passed on.
DROPPED_ENV = (
    "DATABASE_URL",
    "REDIS_URL",
    "CLASSHUB_ENV",
    "CLASSHUB_SQLITE_PATH",
    "CLASSHUB_DATA_DIR",
    "EMAIL_BACKEND",
    "CLEVER_API_BASE",
    "CLEVER_OAUTH_BASE",
)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description="The roster sync benchmark (issue 4).")
    p.add_argument("--students", type=int, default=100_000, help="students of the big district (default 100000)")
    p.add_argument("--naive-students", type=int, default=5_000, help="students of the naive-import slice")
    p.add_argument("--events", type=int, default=10_000, help="update events for sync_events")
    p.add_argument("--postgres", action="store_true", help="PostgreSQL (scratch databases) instead of SQLite")
    p.add_argument("--pg-server", default="postgresql://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    p.add_argument("--pg-prefix", default="classhub_bench", help="names of the scratch databases")
    p.add_argument(
        "--pg-floor",
        choices=["executemany", "copy"],
        default="executemany",
        help="raw PostgreSQL floor: psycopg executemany (default) or COPY",
    )
    p.add_argument("--seed", type=int, default=1, help="seed of the generated districts")
    p.add_argument("--skip", action="append", default=[], choices=["floor", "nochange", "events", "readiness", "naive"])
    p.add_argument("--keep", action="store_true", help="keep the temp folder and scratch databases")
    return p.parse_args(argv)


class Bench:
    def __init__(self, args: argparse.Namespace):
        self.args = args
        self.started = time.perf_counter()
        self.step_no = 0
        self.steps = 9 - len(set(args.skip))
        self.root = Path(tempfile.mkdtemp(prefix="classhub-bench-"))
        engine = "postgres" if args.postgres else "sqlite"
        self.workspace = Workspace(self.root, engine=engine, pg_server=args.pg_server, pg_prefix=args.pg_prefix)
        self.env = product_env()
        self.sandbox: Sandbox | None = None
        self.f: dict = {
            "students": args.students,
            "naive_students": args.naive_students,
            "database": engine,
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "commit": git_commit(),
            "page_limit": int(self.env.get("CLEVER_PAGE_LIMIT") or 5000),  # the settings' default
            "load_before": os.getloadavg()[0],  # other work on the machine skews every figure
        }

    def step(self, title: str) -> None:
        self.step_no += 1
        say(f"\n==> [{self.step_no}/{self.steps}] {title}   (at {time.perf_counter() - self.started:,.0f}s)")

    # ----- building blocks ----------------------------------------------------------------------

    def migrate_template(self) -> Database:
        template = self.workspace.create_empty("template")
        done = run_quiet(manage("migrate", "--noinput"), env=template.env(self.env))
        if done.returncode:
            raise BenchError(f"migrate failed:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
        return template

    def approved_copy(self, template: Database, name: str, district: dict) -> Database:
        db = self.workspace.clone(template, name)
        done = run_measured(f"setup {name}", script("bench.setup_district", district["id"]), env=db.env(self.env))
        if not done.ok:
            raise BenchError(f"Setting up district {district['id']} failed:\n{done.tail()}")
        result = done.result()
        say(
            f"    {district['name']} approved ({result['approved_schools']} schools) in {db.location}; "
            f"queued import runs closed: {result['queued_runs_closed']}, broker tasks dropped: "
            f"{result['broker_tasks_dropped']}"
        )
        return db

    def measure(self, label: str, cmd: list[str], db: Database, **kwargs) -> Measured:
        """run_measured(), plus the CPU the sandbox spent serving it (Clever's share of the wall time)."""
        before = self.sandbox.cpu_seconds()
        done = run_measured(label, cmd, env=db.env(self.env), **kwargs)
        done.sandbox_cpu_seconds = self.sandbox.cpu_seconds() - before
        say(
            f"    {label}: {done.seconds:,.1f}s wall, {done.cpu_seconds:,.1f}s CPU "
            f"(sandbox {done.sandbox_cpu_seconds:,.1f}s CPU), peak RSS {done.peak_rss_mb:,.0f} MB"
        )
        return done

    def import_district(self, db: Database, district: dict, label: str) -> Measured:
        done = self.measure(label, manage("import_district", district["id"]), db, probe=db.progress)
        if not done.ok:
            raise BenchError(f"{label} failed (exit {done.returncode}):\n{done.tail()}")
        return done

    # ----- the run --------------------------------------------------------------------------------

    def run(self) -> dict:
        a, f = self.args, self.f
        say(
            f"Roster sync benchmark: {a.students:,} students (naive slice {a.naive_students:,}, {a.events:,} events) "
            f"on {'PostgreSQL ' + a.pg_server if a.postgres else 'SQLite'}; scratch files in {self.root}"
        )
        self.step(f"Clever sandbox: generating districts of {a.students:,} and {a.naive_students:,} students")
        self.sandbox = Sandbox([a.students, a.naive_students], seed=a.seed, env=self.env)
        big, small = self.sandbox.districts
        self.env.update(CLEVER_API_BASE=self.sandbox.url, CLEVER_OAUTH_BASE=self.sandbox.url)
        f["clever_records_read"] = self.sandbox.records_served(big)
        counts = ", ".join(f"{v:,} {k}" for k, v in big["counts"].items())
        say(f"    sandbox at {self.sandbox.url}; {big['name']} ({big['id']}): {counts}")

        self.step("Scratch databases: migrate a template, approve the big district in a copy")
        template = self.migrate_template()
        main_db = self.approved_copy(template, "main", big)

        self.step(f"Full import of {a.students:,} students: manage.py import_district")
        first = self.import_district(main_db, big, "full import")
        tables = main_db.roster_counts()
        f.update(
            import_seconds=first.seconds,
            import_cpu_seconds=first.cpu_seconds,
            import_sandbox_cpu_seconds=first.sandbox_cpu_seconds,
            import_peak_rss_mb=first.peak_rss_mb,
            import_rows=sum(tables.values()),
            tables=tables,
        )
        say("    rows written: " + ", ".join(f"{t.removeprefix('rosters_')} {n:,}" for t, n in tables.items()))

        if "floor" not in a.skip:
            self.step("Floor: the same rows by raw executemany into an empty copy of the schema")
            self.floor(main_db, template)
        if "nochange" not in a.skip:
            self.step("No-change sync: import_district again, nothing changed in Clever")
            again = self.import_district(main_db, big, "no-change sync")
            f.update(
                nochange_seconds=again.seconds,
                nochange_cpu_seconds=again.cpu_seconds,
                nochange_sandbox_cpu_seconds=again.sandbox_cpu_seconds,
                nochange_peak_rss_mb=again.peak_rss_mb,
            )
        if "events" not in a.skip:
            self.step(f"Events: {a.events:,} update events, then manage.py sync_events")
            self.events(main_db, big)
        if "readiness" not in a.skip:
            self.step("Device sign-in readiness: a setup for every school, then readiness_refresh()")
            self.readiness(main_db, big)
        if "naive" not in a.skip:
            self.step(f"Naive slice: {a.naive_students:,} students, our importer vs per-row update_or_create")
            self.naive(template, small)

        self.step("Results")
        f["total_seconds"] = time.perf_counter() - self.started
        f["load_after"] = os.getloadavg()[0]
        return report.derive(f)

    def floor(self, main_db: Database, template: Database) -> None:
        f = self.f
        if main_db.engine == "postgres":
            target = self.workspace.clone(template, "floor")
            args = [main_db.url, target.url, "--method", self.args.pg_floor]
        else:
            target = self.workspace.create_empty("floor")
            args = [str(main_db.sqlite_path), str(target.sqlite_path)]
        done = self.measure("floor", script("bench.floor", *args), target)
        if not done.ok:
            f["floor_error"] = f"bench.floor failed (exit {done.returncode})"
            say(f"    {f['floor_error']}:\n{done.tail()}")
            return
        result = done.result()
        f.update(floor_seconds=result["seconds"], floor_rows=result["rows"], floor_method=result["method"])
        if result["rows"] != f["import_rows"]:
            say(f"    WARNING: the floor wrote {result['rows']:,} rows, the import {f['import_rows']:,}")

    def events(self, main_db: Database, big: dict) -> None:
        f, env = self.f, main_db.env(self.env)
        if not sync_events_available(env):
            f.update(events=None, events_seconds=None, events_error="sync_events missing")
            say("events: not measured (sync_events missing)")
            return
        events = build_events(self.sandbox, big, self.args.events, seed=self.args.seed)
        added = self.sandbox.add_events(events)
        say(f"    {added:,} events added in the sandbox")
        done = self.measure("sync_events", manage("sync_events", big["id"]), main_db)
        if not done.ok:
            f.update(events=added, events_seconds=None, events_error=f"sync_events failed (exit {done.returncode})")
            say(f"    {f['events_error']}:\n{done.tail()}")
            return
        found, checked = events_visible(main_db, events)
        say(f"    {found} of {checked} sampled changes are in the database")
        f.update(
            events=added,
            events_seconds=done.seconds,
            events_cpu_seconds=done.cpu_seconds,
            events_peak_rss_mb=done.peak_rss_mb,
            events_verified=found / checked if checked else None,
        )
        if found < checked:
            say(f"    WARNING: sync_events left {checked - found} of {checked} sampled changes unapplied")

    def readiness(self, main_db: Database, big: dict) -> None:
        done = self.measure("readiness", script("bench.readiness", big["id"]), main_db)
        if not done.ok:
            self.f["readiness_error"] = f"bench.readiness failed (exit {done.returncode})"
            say(f"    {self.f['readiness_error']}:\n{done.tail()}")
            return
        result = done.result()
        self.f.update(
            readiness_seconds=result["readiness_seconds"],
            readiness_judged=result["readiness_judged"],
            readiness_rows=result["readiness_rows"],
        )
        say(
            f"    readiness_refresh: {result['readiness_judged']:,} students (per school) judged, "
            f"{result['readiness_rows']:,} not ready written, in {result['readiness_seconds']:,.1f}s; "
            f"{result['readiness_counts']}"
        )

    def naive(self, template: Database, small: dict) -> None:
        f = self.f
        ours_db = self.approved_copy(template, "small", small)
        ours = self.import_district(ours_db, small, "our import (slice)")
        f.update(
            small_import_seconds=ours.seconds,
            small_import_peak_rss_mb=ours.peak_rss_mb,
            small_import_rows=sum(ours_db.roster_counts().values()),
        )
        naive_db = self.approved_copy(template, "naive", small)
        done = self.measure("naive import", script("bench.naive", small["id"]), naive_db)
        if not done.ok:
            f["naive_error"] = f"bench.naive failed (exit {done.returncode})"
            say(f"    {f['naive_error']}:\n{done.tail()}")
            return
        f.update(
            naive_seconds=done.seconds,
            naive_peak_rss_mb=done.peak_rss_mb,
            naive_rows=sum(naive_db.roster_counts().values()),
        )
        if abs(f["naive_rows"] - f["small_import_rows"]) > 0.01 * f["small_import_rows"]:
            say(f"    WARNING: naive wrote {f['naive_rows']:,} rows, ours {f['small_import_rows']:,}")

    def close(self) -> None:
        if self.sandbox is not None:
            self.sandbox.stop()
        if self.args.keep:
            say(f"Kept {self.root}" + (" and the scratch databases" if self.args.postgres else ""))
            return
        try:
            self.workspace.drop_all()
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


def product_env() -> dict[str, str]:
    """The environment of every product process: this run's databases and sandbox, nothing of the shell's."""
    env = {k: v for k, v in os.environ.items() if k not in DROPPED_ENV}
    env.update(
        DJANGO_SETTINGS_MODULE="classhub.settings",
        PYTHONUNBUFFERED="1",
        CLEVER_CLIENT_ID=CLIENT_ID,
        CLEVER_CLIENT_SECRET=CLIENT_SECRET,
        # As in production: DEBUG's query log formats every statement (on SQLite with extra queries).
        DJANGO_DEBUG="0",
    )
    env.setdefault("CLASSHUB_LOG_LEVEL", "WARNING")
    return env


def git_commit() -> str | None:
    """The commit measured, with +dirty when the working tree has changes (None outside a git checkout)."""

    def git(*args: str) -> str:
        return subprocess.run(  # noqa: S603 - fixed arguments
            ["git", *args],  # noqa: S607 - git from PATH, like a developer's shell
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()

    try:
        head, dirty = git("rev-parse", "--short", "HEAD"), git("status", "--porcelain")
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def main(argv: list[str] | None = None) -> int:
    bench = Bench(parse_args(argv))
    try:
        figures = bench.run()
    except BenchError as exc:
        say(f"\nBenchmark stopped: {exc}")
        return 1
    finally:
        bench.close()
    for line in report.summary(figures):
        say(line)
    say(report.json_line(figures))
    return 0
