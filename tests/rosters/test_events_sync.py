"""Incremental sync: Clever events applied in order, idempotently, page by page, converging on a full sync."""

from __future__ import annotations

import copy

import pytest

from classhub.clever.sandbox.dataset import has_role
from rosters.models import DistrictSync, Enrollment, ImportRun, ImportStatus, School, Section, Student
from rosters.services import events_sync, import_run_create, import_run_execute
from tests.helpers import roster_snapshot, roster_wipe

pytestmark = pytest.mark.django_db


def students_of(sandbox, district_id):
    return [u for u in sandbox.dataset.visible(district_id, "users") if has_role(u, "student")]


def renamed(user: dict, first: str) -> dict:
    changed = copy.deepcopy(user)
    changed["name"] = {**(changed.get("name") or {}), "first": first}
    return changed


def test_the_full_import_seeds_the_cursor_with_the_newest_event(imported_a, sandbox):
    newest = [e for e in sandbox.dataset.events if sandbox.dataset.event_district(e) == imported_a.clever_id]
    state = DistrictSync.objects.get(pk=imported_a.pk)
    assert state.events_cursor == (newest[-1]["id"] if newest else "")


def test_updates_deletes_and_restores_are_applied_and_the_cursor_moves(imported_a, sandbox):
    first, second = students_of(sandbox, imported_a.clever_id)[:2]
    sandbox.add_event("users.updated", renamed(first, "Renamed"), {"name": first["name"]})
    sandbox.add_event("users.deleted", second)
    result = events_sync(district=imported_a)
    assert (result.status, result.applied) == ("applied", 2)
    assert Student.objects.get(clever_id=first["id"]).first_name == "Renamed"
    gone = Student.objects.get(clever_id=second["id"])
    assert gone.archived_at is not None  # archived, never deleted
    assert DistrictSync.objects.get(pk=imported_a.pk).events_cursor == sandbox.dataset.events[-1]["id"]

    sandbox.add_event("users.created", second)  # shared again
    events_sync(district=imported_a)
    back = Student.objects.get(clever_id=second["id"])
    assert back.pk == gone.pk and back.archived_at is None


def test_applying_the_same_page_twice_leaves_the_same_state(imported_a, sandbox):
    before = DistrictSync.objects.get(pk=imported_a.pk).events_cursor
    first, second = students_of(sandbox, imported_a.clever_id)[:2]
    section = sandbox.dataset.visible(imported_a.clever_id, "sections")[0]
    sandbox.add_event("users.updated", renamed(first, "Once"), {})
    sandbox.add_event("sections.updated", {**section, "students": [second["id"]]}, {"students": section["students"]})
    events_sync(district=imported_a)
    once = roster_snapshot(imported_a)
    DistrictSync.objects.filter(pk=imported_a.pk).update(events_cursor=before)  # replay the same events
    assert events_sync(district=imported_a).applied == 2
    assert roster_snapshot(imported_a) == once
    assert list(
        Enrollment.objects.filter(section__clever_id=section["id"]).values_list("student__clever_id", flat=True)
    ) == [second["id"]]


def test_events_are_read_a_page_at_a_time_and_a_fault_keeps_the_pages_already_applied(imported_a, sandbox, settings):
    settings.CLEVER_PAGE_LIMIT = 2
    settings.CLEVER_MAX_RETRIES = 0
    students = students_of(sandbox, imported_a.clever_id)[:5]
    for n, student in enumerate(students):
        sandbox.add_event("users.updated", renamed(student, f"Paged{n}"), {})
    sandbox.inject_fault(path_prefix="/v3.0/events", status=None)  # the first page goes through...
    sandbox.inject_fault(path_prefix="/v3.0/events", status=503)  # ...the second one fails
    # (a fault with status None only delays; it is consumed by the first request)
    failed = events_sync(district=imported_a)
    assert failed.status == "failed" and failed.pages == 1
    assert DistrictSync.objects.get(pk=imported_a.pk).events_cursor == sandbox.dataset.events[-4]["id"]
    resumed = events_sync(district=imported_a)
    assert resumed.status == "applied" and resumed.applied == 3 and resumed.pages == 2
    assert [Student.objects.get(clever_id=s["id"]).first_name for s in students] == [f"Paged{n}" for n in range(5)]


def test_unknown_event_types_and_out_of_scope_records_do_not_stop_the_sync(imported_a, sandbox, demo):
    student = students_of(sandbox, imported_a.clever_id)[0]
    # _append_event records an event without the sandbox's own checks, as a newer Clever might send it.
    sandbox.dataset._append_event("widgets.updated", {"id": "1" * 24}, {}, imported_a.clever_id)
    moved = copy.deepcopy(student)  # now only in a school the district did not approve
    moved["roles"]["student"].update(school="9" * 24, schools=["9" * 24])
    sandbox.dataset._append_event("users.updated", moved, {}, imported_a.clever_id)
    result = events_sync(district=imported_a)
    assert result.status == "applied"
    assert Student.objects.get(clever_id=student["id"]).archived_at is not None  # out of scope now


def test_a_cursor_clever_no_longer_knows_queues_a_full_sync(imported_a, sandbox):
    DistrictSync.objects.filter(pk=imported_a.pk).update(events_cursor="0" * 23 + "1")
    result = events_sync(district=imported_a)
    assert result.status == "resync"
    assert DistrictSync.objects.get(pk=imported_a.pk).events_cursor is None
    assert ImportRun.objects.filter(district=imported_a, status=ImportStatus.QUEUED).exists()


def test_an_unshared_school_event_archives_the_school_and_its_sections(imported_a, sandbox):
    school = School.objects.filter(district=imported_a).first()
    keep = [s for s in sandbox.dataset.shared_schools[imported_a.clever_id] if s != school.clever_id]
    sandbox.share(imported_a.clever_id, keep)  # emits schools/users/sections.deleted events
    events_sync(district=imported_a)
    school.refresh_from_db()
    assert school.archived_at is not None
    assert not Section.objects.filter(school=school, archived_at=None).exists()


def test_events_converge_on_what_a_full_sync_would_hold(imported_a, sandbox):
    """After a mix of events, the roster equals a clean full import of the same Clever data."""
    students = students_of(sandbox, imported_a.clever_id)
    sections = sandbox.dataset.visible(imported_a.clever_id, "sections")
    sandbox.add_event("users.updated", renamed(students[0], "Events"), {})
    sandbox.add_event("users.deleted", students[1])
    new_student = copy.deepcopy(students[2])
    new_student["id"] = "e" * 24
    sandbox.add_event("users.created", new_student)
    sandbox.add_event("sections.updated", {**sections[0], "students": [students[3]["id"], new_student["id"]]}, {})
    sandbox.add_event("sections.deleted", sections[1])
    sandbox.add_event("users.updated", renamed(students[0], "Events again"), {})
    events_sync(district=imported_a)
    by_events = roster_snapshot(imported_a, active_only=True)

    roster_wipe(imported_a)
    clean = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert clean.status == ImportStatus.SUCCEEDED
    # A clean import never saw what was deleted before it: compare what both hold as active.
    assert roster_snapshot(imported_a, active_only=True) == by_events
