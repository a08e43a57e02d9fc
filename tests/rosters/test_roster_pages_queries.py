"""Pages that list roster data run the same number of queries however large the district grows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rosters.models import ImportIssue, ImportRun, School, Section, Student, StudentSchool

pytestmark = pytest.mark.django_db


def grow(district, n: int) -> None:
    """Add n students (each in a school), n sections and n issues on the last run."""
    school = School.objects.filter(district=district).first()
    base = Student.objects.count() + Section.objects.count() + ImportIssue.objects.count() + 10_000
    students = Student.objects.bulk_create(
        Student(clever_id=f"{base + i:024x}", district=district, school=school, first_name="Grown") for i in range(n)
    )
    StudentSchool.objects.bulk_create(StudentSchool(student=s, school=school) for s in students)
    Section.objects.bulk_create(
        Section(clever_id=f"{base + n + i:024x}", district=district, school=school, name="Grown") for i in range(n)
    )
    run = ImportRun.objects.filter(district=district).first()
    ImportIssue.objects.bulk_create(
        ImportIssue(run=run, kind="users", clever_id=f"{base + i:024x}", message="Broken", suggested_fix="Fix it")
        for i in range(n)
    )
    run.counts = {**run.counts, "issues": run.counts.get("issues", 0) + n}
    run.save(update_fields=["counts"])


def queries(client, url: str) -> int:
    client.get(url)  # warm the per-process caches (content types, templates) before counting
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:rosters_student_changelist",
        "admin:rosters_section_changelist",
        "admin:rosters_school_changelist",
        "admin:rosters_importrun_changelist",
        "admin:rosters_importissue_changelist",
        "admin:onboarding_district_changelist",
    ],
)
def test_admin_roster_lists_keep_their_query_count(client, rep, imported_a, url_name):
    client.force_login(rep)
    url = reverse(url_name)
    grow(imported_a, 2)
    small = queries(client, url)
    grow(imported_a, 300)
    assert queries(client, url) == small


def test_an_import_runs_admin_page_keeps_its_query_count(client, rep, imported_a):
    client.force_login(rep)
    run = ImportRun.objects.filter(district=imported_a).first()
    url = reverse("admin:rosters_importrun_change", args=[run.pk])
    grow(imported_a, 2)
    small = queries(client, url)
    grow(imported_a, 300)
    assert queries(client, url) == small


def test_the_portal_keeps_its_query_count(client, imported_a, django_user_model):
    from tests.rosters.test_issue_exports import clever_district_admin

    client.force_login(clever_district_admin(django_user_model, district_clever_id=imported_a.clever_id))
    grow(imported_a, 2)
    small = queries(client, reverse("portal:home"))
    grow(imported_a, 300)
    page_queries = queries(client, reverse("portal:home"))
    assert page_queries == small
    assert b"The first 20 are shown" in client.get(reverse("portal:home")).content
