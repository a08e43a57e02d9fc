"""The review's dry run: what the first import of some schools would bring, read from Clever, writing nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from classhub.clever.client import CleverClient
from classhub.clever.parsing import UnusableRecord, id_list, mapping, role_schools, text, user_roles
from onboarding.models import District

NO_SECTIONS = "No sections: ask Clever Support to create sections (for elementary schools, homeroom sections)."
NO_ADMIN = "No admin: share at least one district admin or school admin of this school in Clever."
NO_STUDENTS = "No students shared: share this school's students in Clever."
NO_TEACHERS = "No teachers shared: share this school's teachers in Clever."


@dataclass
class SchoolDryRun:
    clever_id: str
    students: int = 0
    teachers: int = 0
    sections: int = 0
    school_admins: int = 0
    students_without_email: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class DryRun:
    schools: dict[str, SchoolDryRun]
    district_admins: int
    unusable_records: int

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def dry_run_schools(*, district: District, school_ids: set[str], client: CleverClient | None = None) -> DryRun:
    """Count per school what an import would bring and the problems it would hit (network only, no writes)."""
    api = (client or CleverClient.from_settings()).for_district(district.clever_id)
    counts = {school_id: SchoolDryRun(clever_id=school_id) for school_id in school_ids}
    district_admins = 0
    unusable = 0
    for user in api.iter_objects("users", limit=1000):
        try:
            roles = user_roles(mapping(user))
        except UnusableRecord:
            unusable += 1
            continue
        if roles.student is not None:
            for school_id in set(role_schools(roles.student)) & school_ids:
                counts[school_id].students += 1
                if not text(user.get("email"), 254):
                    counts[school_id].students_without_email += 1
            continue
        for school_id in set(role_schools(roles.teacher or {})) & school_ids:
            counts[school_id].teachers += 1
        for school_id in set(id_list((roles.staff or {}).get("schools"))) & school_ids:
            counts[school_id].school_admins += 1
        district_admins += roles.district_admin is not None
    sections = Counter(text(mapping(s).get("school"), 64) for s in api.iter_objects("sections", limit=1000))
    for school_id, school in counts.items():
        school.sections = sections.get(school_id, 0)
        if not school.students:
            school.problems.append(NO_STUDENTS)
        if not school.teachers:
            school.problems.append(NO_TEACHERS)
        if not school.sections:
            school.problems.append(NO_SECTIONS)
        if not school.school_admins and not district_admins:
            school.problems.append(NO_ADMIN)
        if school.students_without_email:
            school.problems.append(
                f"{school.students_without_email} student(s) without an email: they will have to log in to "
                "Clever on their device every time until the SIS gives them one."
            )
    return DryRun(schools=counts, district_admins=district_admins, unusable_records=unusable)
