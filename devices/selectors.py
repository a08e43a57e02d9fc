"""Reads of device sign-in readiness, always scoped by district: the report, the setup and the fixes."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from devices.models import (
    PLATFORM_DOMAIN_KIND,
    DeviceSetup,
    DomainKind,
    Platform,
    Readiness,
    SchoolReadinessTotal,
    StudentReadiness,
)
from onboarding.models import District
from rosters.models import School, Student

# The order reasons are shown in: the chart, the tables, the CSV.
REASON_ORDER = [
    Readiness.READY,
    Readiness.NO_EMAIL,
    Readiness.SHARED_EMAIL,
    Readiness.OUTSIDE_DOMAINS,
    Readiness.NO_SETUP,
]
# The reasons students are listed by, one by one; a school that is not set up is fixed as a whole.
LISTED_REASONS = [Readiness.NO_EMAIL, Readiness.SHARED_EMAIL, Readiness.OUTSIDE_DOMAINS]
CONSEQUENCE = "Will have to log in to Clever every time they use a device."


@dataclass
class SetupView:
    """A setup as the report and the forms show it."""

    school_id: int | None
    platforms: list[str]
    domains: dict[str, list[str]]

    @property
    def platform_labels(self) -> list[str]:
        return [Platform(p).label for p in self.platforms if p in Platform.values]

    def expected(self) -> dict[str, list[str]]:
        """The domains students' emails must be in, per kind, for the device types chosen."""
        kinds = {PLATFORM_DOMAIN_KIND[Platform(p)] for p in self.platforms if p in Platform.values}
        return {kind: self.domains.get(kind, []) for kind in (DomainKind.GOOGLE, DomainKind.WINDOWS) if kind in kinds}


@dataclass
class SchoolReadiness:
    school: School
    counts: dict[str, int]
    setup: SetupView | None  # the setup that applies (its own or the district default), None: not set up
    own_setup: bool

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def not_ready(self) -> int:
        return self.total - self.counts.get(Readiness.READY, 0)

    @property
    def listed(self) -> int:
        """The school's students listed one by one as not ready (all but those of a school not set up)."""
        return self.not_ready - self.counts.get(Readiness.NO_SETUP, 0)

    @property
    def percent_ready(self) -> int | None:
        """Whole percent of the school's students who are ready; None when it has no students."""
        return percent_of(self.counts.get(Readiness.READY, 0), self.total)

    @property
    def reason_counts(self) -> list[tuple[str, str, int]]:
        return [(r, Readiness(r).label, self.counts.get(r, 0)) for r in REASON_ORDER]


@dataclass
class ReadinessReport:
    schools: list[SchoolReadiness]
    default_setup: SetupView | None
    totals: dict[str, int] = field(default_factory=dict)
    setups: dict[int | None, SetupView] = field(default_factory=dict)  # by school id, None: the default

    @property
    def total(self) -> int:
        return sum(self.totals.values())

    @property
    def not_ready(self) -> int:
        return self.total - self.totals.get(Readiness.READY, 0)

    @property
    def percent_ready(self) -> int | None:
        return percent_of(self.totals.get(Readiness.READY, 0), self.total)

    @property
    def reason_counts(self) -> list[tuple[str, str, int]]:
        return [(r, Readiness(r).label, self.totals.get(r, 0)) for r in REASON_ORDER]

    @property
    def not_set_up(self) -> int:
        """Students of schools without a setup: not listed one by one."""
        return self.totals.get(Readiness.NO_SETUP, 0)

    @property
    def unset_schools(self) -> list[School]:
        return [row.school for row in self.schools if row.setup is None]

    def setup_for(self, school_id: int) -> SetupView | None:
        """The setup that applies to a school: its own, else the district default."""
        return self.setups.get(school_id) or self.default_setup


def device_setups(*, district: District) -> dict[int | None, SetupView]:
    """The district's setups keyed by school id (None: the district default); two queries."""
    setups = DeviceSetup.objects.filter(district=district).prefetch_related("domains")
    result: dict[int | None, SetupView] = {}
    for setup in setups:
        domains: dict[str, list[str]] = {DomainKind.GOOGLE: [], DomainKind.WINDOWS: []}
        for d in sorted(setup.domains.all(), key=lambda d: d.pk):
            domains.setdefault(d.kind, []).append(d.domain)
        result[setup.school_id] = SetupView(school_id=setup.school_id, platforms=list(setup.platforms), domains=domains)
    return result


def active_schools(*, district: District) -> QuerySet[School]:
    return School.objects.filter(district=district, archived_at=None).order_by("name", "pk")


def school_readiness_counts(*, district: District) -> dict[int, dict[str, int]]:
    """Per active school (by id): its students by readiness reason, as of the last refresh. One query.

    The refresh stores each school's number of students and of not-ready students by reason, so the ready
    ones are the difference; every student of a school without a setup counts as "not set up".
    """
    counts: dict[int, dict[str, int]] = {}
    fields = SchoolReadinessTotal.NOT_READY_FIELDS
    for school_id, students, set_up, *not_ready in SchoolReadinessTotal.objects.filter(district=district).values_list(
        "school_id", "students", "set_up", *fields
    ):
        if not set_up:
            counts[school_id] = {Readiness.NO_SETUP: students} if students else {}
            continue
        reasons = {reason: n for reason, n in zip(fields, not_ready, strict=True) if n}
        ready = max(students - sum(reasons.values()), 0)
        counts[school_id] = {**({Readiness.READY: ready} if ready else {}), **reasons}
    return counts


def readiness_counts(*, district: District) -> dict[str, int]:
    """The district's students by readiness reason, counted once per school they are in."""
    totals = dict.fromkeys(Readiness.values, 0)
    for reasons in school_readiness_counts(district=district).values():
        for reason, n in reasons.items():
            totals[reason] += n
    return totals


def readiness_report(*, district: District) -> ReadinessReport:
    """Per active school: students by readiness reason, the setup that applies; and the district's totals.

    Four queries whatever the district's size (schools, the schools' totals, setups, domains). A student in
    two schools is counted in each.
    """
    schools = list(active_schools(district=district).only("pk", "name", "clever_id", "district_id"))
    counts = school_readiness_counts(district=district)
    setups = device_setups(district=district)
    default = setups.get(None)
    rows = [
        SchoolReadiness(
            school=school,
            counts=counts.get(school.pk, {}),
            setup=setups.get(school.pk) or default,
            own_setup=school.pk in setups,
        )
        for school in schools
    ]
    totals: dict[str, int] = {}
    for row in rows:
        for reason, n in row.counts.items():
            totals[reason] = totals.get(reason, 0) + n
    return ReadinessReport(schools=rows, default_setup=default, totals=totals, setups=setups)


def _prefix_range(field_name: str, prefix: str) -> Q:
    # A range, not LIKE: it uses a plain index on SQLite and PostgreSQL alike (the keys are lower case).
    if ord(prefix[-1]) >= sys.maxunicode:  # no character follows it: everything from the prefix on
        return Q(**{f"{field_name}__gte": prefix})
    return Q(**{f"{field_name}__gte": prefix, f"{field_name}__lt": prefix[:-1] + chr(ord(prefix[-1]) + 1)})


def percent_of(part: int, whole: int) -> int | None:
    """Whole percent, rounded down, so a school with one student to fix never shows 100%."""
    return 100 * part // whole if whole else None


def students_not_ready(
    *, district: District, search: str = "", school_id: int | None = None, reason: str | None = None
) -> QuerySet[StudentReadiness]:
    """The district's students who are not ready in a school, by last name; ``search`` is a prefix of the
    name (first or last name first) or of the email, matched case-insensitively with an index."""
    rows = StudentReadiness.objects.filter(district=district).exclude(reason=Readiness.READY)
    if school_id is not None:
        rows = rows.filter(school_id=school_id)
    if reason in LISTED_REASONS:
        rows = rows.filter(reason=reason)
    term = " ".join(search.lower().split())
    if term:
        if "@" in term:
            rows = rows.filter(_prefix_range("search_email", term))
        else:
            rows = rows.filter(
                _prefix_range("search_last_first", term)
                | _prefix_range("search_first_last", term)
                | _prefix_range("search_email", term)
            )
    return rows.select_related("student", "school", "shares_with").order_by("search_last_first", "id")


def _domains_words(domains: Iterable[str]) -> str:
    domains = list(domains)
    if len(domains) <= 1:
        return "".join(domains)
    return ", ".join(domains[:-1]) + " or " + domains[-1]


def _account_words(expected: dict[str, list[str]]) -> str:
    """“their Google account in example.org (or their Windows account in corp.example.org)”."""
    parts = []
    if expected.get(DomainKind.GOOGLE):
        parts.append(f"their Google account in {_domains_words(expected[DomainKind.GOOGLE])}")
    if expected.get(DomainKind.WINDOWS):
        parts.append(f"their Windows sign-in in {_domains_words(expected[DomainKind.WINDOWS])}")
    return " or ".join(parts) or "their device sign-in"


@dataclass(frozen=True)
class Fix:
    problem: str
    fix: str
    consequence: str


def readiness_fix(row: StudentReadiness, setup: SetupView | None) -> Fix:
    """What is wrong with one student's email for one school's devices, and how to fix it in the SIS."""
    student, school = row.student, row.school
    expected = setup.expected() if setup is not None else {}
    account = _account_words(expected)
    email = (student.email or "").strip()
    if row.reason == Readiness.NO_EMAIL:
        return Fix(
            problem="No email in the SIS.",
            fix=f"Set the student's email in the SIS to {account}.",
            consequence=CONSEQUENCE,
        )
    if row.reason == Readiness.SHARED_EMAIL:
        other = row.shares_with
        other_name = (str(other) + (f" (Clever id {other.clever_id})" if other else "")) if other else "another student"
        return Fix(
            problem=f"The email {email} is also the email of {other_name}.",
            fix=f"Give each student their own email in the SIS: set this student's email to {account}.",
            consequence=CONSEQUENCE + " So will the other student.",
        )
    if row.reason == Readiness.OUTSIDE_DOMAINS:
        wanted = _domains_words(d for ds in expected.values() for d in ds)
        found = (
            f"The email {email} is in {row.email_domain}"
            if row.email_domain
            else f"The email “{email}” has no domain (no @)"
        )
        return Fix(
            problem=f"{found}; {school.name}'s devices sign in with {wanted}.",
            fix=f"Set the student's email in the SIS to {account}"
            + (
                f" — or, if students really sign in with {row.email_domain}, add it to the school's domains "
                "on the Devices page."
                if row.email_domain
                else "."
            ),
            consequence=CONSEQUENCE,
        )
    return Fix(problem="", fix="", consequence="")


def readiness_badges(*, district: District, students_by_school: dict[int, Iterable[int]]) -> dict[tuple[int, int], str]:
    """Each student's readiness (a ``Readiness`` value) in a school, keyed by (school id, student id).

    For pages that show a badge beside each student, like the teacher home's rosters: two queries whatever
    the number of students (the schools' setups, then the not-ready rows of just these students).
    """
    wanted = {school_id: set(ids) for school_id, ids in students_by_school.items() if ids}
    if not wanted:
        return {}
    set_up = set(DeviceSetup.objects.filter(district=district).values_list("school_id", flat=True))
    has_default = None in set_up
    student_ids = set().union(*wanted.values())
    not_ready = {
        (school_id, student_id): reason
        for school_id, student_id, reason in StudentReadiness.objects.filter(
            district=district, school_id__in=list(wanted), student_id__in=list(student_ids)
        )
        .exclude(reason=Readiness.READY)
        .values_list("school_id", "student_id", "reason")
    }
    badges = {}
    for school_id, ids in wanted.items():
        fallback = Readiness.READY if (has_default or school_id in set_up) else Readiness.NO_SETUP
        for student_id in ids:
            badges[(school_id, student_id)] = not_ready.get((school_id, student_id), fallback)
    return badges


@dataclass(frozen=True)
class EmailDomains:
    """The email domains found among a sample of the district's active students, most common first."""

    sampled: int
    without_email: int
    domains: list[tuple[str, int]]


EMAIL_DOMAIN_SAMPLE = 2000


def student_email_domains(*, district: District, limit: int = EMAIL_DOMAIN_SAMPLE) -> EmailDomains:
    """What the district's student emails look like, to help an admin type their domains. One query.

    A sample of the first students (by id), read through the (district, email key) index: constant work
    whatever the district's size, and the common domains show in any sample of a few thousand.
    """
    keys = list(
        Student.objects.filter(district=district, archived_at=None)
        .order_by("id")
        .values_list("email_key", flat=True)[:limit]
    )
    found: dict[str, int] = {}
    for key in keys:
        domain = key.partition("@")[2]
        if domain:
            found[domain] = found.get(domain, 0) + 1
    common = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:5]
    return EmailDomains(sampled=len(keys), without_email=sum(1 for k in keys if not k), domains=common)
