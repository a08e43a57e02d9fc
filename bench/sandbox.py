"""The Clever sandbox as a separate process serving the benchmark's generated districts."""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator

import requests

from bench.db import BenchError
from bench.proc import PYTHON, ROOT, cpu_seconds, say

CLIENT_ID = "classhub-sandbox-client"  # the sandbox CLI's defaults; the product is given the same
CLIENT_SECRET = "classhub-sandbox-secret"  # noqa: S105 - a public sandbox default
KINDS_READ = ("districts", "schools", "terms", "courses", "users", "sections")


class Sandbox:
    """`python -m classhub.clever.sandbox --students N --students M ...` on a free loopback port.

    District k is generated with seed + k, so the same sizes and seed always serve the same data.
    """

    def __init__(self, students: list[int], *, seed: int, env: dict[str, str], startup_timeout: float = 900):
        cmd = [PYTHON, "-m", "classhub.clever.sandbox", "--port", "0", "--quiet", "--seed", str(seed)]
        for count in students:
            cmd += ["--students", str(count)]
        cmd += ["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET]
        self.proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
        )
        self.url = self._wait_for_banner(startup_timeout)
        threading.Thread(target=self._drain, daemon=True).start()
        self.session = requests.Session()
        names = {f"Benchmark District {seed + n}": n for n in range(len(students))}
        by_position = {names[d["name"]]: d for d in self.overview()["districts"] if d["name"] in names}
        self.districts = [by_position[n] for n in range(len(students))]  # in the order of `students`

    def _wait_for_banner(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        deadline, seen = time.monotonic() + timeout, []
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            seen.append(line.rstrip())
            if " at http://" in line:
                return line.split(" at ", 1)[1].split(" ", 1)[0]
        self.stop()
        raise BenchError("The Clever sandbox did not start:\n" + "\n".join(seen[-20:]))

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:  # only tracebacks: requests are not logged (--quiet)
            say(f"    sandbox | {line.rstrip()}")

    def cpu_seconds(self) -> float:
        """CPU seconds the sandbox has spent so far (serving pages is part of every import's wall time)."""
        return cpu_seconds(self.proc.pid) or 0.0

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    # ----- reading ----------------------------------------------------------------------------

    def overview(self) -> dict:
        resp = self.session.get(f"{self.url}/sandbox/?format=json", timeout=600)
        resp.raise_for_status()
        return resp.json()

    def records_served(self, district: dict) -> int:
        """Clever records a full import of the district reads: the district, its schools, terms, courses,
        users (contacts included: the importer reads and skips them) and sections."""
        counts = district["counts"]
        return 1 + sum(int(counts.get(kind, 0)) for kind in KINDS_READ[1:])

    def pages(self, district: dict, path: str, *, limit: int = 10_000, **params) -> Iterator[list[dict]]:
        """Every page of a /v3.0 list as the district's token sees it."""
        headers = {"Authorization": f"Bearer {district['access_token']}"}
        url, query = f"{self.url}/v3.0/{path}", {"limit": limit, **params}
        while url:
            resp = self.session.get(url, params=query, headers=headers, timeout=600)
            resp.raise_for_status()
            body = resp.json()
            items = [wrapped["data"] for wrapped in body["data"]]
            if not items:
                return
            yield items
            nxt = next((link["uri"] for link in body["links"] if link["rel"] == "next"), None)
            url, query = (f"{self.url}{nxt}" if nxt else ""), None

    # ----- changing ---------------------------------------------------------------------------

    def add_events(self, events: list[dict], *, batch: int = 2_000) -> int:
        """POST the events to /sandbox/events as lists (one request per batch); returns how many were added."""
        added = 0
        for start in range(0, len(events), batch):
            resp = self.session.post(f"{self.url}/sandbox/events", json=events[start : start + batch], timeout=600)
            if resp.status_code != 201:
                raise BenchError(f"The sandbox refused the events ({resp.status_code}): {resp.text[:300]}")
            added += resp.json()["count"]
        return added
