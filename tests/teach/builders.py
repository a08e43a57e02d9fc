"""Small rosters built straight in the database, so each teacher-home case reads in a few lines."""

from __future__ import annotations

import datetime as dt
import itertools

from onboarding.models import District
from rosters.models import (
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

_ids = itertools.count(1)


def clever_id() -> str:
    """A unique 24-hex Clever-like id."""
    return f"{0x7EAC0000 + next(_ids):024x}"


def district(name: str = "Lakeside USD") -> District:
    return District.objects.create(clever_id=clever_id(), name=name)


def school(of: District, name: str) -> School:
    return School.objects.create(clever_id=clever_id(), district=of, name=name)


def term(of: District, start: dt.date | None, end: dt.date | None, name: str = "Term") -> Term:
    return Term.objects.create(clever_id=clever_id(), district=of, name=name, start_date=start, end_date=end)


def teacher(of: District, schools: list[School], first: str = "Pat", last: str = "Lee", **fields) -> Educator:
    fields.setdefault("is_teacher", True)
    record = Educator.objects.create(clever_id=clever_id(), district=of, first_name=first, last_name=last, **fields)
    EducatorSchool.objects.bulk_create(
        EducatorSchool(educator=record, school=s, role=EducatorSchool.Role.TEACHER) for s in schools
    )
    return record


def student(of: District, schools: list[School], first: str = "Ava", last: str = "Smith", **fields) -> Student:
    email = fields.pop("email", f"{first}.{last}.{next(_ids)}@lakeside.org".lower())
    record = Student.objects.create(
        clever_id=clever_id(),
        district=of,
        school=schools[0] if schools else None,
        first_name=first,
        last_name=last,
        email=email,
        email_key=email.strip().lower(),
        **fields,
    )
    StudentSchool.objects.bulk_create(StudentSchool(student=record, school=s) for s in schools)
    return record


def section(
    at: School,
    teachers: list[tuple[Educator, bool]],
    students: list[Student] = (),
    *,
    name: str = "Math",
    term: Term | None = None,
    **fields,
) -> Section:
    """A section of a school; ``teachers`` as (educator, is_primary) pairs."""
    record = Section.objects.create(
        clever_id=clever_id(), district_id=at.district_id, school=at, name=name, term=term, **fields
    )
    SectionTeacher.objects.bulk_create(
        SectionTeacher(section=record, educator=e, is_primary=primary) for e, primary in teachers
    )
    Enrollment.objects.bulk_create(Enrollment(section=record, student=s) for s in students)
    return record


def many_students(of: District, at: School, n: int, *, last: str = "Student") -> list[Student]:
    """n students of a school, written in bulk (for the query-count tests)."""
    base = next(_ids) * 100_000
    created = Student.objects.bulk_create(
        Student(
            clever_id=f"{0x5EED0000000 + base + i:024x}",
            district=of,
            school=at,
            first_name=f"Kid{i}",
            last_name=f"{last}{i:05d}",
            email=f"kid{base + i}@lakeside.org",
            email_key=f"kid{base + i}@lakeside.org",
            grade=str(1 + i % 12),
        )
        for i in range(n)
    )
    StudentSchool.objects.bulk_create(StudentSchool(student=s, school=at) for s in created)
    return created
