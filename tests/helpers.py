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
