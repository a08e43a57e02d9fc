"""Archiving what a district stopped sharing; nothing is deleted, and the next sync restores what returns."""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils import timezone

from onboarding.models import District
from rosters.models import Educator, EducatorSchool, School, Section, Student, StudentSchool


def schools_archive(*, district: District, clever_school_ids: list[str]) -> int:
    """Archive schools a district stopped sharing, with their sections and the people who belong to no
    other active school. Nothing is deleted; the next import restores whatever is shared again."""
    now = timezone.now()
    schools = School.objects.filter(district=district, clever_id__in=clever_school_ids, archived_at__isnull=True)
    school_pks = list(schools.values_list("pk", flat=True))
    archived = schools.update(archived_at=now)
    Section.objects.filter(school_id__in=school_pks, archived_at=None).update(archived_at=now)
    other_school = StudentSchool.objects.filter(student=OuterRef("pk"), school__archived_at=None)
    Student.objects.filter(
        pk__in=StudentSchool.objects.filter(school_id__in=school_pks).values("student_id"), archived_at=None
    ).exclude(Exists(other_school)).update(archived_at=now)
    other_post = EducatorSchool.objects.filter(educator=OuterRef("pk"), school__archived_at=None)
    Educator.objects.filter(
        pk__in=EducatorSchool.objects.filter(school_id__in=school_pks).values("educator_id"),
        archived_at=None,
        is_district_admin=False,  # district admins work district-wide
    ).exclude(Exists(other_post)).update(archived_at=now)
    return archived
