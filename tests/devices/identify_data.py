"""Small districts built directly in the database, for the identify API's tests."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from devices.models import DeviceSetup, DomainKind, SetupDomain
from onboarding.models import District
from rosters.models import Educator, Enrollment, School, Section, SectionTeacher, Student, StudentSchool, Term

_ids = itertools.count(1)


def clever_id(prefix: str) -> str:
    """A unique Clever-like id (24 characters)."""
    return f"{prefix}{next(_ids):0{24 - len(prefix)}d}"


def district(name: str) -> District:
    return District.objects.create(clever_id=clever_id("d"), name=name)


def school(of: District, name: str) -> School:
    return School.objects.create(clever_id=clever_id("sc"), district=of, name=name)


def student(of: District, at: School, email: str, *, first="Ada", last="Lovelace", grade="7", also=()) -> Student:
    record = Student.objects.create(
        clever_id=clever_id("st"),
        district=of,
        school=at,
        email=email,
        first_name=first,
        last_name=last,
        grade=grade,
        email_key=email.strip().lower(),  # as the importer writes it
    )
    for linked in (at, *also):
        StudentSchool.objects.create(student=record, school=linked)
    return record


def teacher(of: District, first: str, last: str) -> Educator:
    return Educator.objects.create(
        clever_id=clever_id("te"), district=of, first_name=first, last_name=last, is_teacher=True
    )


def term(of: District, *, current: bool = True) -> Term:
    today = timezone.localdate()
    start = today - dt.timedelta(days=30) if current else today - dt.timedelta(days=400)
    end = today + dt.timedelta(days=30) if current else today - dt.timedelta(days=200)
    return Term.objects.create(clever_id=clever_id("tm"), district=of, name="Term", start_date=start, end_date=end)


def section(of: District, at: School, name: str, *, period="1", term_=None, teachers=(), students=()) -> Section:
    record = Section.objects.create(
        clever_id=clever_id("se"), district=of, school=at, name=name, period=period, term=term_
    )
    for position, educator in enumerate(teachers):
        SectionTeacher.objects.create(section=record, educator=educator, is_primary=position == 0)
    for enrolled in students:
        Enrollment.objects.create(section=record, student=enrolled)
    return record


def setup(of: District, at: School | None = None, *, google=(), windows=(), platforms=("chromebook",)) -> DeviceSetup:
    record = DeviceSetup.objects.create(district=of, school=at, platforms=list(platforms))
    for domain in google:
        SetupDomain.objects.create(setup=record, kind=DomainKind.GOOGLE, domain=domain)
    for domain in windows:
        SetupDomain.objects.create(setup=record, kind=DomainKind.WINDOWS, domain=domain)
    return record
