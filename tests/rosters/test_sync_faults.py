"""A full sync under faults: rate limits, outages and timeouts are retried; a killed worker's sync converges."""

from __future__ import annotations

import copy
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from classhub.clever.client import CleverClient, RetryPolicy
from classhub.clever.sandbox.dataset import has_role
from rosters.models import (
    DistrictSync,
    Enrollment,
    ImportPhase,
    ImportRun,
    ImportStatus,
    PendingChange,
    Section,
    Student,
)
from rosters.services import import_run_create, import_run_execute, import_run_hold_release
from tests.helpers import expected_roster, roster_snapshot, roster_wipe

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def stored_roster(district) -> dict[str, set]:
    snapshot = roster_snapshot(district)
    return {
        "students": {dict(r)["clever_id"] for r in snapshot["students"] if r[0] != "archived"},
        "sections": {dict(r)["clever_id"] for r in snapshot["sections"] if r[0] != "archived"},
        "enrollments": snapshot["enrollments"],
    }


def test_rate_limits_outages_and_timeouts_are_retried_and_the_import_completes(
    approve_demo, sandbox, demo, sleeps, settings
):
    settings.CLEVER_PAGE_LIMIT = 20
    settings.CLEVER_TIMEOUT_SECONDS = 0.3
    clever_client = CleverClient.from_settings(retry=RetryPolicy(max_retries=4, sleep=sleeps))
    district = approve_demo("a")
    sandbox.inject_fault(path_prefix="/v3.0/users", status=429, count=2)
    sandbox.inject_fault(path_prefix="/v3.0/sections", status=503, count=1)
    sandbox.inject_fault(path_prefix="/v3.0/terms", status=None, delay_seconds=1.0)  # longer than the timeout
    run = import_run_execute(run_id=import_run_create(district=district).pk, client=clever_client)
    assert run.status == ImportStatus.SUCCEEDED, run.error
    assert len(sleeps.waits) >= 4  # two rate limits, one outage, one timeout: each waited, then retried
    expected = expected_roster(sandbox, demo["a"]["clever_id"])
    stored = stored_roster(district)
    assert stored["students"] == expected["students"]
    assert stored["sections"] == expected["sections"]
    assert stored["enrollments"] == expected["enrollments"]


def rename_students(sandbox, district_id: str, fraction: float) -> list[dict]:
    students = [u for u in sandbox.dataset.visible(district_id, "users") if has_role(u, "student")]
    changed = students[: int(len(students) * fraction) + 1]
    for user in changed:
        renamed = copy.deepcopy(user)
        renamed["name"] = {**(renamed.get("name") or {}), "first": "Changed"}
        sandbox.dataset.users[user["id"]] = renamed
    sandbox.dataset.invalidate()
    return changed


def test_a_sync_that_would_change_most_students_is_held_and_changes_nothing_until_a_rep_applies_it(
    imported_a, sandbox, rep, client
):
    changed = rename_students(sandbox, imported_a.clever_id, 0.6)
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.status == ImportStatus.HELD
    assert run.changes["students"]["changed"] == len(changed)
    assert not Student.objects.filter(district=imported_a, first_name="Changed").exists()

    client.force_login(rep)
    page = client.get(f"/admin/rosters/importrun/{run.pk}/change/")
    assert b"would change" in page.content and b"first_name" in page.content and b"Changed" in page.content

    import_run_hold_release(run=run, actor=rep, apply=True)
    assert Student.objects.filter(district=imported_a, first_name="Changed").count() == len(changed)
    assert not PendingChange.objects.filter(run=run).exists()


def test_a_discarded_held_sync_changes_nothing(imported_a, sandbox, rep):
    rename_students(sandbox, imported_a.clever_id, 0.6)
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    import_run_hold_release(run=run, actor=rep, apply=False)
    assert not Student.objects.filter(district=imported_a, first_name="Changed").exists()
    assert not PendingChange.objects.filter(run=run).exists()


def test_a_few_changes_are_applied_at_once(imported_a, sandbox):
    changed = rename_students(sandbox, imported_a.clever_id, 0.1)
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.status == ImportStatus.SUCCEEDED
    assert Student.objects.filter(district=imported_a, first_name="Changed").count() == len(changed)


def test_a_run_that_fails_after_reading_changes_applies_none_of_them(imported_a, sandbox, settings):
    settings.CLEVER_MAX_RETRIES = 0
    rename_students(sandbox, imported_a.clever_id, 0.1)
    sandbox.inject_fault(path_prefix="/v3.0/sections", status=503)
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.status == ImportStatus.FAILED
    assert not Student.objects.filter(district=imported_a, first_name="Changed").exists()
    assert not PendingChange.objects.exists()


def test_a_second_sync_of_unchanged_data_writes_nothing(imported_a):
    before = roster_snapshot(imported_a)
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert all(c["new"] == 0 and c["changed"] == 0 and c["unseen"] == 0 for c in run.changes.values())
    assert roster_snapshot(imported_a) == before


def _worker_environment() -> dict[str, str]:
    """Environment for a separate worker process that uses this test's database and sandbox."""
    env = {**os.environ, "CLEVER_API_BASE": django_settings.CLEVER_API_BASE, "CLEVER_PAGE_LIMIT": "10"}
    env["CLEVER_OAUTH_BASE"] = django_settings.CLEVER_OAUTH_BASE
    env["CLASSHUB_SYNC_LEASE_SECONDS"] = "2"
    name = connection.settings_dict["NAME"]
    if connection.vendor == "sqlite":
        env["CLASSHUB_SQLITE_PATH"] = str(name)
    else:
        base = django_settings.DATABASE_URL.rsplit("/", 1)[0]
        env["DATABASE_URL"] = f"{base}/{name}"
    return env


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_import_leaves_a_database_the_next_run_makes_equal_to_a_clean_one(
    approve_demo, sandbox, settings
):
    district = approve_demo("a")
    ImportRun.objects.filter(district=district).update(status=ImportStatus.FAILED)  # the approval's queued run
    # Slow the sections down so the worker is surely killed in the middle of writing them.
    sandbox.inject_fault(path_prefix="/v3.0/sections", status=None, delay_seconds=0.3, count=1000)
    worker = subprocess.Popen(  # noqa: S603  (our own manage.py, no outside input)
        [sys.executable, "manage.py", "import_district", district.clever_id],
        cwd=ROOT,
        env=_worker_environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180  # generous: CI machines are often busy
        while time.monotonic() < deadline:
            run = ImportRun.objects.filter(district=district, status=ImportStatus.RUNNING).first()
            if run and run.phase == ImportPhase.SECTIONS and Section.objects.filter(district=district).count() >= 10:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the worker never reached the sections")
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(timeout=30)
    sandbox.clear_faults()
    killed = ImportRun.objects.get(district=district, status=ImportStatus.RUNNING)
    partial = Section.objects.filter(district=district).count()
    assert 10 <= partial < len(sandbox.dataset.visible(district.clever_id, "sections"))

    # The next run waits out the dead worker's lease, takes over and completes.
    settings.SYNC_LEASE_SECONDS = 2
    settings.SYNC_LEASE_WAIT_SECONDS = 20
    call_command("import_district", district.clever_id)
    killed.refresh_from_db()
    assert killed.status == ImportStatus.FAILED and "took over" in killed.error
    resumed = roster_snapshot(district)

    roster_wipe(district)
    call_command("import_district", district.clever_id)
    assert roster_snapshot(district) == resumed
    assert DistrictSync.objects.get(pk=district.pk).lease_holder == ""


def test_a_new_sync_replaces_a_held_one_and_holds_again_if_the_change_is_still_there(imported_a, sandbox):
    rename_students(sandbox, imported_a.clever_id, 0.6)
    held = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    again = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    held.refresh_from_db()
    assert held.status == ImportStatus.FAILED and f"import #{again.pk}" in held.error
    assert not PendingChange.objects.filter(run=held).exists()
    assert again.status == ImportStatus.HELD


def test_sections_with_unshared_students_do_not_count_as_changed_on_every_sync(approve_demo, sandbox, demo):
    """A student of an unapproved school sits in sections of approved ones: those sections can never be
    complete, yet a sync with nothing changed must not count them as changed (and so never holds)."""
    did = demo["a"]["clever_id"]
    schools = sorted(sandbox.dataset.shared_schools[did])
    outsider = next(
        u
        for u in sandbox.dataset.visible(did, "users")
        if "student" in u["roles"] and u["roles"]["student"].get("schools") == [schools[0]]
    )
    joined = [s for s in sandbox.dataset.visible(did, "sections") if s["school"] != schools[0]][:3]
    for section in joined:
        section["students"].append(outsider["id"])
    sandbox.dataset.invalidate()
    district = approve_demo("a", schools[1:])  # the outsider's school is not approved
    queued = ImportRun.objects.filter(district=district, status=ImportStatus.QUEUED).first()
    assert import_run_execute(run_id=queued.pk).status == ImportStatus.SUCCEEDED
    second = import_run_execute(run_id=import_run_create(district=district).pk)
    assert second.status == ImportStatus.SUCCEEDED
    assert second.changes["sections"]["changed"] == 0
    assert not PendingChange.objects.filter(run=second).exists()

    # Once the outsider is shared after all, the sections change: they gain the enrollment.
    outsider["roles"]["student"]["schools"].append(schools[1])
    sandbox.dataset.invalidate()
    third = import_run_execute(run_id=import_run_create(district=district).pk)
    assert third.changes["sections"]["changed"] > 0
    assert Enrollment.objects.filter(student__clever_id=outsider["id"], section__district=district).exists()


def test_restored_records_are_not_changes_and_do_not_hold_a_sync(imported_a, sandbox):
    school = sorted(sandbox.dataset.shared_schools[imported_a.clever_id])[0]
    keep = [s for s in sandbox.dataset.shared_schools[imported_a.clever_id] if s != school]
    sandbox.share(imported_a.clever_id, keep)
    from onboarding.services import connections_sync

    connections_sync()  # archives the school with its sections and students
    sandbox.share(imported_a.clever_id, [*keep, school])
    connections_sync()  # shared again; its earlier approval still stands
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.changes["students"]["restored"] > 0 and run.changes["students"]["changed"] == 0, run.changes
    assert run.status == ImportStatus.SUCCEEDED


def test_one_empty_schools_answer_during_the_poll_archives_nothing(imported_a, sandbox):
    from onboarding.services import connections_sync

    sandbox.inject_fault(path_prefix="/v3.0/schools", status=200, body={"data": [], "links": []})
    connections_sync()  # the second read (to confirm) sees every school again
    assert not Student.objects.filter(district=imported_a, archived_at__isnull=False).exists()
    assert not Section.objects.filter(district=imported_a, archived_at__isnull=False).exists()


def test_events_for_another_districts_objects_are_never_written(imported_a, sandbox, demo):
    from rosters.services import events_sync

    stranger = {
        "id": "c" * 24,
        "district": demo["b"]["clever_id"],
        "name": {"first": "Not", "last": "Ours"},
        "roles": {"student": {"school": sorted(sandbox.dataset.shared_schools[imported_a.clever_id])[0]}},
    }
    sandbox.dataset._append_event("users.created", stranger, None, imported_a.clever_id)
    assert events_sync(district=imported_a).status == "applied"
    assert not Student.objects.filter(clever_id="c" * 24).exists()


def test_a_next_link_to_another_host_never_gets_the_token(imported_a, sandbox):
    body = {
        "data": [{"data": {"id": "0" * 24, "district": imported_a.clever_id}}],
        "links": [{"rel": "next", "uri": "https://elsewhere.example/v3.0/terms?starting_after=x"}],
    }
    sandbox.inject_fault(path_prefix="/v3.0/terms", status=200, body=body)
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.status == ImportStatus.FAILED and "leaves" in run.error
