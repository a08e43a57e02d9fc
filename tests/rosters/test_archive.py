"""After a complete run, what Clever no longer shares is archived (never deleted) and restored if it returns."""

from __future__ import annotations

import pytest

from classhub.clever.sandbox.dataset import has_role
from onboarding.models import AuditEvent
from rosters.models import ImportStatus, Student
from rosters.services import import_run_create, import_run_execute, import_run_hold_release

pytestmark = pytest.mark.django_db


def run_import(district):
    return import_run_execute(run_id=import_run_create(district=district).pk)


def remove_students(sandbox, district_id: str, how_many: int) -> list[dict]:
    students = [u for u in sandbox.dataset.visible(district_id, "users") if has_role(u, "student")][:how_many]
    for student in students:
        sandbox.dataset.users.pop(student["id"])
    sandbox.dataset.invalidate()
    return students


def restore(sandbox, users: list[dict]) -> None:
    for user in users:
        sandbox.dataset.users[user["id"]] = user
    sandbox.dataset.invalidate()


def test_a_student_clever_stops_sharing_is_archived_and_comes_back_with_its_history(imported_a, sandbox):
    [gone] = remove_students(sandbox, imported_a.clever_id, 1)
    pk = Student.objects.get(clever_id=gone["id"]).pk
    run = run_import(imported_a)
    assert run.status == ImportStatus.SUCCEEDED
    assert Student.objects.get(pk=pk).archived_at is not None
    assert run.counts["students"] == Student.objects.filter(district=imported_a, archived_at=None).count()

    restore(sandbox, [gone])
    run_import(imported_a)
    back = Student.objects.get(clever_id=gone["id"])
    assert back.pk == pk and back.archived_at is None  # the same row: its history stays attached


def test_a_failed_run_archives_nothing(imported_a, sandbox, settings):
    settings.CLEVER_MAX_RETRIES = 0
    remove_students(sandbox, imported_a.clever_id, 1)
    sandbox.inject_fault(path_prefix="/v3.0/sections", status=503, count=1)
    run = run_import(imported_a)
    assert run.status == ImportStatus.FAILED
    assert not Student.objects.filter(district=imported_a, archived_at__isnull=False).exists()


def test_archiving_more_than_the_threshold_waits_for_a_rep(imported_a, sandbox, rep):
    active = Student.objects.filter(district=imported_a, archived_at=None).count()
    removed = remove_students(sandbox, imported_a.clever_id, active // 5)  # 20% of the students
    run = run_import(imported_a)
    assert run.status == ImportStatus.HELD
    assert run.changes["students"] == {"new": 0, "changed": 0, "restored": 0, "unseen": len(removed), "active": active}
    assert not Student.objects.filter(district=imported_a, archived_at__isnull=False).exists()
    assert AuditEvent.objects.filter(district=imported_a, action="rosters.import.held").exists()

    run = import_run_hold_release(run=run, actor=rep, apply=True)
    assert run.status == ImportStatus.SUCCEEDED
    assert Student.objects.filter(district=imported_a, archived_at__isnull=False).count() == len(removed)


def test_a_rep_can_discard_a_held_archive(imported_a, sandbox, rep):
    remove_students(sandbox, imported_a.clever_id, 30)
    run = run_import(imported_a)
    assert run.status == ImportStatus.HELD
    import_run_hold_release(run=run, actor=rep, apply=False)
    assert not Student.objects.filter(district=imported_a, archived_at__isnull=False).exists()
    assert AuditEvent.objects.filter(district=imported_a, action="rosters.import.changes_discarded").exists()


def test_the_admin_applies_a_held_archive_for_reps(client, group_rep, imported_a, sandbox):
    from django.urls import reverse

    remove_students(sandbox, imported_a.clever_id, 30)
    run = run_import(imported_a)
    client.force_login(group_rep)
    page = client.get(reverse("admin:rosters_importrun_change", args=[run.pk]))
    assert b"students: 0 new, 0 changed, 0 restored, 30 no longer shared" in page.content
    client.post(
        reverse("admin:rosters_importrun_changelist"), {"action": "apply_held_changes", "_selected_action": [run.pk]}
    )
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED
    assert Student.objects.filter(district=imported_a, archived_at__isnull=False).count() == 30
