"""Records Clever sends broken become import issue rows; the good ones around them are kept."""

from __future__ import annotations

import pytest

from classhub.clever.sandbox import SandboxDataset, SandboxServer
from onboarding.models import SharingRequest
from onboarding.services import connections_sync, district_purchase_record, sharing_request_approve
from rosters.models import Educator, ImportIssue, ImportStatus, Section, Student
from rosters.services import import_run_create, import_run_execute

pytestmark = pytest.mark.django_db

DISTRICT = "d" * 24
SCHOOL = "5" * 24


def hexid(n: int) -> str:
    return f"{n:024x}"


def messy_users() -> list[dict]:
    """Users as a broken SIS export might send them; the sandbox serves them as one /users page."""
    return [
        {
            "id": hexid(1),
            "district": DISTRICT,
            "name": {"first": "Ada", "last": "Good"},
            "roles": {"student": {"school": SCHOOL, "schools": [SCHOOL], "grade": "Grade13Plus"}},
        },
        {"id": hexid(2), "district": DISTRICT, "name": "Plain String", "roles": {"student": {"school": SCHOOL}}},
        {"id": hexid(3), "district": DISTRICT, "roles": None},  # no roles
        {"id": hexid(4), "district": DISTRICT, "roles": {"student": "yes"}},  # role of the wrong type
        {"id": hexid(5), "district": DISTRICT, "roles": {"astronaut": {}}},  # only an unknown role
        {"id": "a" * 70, "district": DISTRICT, "roles": {"student": {"school": SCHOOL}}},  # over-long id
        {"id": "a" * 69, "district": DISTRICT, "roles": {"student": {"school": SCHOOL}}},  # would collide if cut
        {"id": 12345, "district": DISTRICT, "roles": {"student": {"school": SCHOOL}}},  # id of the wrong type
        "not an object",
        {
            "id": hexid(6),
            "district": DISTRICT,
            "name": {"first": 12345, "last": None},
            "roles": {"teacher": {"school": SCHOOL}, "district_admin": {}},
        },
        {"id": hexid(7), "district": DISTRICT, "name": {"last": "Parent"}, "roles": {"contact": {}}},
    ]


def messy_dataset() -> SandboxDataset:
    school = {"id": SCHOOL, "district": DISTRICT, "name": "Messy Middle School"}
    users = [u for u in messy_users() if isinstance(u, dict) and isinstance(u.get("id"), str)]
    sections = [
        {
            "id": hexid(20),
            "district": DISTRICT,
            "school": SCHOOL,
            "name": "Good",
            "students": [hexid(1), 7],
            "teachers": [hexid(6)],
            "teacher": hexid(6),
        },
        {"id": hexid(21), "district": DISTRICT, "name": "No school", "students": [hexid(1)]},
    ]
    return SandboxDataset(
        districts={DISTRICT: {"id": DISTRICT, "name": "Messy District"}},
        schools={SCHOOL: school},
        users={u["id"]: u for u in users},
        sections={s["id"]: s for s in sections},
        shared_schools={DISTRICT: {SCHOOL}},
    )


@pytest.fixture
def messy_sandbox(settings):
    server = SandboxServer(
        messy_dataset(), client_id=settings.CLEVER_CLIENT_ID, client_secret=settings.CLEVER_CLIENT_SECRET, quiet=True
    ).start()
    settings.CLEVER_API_BASE = settings.CLEVER_OAUTH_BASE = server.url
    yield server
    server.stop()


def test_unusable_records_become_one_issue_each_and_the_rest_is_imported(messy_sandbox, rep):
    page = {"data": [{"data": u} for u in messy_users()], "links": []}
    messy_sandbox.inject_fault(path_prefix="/v3.0/users", status=200, count=1, body=page)
    sections = {"data": [{"data": s} for s in messy_dataset().sections.values()], "links": []}
    messy_sandbox.inject_fault(path_prefix="/v3.0/sections", status=200, count=1, body=sections)
    connections_sync()
    request = SharingRequest.objects.get(district__clever_id=DISTRICT)
    district_purchase_record(district=request.district, purchase_status="already_purchased", actor=rep)
    sharing_request_approve(request=request, school_ids=[SCHOOL], actor=rep)
    run = import_run_execute(run_id=import_run_create(district=request.district).pk)
    assert run.status == ImportStatus.SUCCEEDED

    issues = [(i.kind, i.clever_id, i.field) for i in ImportIssue.objects.filter(run=run)]
    assert ("users", hexid(3), "roles") in issues
    assert ("users", hexid(4), "roles.student") in issues
    assert ("users", hexid(5), "roles") in issues
    assert ("sections", hexid(21), "school") in issues
    assert ("users", "", "") in issues  # the record that is not an object
    assert sum(1 for kind, _id, field in issues if kind == "users" and field == "id") == 3  # never merged
    unusable_users = len(messy_users()) - 4  # four users are fine (two students, the teacher, the contact)
    assert sum(1 for kind, *_ in issues if kind == "users") == unusable_users
    assert all(i.message and i.suggested_fix for i in ImportIssue.objects.filter(run=run))

    good = Student.objects.get(clever_id=hexid(1))
    assert good.grade == "Grade13Plus"  # unknown enum values are kept as sent
    assert Student.objects.get(clever_id=hexid(2)).last_name == "Plain String"
    person = Educator.objects.get(clever_id=hexid(6))
    assert person.is_teacher and person.is_district_admin and person.first_name == "12345"
    assert not Student.objects.filter(clever_id=hexid(7)).exists()
    assert not Educator.objects.filter(clever_id=hexid(7)).exists()
    assert list(Section.objects.values_list("clever_id", flat=True)) == [hexid(20)]
    assert run.counts["issues"] == ImportIssue.objects.filter(run=run).count()
