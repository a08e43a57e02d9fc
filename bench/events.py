"""Incremental sync: add update events in the sandbox, then time `manage.py sync_events` applying them.

The events change what a district changes every day: students' names and emails (users.updated),
section names and section rosters (sections.updated: one student leaves, another of the school joins).
"""

from __future__ import annotations

import copy
import random

from bench.db import Database
from bench.proc import manage, run_quiet
from bench.sandbox import Sandbox

FIRST_NAMES = ["Avery", "Jordan", "Rowan", "Quinn", "Emerson", "Sasha", "Reese", "Kendall", "Skyler", "Marlowe"]


def sync_events_available(env: dict[str, str]) -> bool:
    """Whether the product has `manage.py sync_events` yet."""
    return run_quiet(manage("help", "sync_events"), env=env).returncode == 0


def _first(sandbox: Sandbox, district: dict, path: str, wanted: int, **params) -> list[dict]:
    found: list[dict] = []
    for page in sandbox.pages(district, path, **params):
        found.extend(page)
        if len(found) >= wanted:
            break
    return found[:wanted]


def build_events(sandbox: Sandbox, district: dict, count: int, *, seed: int = 1) -> list[dict]:
    """count update events: 70% users.updated (name or email), 30% sections.updated (name or students)."""
    rng = random.Random(seed)
    n_sections = count * 3 // 10
    n_users = count - n_sections
    students = _first(sandbox, district, "users", max(n_users, 1), role="student")
    sections = _first(sandbox, district, "sections", max(n_sections, 1))
    by_school: dict[str, list[str]] = {}
    for st in students:
        by_school.setdefault(st["roles"]["student"].get("school", ""), []).append(st["id"])
    events = []
    for i in range(n_users):
        before = students[i % len(students)]
        after = copy.deepcopy(before)
        if i % 2 == 0:
            after["name"] = dict(before["name"], first=rng.choice(FIRST_NAMES))
            previous = {"name": before["name"]}
        else:
            after["email"] = f"renamed{i}.{before.get('email') or 'student@bench.example.org'}"
            previous = {"email": before.get("email")}
        after["last_modified"] = "2026-09-01T12:00:00.000Z"
        events.append({"type": "users.updated", "object": after, "previous_attributes": previous})
    for j in range(n_sections):
        before = sections[j % len(sections)]
        after = copy.deepcopy(before)
        if j % 2 == 0:
            after["name"] = f"{before.get('name') or 'Section'} (renamed)"
            previous = {"name": before.get("name")}
        else:
            members = list(before.get("students") or [])
            joining = [s for s in by_school.get(before.get("school", ""), []) if s not in set(members)]
            after["students"] = sorted(members[1:] + joining[:1])
            previous = {"students": members}
        after["last_modified"] = "2026-09-01T12:00:00.000Z"
        events.append({"type": "sections.updated", "object": after, "previous_attributes": previous})
    return events


def events_visible(db: Database, events: list[dict], *, sample: int = 300) -> tuple[int, int]:
    """How many of a sample of the changes are in the database after sync_events: (found, checked).

    A sync that applied nothing would otherwise look very fast; this reads the rows, not its output.
    """
    last: dict[tuple[str, str], dict] = {}
    for event in events:  # only the last change of an object is what the database must hold
        last[(event["type"], event["object"]["id"])] = event
    chosen = list(last.values())[:: max(1, len(last) // sample)][:sample]
    placeholder = "%s" if db.engine == "postgres" else "?"
    found = 0
    conn = db.connect()
    try:
        for event in chosen:
            obj, changed = event["object"], next(iter(event["previous_attributes"]))
            if event["type"] == "users.updated":
                column, want = ("first_name", obj["name"]["first"]) if changed == "name" else ("email", obj["email"])
                sql = f"SELECT {column} FROM rosters_student WHERE clever_id = {placeholder}"
                found += conn.execute(sql, (obj["id"],)).fetchone() == (want,)
            elif changed == "name":
                sql = f"SELECT name FROM rosters_section WHERE clever_id = {placeholder}"
                found += conn.execute(sql, (obj["id"],)).fetchone() == (obj["name"],)
            else:
                sql = (
                    "SELECT st.clever_id FROM rosters_enrollment e JOIN rosters_section s ON s.id = e.section_id "
                    f"JOIN rosters_student st ON st.id = e.student_id WHERE s.clever_id = {placeholder}"
                )
                found += {row[0] for row in conn.execute(sql, (obj["id"],)).fetchall()} == set(obj["students"])
    finally:
        conn.close()
    return found, len(chosen)
