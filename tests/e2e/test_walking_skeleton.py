"""A demo district from its Clever request to imported, through the real sandbox and the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse

from onboarding.models import District, DistrictStatus, SharingRequest
from onboarding.services import connections_sync
from rosters.models import (
    Educator,
    Enrollment,
    ImportRun,
    ImportStatus,
    School,
    Section,
    SectionTeacher,
    Student,
)
from tests.helpers import admin_approve, expected_roster

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]


def database_roster(district: District) -> dict[str, set]:
    educators = Educator.objects.filter(district=district)
    return {
        "schools": set(School.objects.filter(district=district).values_list("clever_id", flat=True)),
        "students": set(Student.objects.filter(district=district).values_list("clever_id", flat=True)),
        "teachers": set(educators.filter(is_teacher=True).values_list("clever_id", flat=True)),
        "staff": set(educators.filter(is_school_staff=True).values_list("clever_id", flat=True)),
        "district_admins": set(educators.filter(is_district_admin=True).values_list("clever_id", flat=True)),
        "sections": set(Section.objects.filter(district=district).values_list("clever_id", flat=True)),
        "enrollments": set(
            Enrollment.objects.filter(section__district=district).values_list(
                "section__clever_id", "student__clever_id"
            )
        ),
        "section_teachers": set(
            SectionTeacher.objects.filter(section__district=district).values_list(
                "section__clever_id", "educator__clever_id"
            )
        ),
    }


def snapshot_tables(district: District) -> dict[str, list]:
    """Every stored column of the district's roster rows, to prove a second import changes nothing."""
    # last_seen_run is bookkeeping: it names the run that last saw a record, so it moves with every run.
    return {
        model.__name__: sorted(
            repr({k: v for k, v in row.items() if k != "last_seen_run"})
            for row in model.objects.filter(district=district).values()
        )
        for model in (School, Student, Educator, Section)
    } | {"Enrollment": sorted(Enrollment.objects.filter(section__district=district).values_list("pk", flat=True))}


def test_demo_district_goes_from_request_to_imported(client, rep, sandbox, demo, queued_tasks):
    from django.core.management import call_command

    call_command("demo_setup")
    result = connections_sync()
    assert len(result.new) == 3

    district = District.objects.get(clever_id=demo["a"]["clever_id"])
    assert district.status == DistrictStatus.IN_REVIEW
    sharing_request = SharingRequest.objects.get(district=district)
    shared = sorted(sharing_request.school_decisions.values_list("clever_school_id", flat=True))
    assert all(sharing_request.school_decisions.values_list("in_rollout_plan", flat=True))

    client.force_login(rep)
    page, confirmed = admin_approve(client, sharing_request, shared)
    assert b"Approve sharing requests" in page.content
    for decision in sharing_request.school_decisions.all():
        assert decision.school_name.encode() in page.content
    assert confirmed.status_code == 302

    run = ImportRun.objects.get(district=district)
    assert run.status == ImportStatus.QUEUED
    queued_tasks()  # the worker's part: run what the approval queued
    run.refresh_from_db()
    assert run.status == ImportStatus.SUCCEEDED, run.error

    expected = expected_roster(sandbox, district.clever_id)
    assert database_roster(district) == expected

    body = client.get(reverse("api-district", args=[district.clever_id])).json()
    assert body["clever_id"] == district.clever_id
    assert body["status"] == DistrictStatus.IMPORTED
    assert sorted(s["clever_id"] for s in body["schools"]) == sorted(expected["schools"])
    assert {s["decision"] for s in body["schools"]} == {"approved"}
    assert body["last_import"]["status"] == "succeeded"
    assert body["last_import"]["counts"] == {
        kind: len(expected[kind])
        for kind in ("schools", "students", "teachers", "staff", "district_admins", "sections", "enrollments")
    } | {
        "issues": 0,
        # information only: teachers without classes are imported and can still sign in
        "teachers_without_sections": len(expected["teachers"] - {t for _s, t in expected["section_teachers"]}),
    }

    # A second import changes nothing.
    before = snapshot_tables(district)
    from rosters.services import import_run_create, import_run_execute

    second = import_run_execute(run_id=import_run_create(district=district).pk)
    assert second.status == ImportStatus.SUCCEEDED
    assert snapshot_tables(district) == before
    assert second.counts == run.counts
