"""Reads of roster data, always scoped by district."""

from __future__ import annotations

from onboarding.models import District, SchoolDecision, SchoolDecisionStatus
from rosters.models import Educator, Enrollment, ImportRun, School, Section, Student


def approved_school_ids(*, district: District) -> set[str]:
    """Clever ids of the schools approved in the district's latest decided request."""
    latest = district.sharing_requests.exclude(decided_at=None).order_by("-decided_at", "-id").first()
    if latest is None:
        return set()
    return set(
        SchoolDecision.objects.filter(request=latest, decision=SchoolDecisionStatus.APPROVED).values_list(
            "clever_school_id", flat=True
        )
    )


def roster_counts(*, district: District) -> dict[str, int]:
    """How many active records of each kind the district has (one query per kind, indexed)."""
    active_educators = Educator.objects.filter(district=district, archived_at=None)
    return {
        "schools": School.objects.filter(district=district, archived_at=None).count(),
        "students": Student.objects.filter(district=district, archived_at=None).count(),
        "teachers": active_educators.filter(is_teacher=True).count(),
        "staff": active_educators.filter(is_school_staff=True).count(),
        "district_admins": active_educators.filter(is_district_admin=True).count(),
        "sections": Section.objects.filter(district=district, archived_at=None).count(),
        "enrollments": Enrollment.objects.filter(section__district=district).count(),
    }


COUNT_LABELS = {
    "schools": "Schools",
    "students": "Students",
    "teachers": "Teachers",
    "staff": "School staff",
    "district_admins": "District admins",
    "sections": "Sections",
    "enrollments": "Enrollments",
    "issues": "Records with problems",
}


def labelled_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """An import run's counts in display order, with words instead of keys."""
    return [(label, counts[key]) for key, label in COUNT_LABELS.items() if key in counts]


def latest_import_run(*, district: District) -> ImportRun | None:
    return ImportRun.objects.filter(district=district).order_by("-created_at", "-id").first()
