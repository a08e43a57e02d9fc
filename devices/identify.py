"""Who is signed in on a device: the student a district's email belongs to, or why they must use Clever.

Three indexed queries per request, whatever the district's size: the key (devices.api_auth), the students
with the email (at most ``STUDENT_ROWS`` rows), and the matched student's current sections with their
teachers. The district's device setups (a few rows per school) are read once per ``DEVICE_SETUP_CACHE_SECONDS``
per process, so a setup change reaches the API within that time.

Reasons a student must sign in with Clever (``IdentifyReason``), decided in this order:

- ``unknown_email``: no student of the key's district has this email on file, and its domain is none of
  the district's domains for the platform (a personal account, another district's, a teacher's...).
- ``no_email_on_file``: no student has this email on file, yet it is in one of the district's domains for
  the platform: a school account whose student has no email (or another one) in the SIS. The readiness
  report lists these students as "no email"; the fix is the student's email in the SIS.
- ``shared_email``: two or more active students have this email; ClassHub never guesses which one.
- ``archived_student``: the only students with this email are archived (no longer shared with ClassHub).
- ``school_not_set_up``: none of the student's schools has a device setup, and the district has no default.
- ``outside_domains``: the student's schools are set up, but the email's domain is not among their
  domains for this platform (Google domains for Chromebooks, Windows domains for Windows, Mac and iPad).

A student in several schools is recognised when the email is in the domains of any of them: the device
does not say which school it belongs to. Each school's setup is its own, else the district default.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from devices.models import PLATFORM_DOMAIN_KIND, DeviceSetup, DomainKind, Platform
from rosters.models import Educator, Enrollment, School, Section, SectionTeacher, Student, StudentSchool, Term

# The most student rows (a student per school link) read for one email: enough to tell one student from
# several, bounded when a district gives many students the same placeholder email.
STUDENT_ROWS = 50

KIND_LABELS = {DomainKind.GOOGLE: "Google Workspace", DomainKind.WINDOWS: "Windows"}


class IdentifyReason:
    UNKNOWN_EMAIL = "unknown_email"
    NO_EMAIL_ON_FILE = "no_email_on_file"
    SHARED_EMAIL = "shared_email"
    ARCHIVED_STUDENT = "archived_student"
    SCHOOL_NOT_SET_UP = "school_not_set_up"
    OUTSIDE_DOMAINS = "outside_domains"

    ALL = (UNKNOWN_EMAIL, NO_EMAIL_ON_FILE, SHARED_EMAIL, ARCHIVED_STUDENT, SCHOOL_NOT_SET_UP, OUTSIDE_DOMAINS)


def email_key(email: str) -> str:
    """The form emails are matched in: trimmed, lower case."""
    return email.strip().lower()


@cache
def _sql() -> dict[str, str]:
    """The two roster reads of a request, as plain SQL written once: building them with the ORM on every request
    cost more than running them. Names come from the models' metadata; every value is a parameter."""
    t = {m.__name__: m._meta.db_table for m in (Student, School, StudentSchool, Section, Enrollment, SectionTeacher)}
    t["Term"], t["Educator"] = Term._meta.db_table, Educator._meta.db_table
    students = f"""
        SELECT st.id, st.clever_id, st.first_name, st.last_name, st.grade, st.archived_at IS NULL,
               sc.clever_id, sc.name, st.school_id, ss.school_id
        FROM {t["Student"]} st
        LEFT JOIN {t["School"]} sc ON sc.id = st.school_id
        LEFT JOIN {t["StudentSchool"]} ss ON ss.student_id = st.id
            AND EXISTS (SELECT 1 FROM {t["School"]} ls WHERE ls.id = ss.school_id AND ls.archived_at IS NULL)
        WHERE st.district_id = %s AND st.email_key = %s
        ORDER BY st.archived_at IS NOT NULL, st.id
        LIMIT {STUDENT_ROWS}"""  # noqa: S608
    # Active sections of the current term (or of no term), each row a teacher (or none).
    sections = f"""
        SELECT se.id, se.clever_id, se.name, se.period, ed.first_name, ed.last_name, ed.archived_at IS NULL,
               ed.id
        FROM {t["Enrollment"]} en
        JOIN {t["Section"]} se ON se.id = en.section_id
        LEFT JOIN {t["Term"]} te ON te.id = se.term_id
        LEFT JOIN {t["SectionTeacher"]} sl ON sl.section_id = se.id
        LEFT JOIN {t["Educator"]} ed ON ed.id = sl.educator_id
        WHERE en.student_id = %s AND se.archived_at IS NULL
          AND (se.term_id IS NULL OR ((te.start_date IS NULL OR te.start_date <= %s)
                                      AND (te.end_date IS NULL OR te.end_date >= %s)))
        ORDER BY se.period, se.name, se.id, sl.is_primary DESC, ed.last_name, ed.first_name"""  # noqa: S608
    return {"students": students, "sections": sections}


# ----- the district's setups, cached per process --------------------------------------------------------


@dataclass(frozen=True)
class DistrictSetups:
    """A district's sign-in domains: per school that has its own setup, the default (key None), and all."""

    by_school: dict[int | None, dict[str, frozenset[str]]]

    def effective(self, school_id: int | None) -> dict[str, frozenset[str]] | None:
        """The domains by kind that apply at a school: its own setup, else the default, else None."""
        if school_id in self.by_school:
            return self.by_school[school_id]
        return self.by_school.get(None)

    def any_domain(self, kind: str) -> frozenset[str]:
        return frozenset().union(*(domains.get(kind, frozenset()) for domains in self.by_school.values()))


_setups_cache: dict[int, tuple[float, DistrictSetups]] = {}
_setups_lock = threading.Lock()


def district_setups(district_id: int) -> DistrictSetups:
    """The district's setups, read at most once per DEVICE_SETUP_CACHE_SECONDS by this process."""
    now = time.monotonic()
    cached = _setups_cache.get(district_id)
    if cached is not None and cached[0] > now:
        return cached[1]
    by_school: dict[int | None, dict[str, set[str]]] = {}
    rows = DeviceSetup.objects.filter(district_id=district_id).values_list(
        "school_id", "domains__kind", "domains__domain"
    )
    for school_id, kind, domain in rows:
        domains = by_school.setdefault(school_id, {})
        if kind:
            domains.setdefault(kind, set()).add(domain)
    setups = DistrictSetups(
        by_school={school: {k: frozenset(v) for k, v in kinds.items()} for school, kinds in by_school.items()}
    )
    ttl = settings.DEVICE_SETUP_CACHE_SECONDS
    if ttl > 0:
        with _setups_lock:
            _setups_cache[district_id] = (now + ttl, setups)
    return setups


def district_setups_forget() -> None:
    """Drop this process's cached setups (tests; a setup service may call it after a change)."""
    with _setups_lock:
        _setups_cache.clear()


# ----- identify ----------------------------------------------------------------------------------------


def _refusal(reason: str, message: str) -> dict[str, Any]:
    return {"status": "clever_login_required", "reason": reason, "message": message}


def _full_name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def _current_sections(student_id: int) -> list[dict[str, Any]]:
    """The student's active sections of the current term (or of no term), each with its teachers' names."""
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    with connection.cursor() as cursor:
        cursor.execute(_sql()["sections"], [student_id, today, today])
        rows = cursor.fetchall()
    sections: dict[int, dict[str, Any]] = {}
    for section_id, clever_id, name, period, first, last, teacher_active, teacher_id in rows:
        section = sections.get(section_id)
        if section is None:
            section = sections[section_id] = {"clever_id": clever_id, "name": name, "period": period, "teachers": []}
        if teacher_id is not None and teacher_active:
            section["teachers"].append(_full_name(first, last))
    return list(sections.values())


def device_identify(*, district_id: int, email: str, platform: str) -> dict[str, Any]:
    """The identify API's answer for an email signed in on a device of the given platform."""
    key = email_key(email)
    domain = key.partition("@")[2]  # after the first "@", as the readiness report reads it
    kind = PLATFORM_DOMAIN_KIND[Platform(platform)]
    kind_label = KIND_LABELS[kind]
    with connection.cursor() as cursor:
        cursor.execute(_sql()["students"], [district_id, key])
        rows = cursor.fetchall()
    if not rows:
        setups = district_setups(district_id)
        if domain in setups.any_domain(kind):
            return _refusal(
                IdentifyReason.NO_EMAIL_ON_FILE,
                f"No student of this district has {key} on file, though {domain} is one of the district's "
                f"{kind_label} domains: the student's record in the SIS has no email or another one. Set the "
                f"student's email in the SIS to {key}; until then they log in to Clever on every device.",
            )
        return _refusal(
            IdentifyReason.UNKNOWN_EMAIL,
            f"No student of this district has {key} on file, and {domain or 'it'} is not one of the district's "
            f"{kind_label} domains: sign in on the device with the student's school account.",
        )
    active = {row[0] for row in rows if row[5]}
    if len(active) > 1:
        return _refusal(
            IdentifyReason.SHARED_EMAIL,
            f"{len(active) if len(rows) < STUDENT_ROWS else 'Several'} students of this district have {key} on "
            "file; ClassHub never guesses which one. Give each student their own email in the SIS.",
        )
    if not active:
        return _refusal(
            IdentifyReason.ARCHIVED_STUDENT,
            f"The student with {key} is archived: the district no longer shares them with ClassHub.",
        )
    student_rows = [row for row in rows if row[0] in active]
    student_id, clever_id, first, last, grade, _, school_clever_id, school_name, _, _ = student_rows[0]
    # The student's active schools; with none (all archived, or never linked) the district default applies.
    school_ids: set[int | None] = {row[9] for row in student_rows if row[9] is not None} or {None}
    setups = district_setups(district_id)
    effective = [setups.effective(school_id) for school_id in school_ids]
    effective = [domains for domains in effective if domains is not None]
    school_label = school_name or "the student's school"
    if not effective:
        return _refusal(
            IdentifyReason.SCHOOL_NOT_SET_UP,
            f"{school_label} has no device sign-in setup in ClassHub and the district has no default: the "
            "district admin records the schools' sign-in domains in the ClassHub portal.",
        )
    expected = sorted(frozenset().union(*(domains.get(kind, frozenset()) for domains in effective)))
    if domain not in expected:
        wanted = ", ".join(expected) if expected else f"no {kind_label} domain is set up"
        return _refusal(
            IdentifyReason.OUTSIDE_DOMAINS,
            f"{key} is not in the {kind_label} domains of {school_label} (expected: {wanted}). Set the student's "
            f"email in the SIS to their account in that domain, or add the domain to the school's ClassHub setup.",
        )
    return {
        "status": "matched",
        "student": {
            "clever_id": clever_id,
            "name": _full_name(first, last),
            "grade": grade,
            "school": {"clever_id": school_clever_id or "", "name": school_name or ""},
        },
        "sections": _current_sections(student_id),
    }
