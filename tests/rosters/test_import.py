"""Import v1: approved schools only, every kind, messy data tolerated, faults handled."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from classhub.clever.sandbox.dataset import has_role
from onboarding.models import DistrictStatus
from rosters.models import (
    Educator,
    Enrollment,
    ImportRun,
    ImportStatus,
    School,
    Section,
    SectionTeacher,
    Student,
    StudentSchool,
)
from rosters.services import import_run_create, import_run_execute, missing_required_data

pytestmark = pytest.mark.django_db


def run_import(district):
    return import_run_execute(run_id=import_run_create(district=district).pk)


def test_only_approved_schools_and_their_people_are_imported(approve_demo, sandbox, demo):
    schools = sandbox.dataset.visible(demo["b"]["clever_id"], "schools")
    approved = schools[0]["id"]
    district = approve_demo("b", [approved])
    run = run_import(district)
    assert run.status == ImportStatus.SUCCEEDED

    assert list(School.objects.filter(district=district).values_list("clever_id", flat=True)) == [approved]
    assert set(Section.objects.filter(district=district).values_list("school__clever_id", flat=True)) <= {approved}
    for student in Student.objects.filter(district=district):
        assert StudentSchool.objects.filter(student=student, school__clever_id=approved).exists()
    in_approved = {
        u["id"]
        for u in sandbox.dataset.visible(demo["b"]["clever_id"], "users")
        if has_role(u, "student")
        and approved in (set(u["roles"]["student"].get("schools") or []) | {u["roles"]["student"].get("school")})
    }
    assert set(Student.objects.filter(district=district).values_list("clever_id", flat=True)) == in_approved


def test_messy_clever_data_is_imported_without_failing(approve_demo, sandbox, demo):
    district = approve_demo("a")
    run = run_import(district)
    assert run.status == ImportStatus.SUCCEEDED
    data = sandbox.dataset
    users = data.visible(district.clever_id, "users")

    # Students without email are imported with an empty email.
    no_email = [u["id"] for u in users if has_role(u, "student") and not u.get("email")]
    assert no_email and Student.objects.filter(clever_id__in=no_email, email="").count() == len(no_email)
    # A student in several schools is linked to each, with the primary as their school.
    multi = next(u for u in users if has_role(u, "student") and len(u["roles"]["student"].get("schools") or []) > 1)
    stored = Student.objects.get(clever_id=multi["id"])
    assert stored.school.clever_id == multi["roles"]["student"]["school"]
    assert set(stored.school_links.values_list("school__clever_id", flat=True)) == set(
        multi["roles"]["student"]["schools"]
    )
    # Contacts are never stored.
    contacts = [u["id"] for u in users if has_role(u, "contact")]
    assert contacts
    assert not Student.objects.filter(clever_id__in=contacts).exists()
    assert not Educator.objects.filter(clever_id__in=contacts).exists()
    # One person who is teacher and district admin is one row with both roles.
    both = next(u for u in users if has_role(u, "teacher") and has_role(u, "district_admin"))
    person = Educator.objects.get(clever_id=both["id"])
    assert person.is_teacher and person.is_district_admin
    # Co-teachers and the primary teacher; a section without a primary teacher still has its teachers.
    co_taught = next(s for s in data.visible(district.clever_id, "sections") if len(s.get("teachers") or []) > 1)
    links = SectionTeacher.objects.filter(section__clever_id=co_taught["id"])
    assert links.count() == len(set(co_taught["teachers"]) | {co_taught.get("teacher")} - {None})
    if co_taught.get("teacher"):
        assert links.get(is_primary=True).educator.clever_id == co_taught["teacher"]
    no_primary = next(s for s in data.visible(district.clever_id, "sections") if not s.get("teacher"))
    assert not SectionTeacher.objects.filter(section__clever_id=no_primary["id"], is_primary=True).exists()
    # A teacher without sections is imported and can use ClassHub.
    taught = {t for s in data.visible(district.clever_id, "sections") for t in (s.get("teachers") or [])}
    idle = next(u for u in users if has_role(u, "teacher") and u["id"] not in taught)
    assert Educator.objects.get(clever_id=idle["id"]).is_teacher


def test_an_import_with_a_shared_school_without_sections_still_succeeds(approve_demo, sandbox, demo):
    district = approve_demo("a")
    run = run_import(district)
    with_sections = set(Section.objects.filter(district=district).values_list("school__clever_id", flat=True))
    assert School.objects.filter(district=district).exclude(clever_id__in=with_sections).exists()
    assert run.status == ImportStatus.SUCCEEDED
    district.refresh_from_db()
    assert district.status == DistrictStatus.IMPORTED


def test_missing_required_data_says_what_and_how():
    problems = missing_required_data({"schools": 1, "students": 5, "teachers": 1, "sections": 0, "staff": 0})
    assert any("Clever Support" in p and "sections" in p for p in problems)
    assert any("district or school admin" in p for p in problems)
    assert (
        missing_required_data(
            {"schools": 1, "students": 1, "teachers": 1, "sections": 1, "staff": 0, "district_admins": 1}
        )
        == []
    )


def test_a_revoked_token_fails_the_run_disconnects_the_district_and_keeps_data(approve_demo, sandbox, demo):
    district = approve_demo("a")
    run_import(district)
    students = Student.objects.filter(district=district).count()
    sandbox.revoke_token(district.clever_id)  # the district removed ClassHub: its token leaves Clever's list
    run = run_import(district)
    assert run.status == ImportStatus.FAILED
    assert "removed ClassHub" in run.error
    district.refresh_from_db()
    assert district.status == DistrictStatus.DISCONNECTED
    assert Student.objects.filter(district=district).count() == students


def test_a_401_for_a_token_clever_still_lists_fails_the_run_but_does_not_disconnect(approve_demo, sandbox):
    district = approve_demo("a")
    run_import(district)
    sandbox.inject_fault(path_prefix="/v3.0/users", status=401, count=2)  # the call, and the one after refetching
    run = run_import(district)
    assert run.status == ImportStatus.FAILED and "try again" in run.error
    district.refresh_from_db()
    assert district.status != DistrictStatus.DISCONNECTED  # only the token list says a district left


def test_clever_outage_fails_the_run_with_a_message_and_a_rerun_completes(approve_demo, sandbox, demo, settings):
    settings.CLEVER_MAX_RETRIES = 0
    district = approve_demo("a")
    sandbox.inject_fault(path_prefix="/v3.0/sections", status=503, count=1)
    failed = run_import(district)
    assert failed.status == ImportStatus.FAILED and "can be run again" in failed.error
    district.refresh_from_db()
    assert district.status == DistrictStatus.NEEDS_ATTENTION
    again = run_import(district)
    assert again.status == ImportStatus.SUCCEEDED
    assert Enrollment.objects.filter(section__district=district).count() == again.counts["enrollments"]


def test_a_finished_run_is_never_redone(approve_demo):
    district = approve_demo("a")
    run = run_import(district)
    finished_at = run.finished_at
    assert import_run_execute(run_id=run.pk).finished_at == finished_at


def test_progress_is_recorded_per_page(approve_demo, settings):
    settings.CLEVER_PAGE_LIMIT = 10
    district = approve_demo("a")
    seen = []
    run = import_run_execute(
        run_id=import_run_create(district=district).pk, on_progress=lambda r: seen.append((r.phase, r.done))
    )
    phases = [phase for phase, _ in seen]
    assert phases.index("schools") < phases.index("users") < phases.index("sections")
    dones = [done for _, done in seen]
    assert dones == sorted(dones) and dones[-1] == run.total > 0


def test_import_district_command_runs_the_same_service(approve_demo, capsys):
    district = approve_demo("a")
    call_command("import_district", district.clever_id)
    assert "succeeded" in capsys.readouterr().out
    assert ImportRun.objects.filter(district=district, status=ImportStatus.SUCCEEDED).exists()


def test_import_district_command_explains_unknown_and_unapproved_districts(approve_demo, demo):
    with pytest.raises(CommandError, match="sync_clever_connections"):
        call_command("import_district", "0" * 24)
    with pytest.raises(CommandError, match="no approved schools"):
        call_command("import_district", demo["b"]["clever_id"])


def test_a_task_for_a_deleted_run_does_nothing():
    from rosters.tasks import import_run_task

    assert "no longer exists" in import_run_task(987654)
