"""Test helpers that read the sandbox's truth and drive the admin like a rep."""

from __future__ import annotations

from django.urls import reverse

from classhub.clever.sandbox.dataset import has_role
from onboarding.models import SharingRequest


def expected_roster(sandbox, district_id: str) -> dict[str, set]:
    """What a full import of every shared school must hold, straight from the sandbox's data."""
    users = sandbox.dataset.visible(district_id, "users")
    sections = sandbox.dataset.visible(district_id, "sections")
    students = {u["id"] for u in users if has_role(u, "student")}
    teacher_ids = {u["id"] for u in users if has_role(u, "teacher")}
    return {
        "schools": {s["id"] for s in sandbox.dataset.visible(district_id, "schools")},
        "students": students,
        "teachers": teacher_ids,
        "staff": {u["id"] for u in users if has_role(u, "staff")},
        "district_admins": {u["id"] for u in users if has_role(u, "district_admin")},
        "sections": {s["id"] for s in sections},
        "enrollments": {(s["id"], st) for s in sections for st in s.get("students") or [] if st in students},
        "section_teachers": {
            (s["id"], t)
            for s in sections
            for t in set(s.get("teachers") or []) | ({s["teacher"]} if s.get("teacher") else set())
            if t in teacher_ids
        },
    }


def admin_approve(client, sharing_request: SharingRequest, school_ids: list[str], reason: str = ""):
    """Approve through the admin action: the confirmation page, then the confirmed POST."""
    url = reverse("admin:onboarding_sharingrequest_changelist")
    page = client.post(url, {"action": "approve_requests", "_selected_action": [sharing_request.pk]})
    assert page.status_code == 200, page.content[:500]
    confirmed = client.post(
        url,
        {
            "action": "approve_requests",
            "_selected_action": [sharing_request.pk],
            "confirm": "yes",
            f"schools-{sharing_request.pk}": school_ids,
            "reason": reason,
        },
    )
    return page, confirmed


def roster_snapshot(district, *, active_only: bool = False) -> dict[str, set]:
    """The district's roster as content, keyed by Clever ids (not primary keys).

    Two databases that hold the same roster give equal snapshots, however they got there. With
    ``active_only``, archived records and links to or from them are left out.
    """
    from rosters.models import (
        Course,
        Educator,
        EducatorSchool,
        Enrollment,
        School,
        Section,
        SectionTeacher,
        Student,
        StudentSchool,
        Term,
    )

    def active(prefix: str = "") -> dict:
        return {f"{prefix}archived_at": None} if active_only else {}

    def rows(model, *relations):
        # sync_hash and row_hash are bookkeeping (how the row was last written), not roster content.
        skip = {"id", "district_id", "archived_at", "sync_hash", "row_hash", *(f"{name}_id" for name in relations)}
        records = model.objects.filter(district=district, **active())
        values = records.values(
            *[f.attname for f in model._meta.concrete_fields if f.attname not in skip],
            *(f"{name}__clever_id" for name in relations),
        )
        archived = records.filter(archived_at__isnull=False).values_list("clever_id", flat=True)
        return {tuple(sorted(row.items())) for row in values} | {("archived", cid) for cid in archived}

    def links(model, owner, target, *extra):
        found = model.objects.filter(
            **{f"{owner}__district": district}, **active(f"{owner}__"), **active(f"{target}__")
        )
        return set(found.values_list(f"{owner}__clever_id", f"{target}__clever_id", *extra))

    return {
        "schools": rows(School),
        "terms": rows(Term),
        "courses": rows(Course),
        "students": rows(Student, "school"),
        "educators": rows(Educator),
        "sections": rows(Section, "school", "term", "course"),
        "student_schools": links(StudentSchool, "student", "school"),
        "educator_schools": links(EducatorSchool, "educator", "school", "role"),
        "enrollments": links(Enrollment, "section", "student"),
        "section_teachers": links(SectionTeacher, "section", "educator", "is_primary"),
    }


def roster_wipe(district) -> None:
    """Delete the district's roster rows and sync state, so the next import starts from nothing."""
    from rosters.models import Course, DistrictSync, Educator, School, Section, Student, Term

    for model in (Section, Student, Educator, Term, Course, School):
        model.objects.filter(district=district).delete()
    DistrictSync.objects.filter(district=district).delete()
