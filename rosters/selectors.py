"""Reads of roster data, always scoped by district."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from onboarding.models import District, SchoolDecision, SchoolDecisionStatus, SharedSchool
from rosters.models import Educator, Enrollment, ImportRun, School, Section, SectionTeacher, Student


def approved_school_ids(*, district: District) -> set[str]:
    """Clever ids of the schools the district shares now whose latest decision is "approved"."""
    latest: dict[str, str] = {}
    decided = SchoolDecision.objects.filter(request__district=district, request__decided_at__isnull=False)
    for clever_id, decision in decided.order_by("request__decided_at", "request_id").values_list(
        "clever_school_id", "decision"
    ):
        latest[clever_id] = decision  # later requests override earlier ones
    shared_now = shared_school_ids(district=district)
    return {
        clever_id for clever_id, decision in latest.items() if decision == SchoolDecisionStatus.APPROVED
    } & shared_now


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
        # Information only: a teacher without classes still signs in and can make a ClassHub-only class.
        "teachers_without_sections": active_educators.filter(is_teacher=True)
        .exclude(Exists(SectionTeacher.objects.filter(educator=OuterRef("pk"), section__archived_at=None)))
        .count(),
    }


def latest_import_run(*, district: District) -> ImportRun | None:
    return ImportRun.objects.filter(district=district).order_by("-created_at", "-id").first()


COUNT_LABELS = {
    "schools": "Schools",
    "students": "Students",
    "teachers": "Teachers",
    "staff": "School staff",
    "district_admins": "District admins",
    "sections": "Sections",
    "enrollments": "Enrollments",
    "teachers_without_sections": "Teachers without classes (they can still sign in)",
    "issues": "Records with problems",
}


def labelled_counts(counts: dict[str, int]) -> list[tuple[str, int]]:
    """An import run's counts in display order, with words instead of keys."""
    return [(label, counts[key]) for key, label in COUNT_LABELS.items() if key in counts]


def pending_changes_preview(*, run: ImportRun, per_kind: int = 10) -> list[dict]:
    """A sample of what a held run would change, per kind and action, for the rep to judge.

    Each entry names the record and, for updates, the fields that would change (old → new).
    A fixed number of small queries: one per kind and action for the sample, one per kind for names.
    """
    from rosters.importer.tables import KIND_MODELS
    from rosters.models import PendingChange

    preview = []
    for kind, model in KIND_MODELS.items():
        samples = []
        for action in (PendingChange.Action.UPDATE, PendingChange.Action.ARCHIVE):
            samples += list(PendingChange.objects.filter(run=run, kind=kind, action=action).order_by("id")[:per_kind])
        if not samples:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        stored = {row["id"]: row for row in model.objects.filter(pk__in=[c.record_id for c in samples]).values(*fields)}
        for change in samples:
            current = stored.get(change.record_id, {})
            name = " ".join(filter(None, [current.get("first_name"), current.get("last_name")])) or current.get(
                "name", ""
            )
            differences = []
            if change.action == PendingChange.Action.UPDATE:
                for column, new in (change.payload or {}).get("row", {}).items():
                    old = current.get(column)
                    old = old.isoformat() if hasattr(old, "isoformat") else old
                    if old != new:
                        differences.append((column, old, new))
                if current.get("archived_at"):
                    differences.append(("archived", "yes", "no (restored)"))
            preview.append(
                {
                    "kind": kind,
                    "action": change.get_action_display(),
                    "clever_id": current.get("clever_id", ""),
                    "name": name or current.get("clever_id", ""),
                    "differences": differences,
                }
            )
    return preview


def shared_school_ids(*, district: District) -> set[str]:
    """Clever ids of every school the district shares now, approved or not."""
    return set(
        SharedSchool.objects.filter(district=district, unshared_at=None).values_list("clever_school_id", flat=True)
    )
