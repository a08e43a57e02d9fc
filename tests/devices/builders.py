"""Small districts built straight in the database, so each readiness case is one readable line."""

from __future__ import annotations

import itertools

from onboarding.models import District
from rosters.models import School, Student, StudentSchool

_ids = itertools.count(1)


def clever_id() -> str:
    return f"{0xDE0000 + next(_ids):024x}"


def district(name: str = "Lakeside USD") -> District:
    return District.objects.create(clever_id=clever_id(), name=name)


def school(in_district: District, name: str) -> School:
    return School.objects.create(clever_id=clever_id(), district=in_district, name=name)


def student(
    in_district: District,
    schools: list[School],
    email: str | None,
    first: str = "Ava",
    last: str = "Smith",
    **fields,
) -> Student:
    record = Student.objects.create(
        clever_id=clever_id(),
        district=in_district,
        school=schools[0] if schools else None,
        email=email or "",
        email_key=(email or "").strip().lower(),
        first_name=first,
        last_name=last,
        **fields,
    )
    StudentSchool.objects.bulk_create(StudentSchool(student=record, school=s) for s in schools)
    return record


def grow(in_district: District, in_school: School, n: int, *, email_domain: str = "other.org") -> None:
    """Add n students of the school, every one not ready (their emails are in email_domain)."""
    base = next(_ids) * 100_000
    students = Student.objects.bulk_create(
        Student(
            clever_id=f"{0xAB000000 + base + i:024x}",
            district=in_district,
            school=in_school,
            email=f"grown{base + i}@{email_domain}",
            email_key=f"grown{base + i}@{email_domain}",
            first_name="Grown",
            last_name=f"Student{i}",
        )
        for i in range(n)
    )
    StudentSchool.objects.bulk_create(StudentSchool(student=s, school=in_school) for s in students)
