"""How roster data reads on the teacher's pages: grades in words, readiness badges, students in name order."""

from __future__ import annotations

from dataclasses import dataclass

from devices.models import Readiness
from devices.selectors import readiness_badges
from onboarding.models import District
from rosters.models import Student

# Clever's grade values in plain words; values Clever adds later are shown as sent.
GRADE_LABELS = {
    "InfantToddler": "Infant/toddler",
    "Preschool": "Preschool",
    "PreKindergarten": "Pre-K",
    "TransitionalKindergarten": "Transitional K",
    "Kindergarten": "Kindergarten",
    "PostGraduate": "Post-graduate",
    "Ungraded": "Ungraded",
    "Other": "Other",
    **{str(n): f"Grade {n}" for n in range(1, 14)},
}


def grade_label(grade: str) -> str:
    return GRADE_LABELS.get(grade, grade)


NOT_READY_HINT = "will have to log in to Clever every time they use a device"
# Said once per section or class rather than beside every student: it is the school's setup, not the student.
NO_SETUP_NOTE = (
    "ClassHub does not know yet which devices {school} uses. Until your district records them, "
    "students will have to log in to Clever every time they use a device."
)


@dataclass(frozen=True)
class Badge:
    """A student's device sign-in readiness, in the words a teacher reads beside their name."""

    reason: str  # a Readiness value
    label: str
    hint: str  # what it means for the student; blank when ready

    @property
    def is_ready(self) -> bool:
        return self.reason == Readiness.READY


def badge_for(reason: str) -> Badge:
    if reason == Readiness.READY:
        return Badge(reason=reason, label="Ready", hint="")
    label = Readiness(reason).label if reason in Readiness.values else "Not ready"  # a reason added later
    return Badge(reason=reason, label=label, hint="" if reason == Readiness.NO_SETUP else NOT_READY_HINT)


def badges_for(*, district: District, students_by_school: dict[int, set[int]]) -> dict[tuple[int, int], Badge]:
    reasons = readiness_badges(district=district, students_by_school=students_by_school)
    return {key: badge_for(reason) for key, reason in reasons.items()}


def student_sort_key(student: Student) -> tuple:
    # Last name, then first name; students without any name (shown by their Clever id) go last.
    return (
        not (student.last_name or student.first_name),
        student.last_name.casefold(),
        student.first_name.casefold(),
        student.clever_id,
    )


@dataclass(frozen=True)
class RosterStudent:
    student: Student
    badge: Badge | None  # None: not known (an archived student, or one without a school)
    namesake: bool = False  # another student of the same roster has the same first and last name

    @property
    def name(self) -> str:
        """The name Clever sent, or the Clever id when it sent none. Two "Aiden Jackson"s in one roster are told
        apart by their middle initial, else by their Clever id."""
        student = self.student
        if not self.namesake:
            return str(student)
        middle = (getattr(student, "middle_name", "") or "").strip()
        if middle:
            return f"{student.first_name} {middle[0]}. {student.last_name}".strip()
        return f"{student} ({student.clever_id[-6:]})"

    @property
    def grade(self) -> str:
        return grade_label(self.student.grade)

    @property
    def archived(self) -> bool:
        return self.student.archived_at is not None
