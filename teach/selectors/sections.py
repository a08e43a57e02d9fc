"""The teacher's sections of the current term, with their co-teachers and rosters."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from devices.models import Readiness
from rosters.models import Educator, Enrollment, Section, SectionTeacher, Student, Term
from teach.selectors.display import NO_SETUP_NOTE, RosterStudent, badges_for, grade_label, student_sort_key


def term_is_current(term: Term | None, today: dt.date) -> bool:
    """Whether a section of this term belongs on the teacher home today.

    Clever data is messy: many districts send sections without a term, or terms without dates. Hiding
    those would hide a teacher's real classes, so a missing term counts as current, and so does a
    missing date (each known date is still honoured: a term that has ended is not current).
    """
    if term is None:
        return True
    started = term.start_date is None or term.start_date <= today
    not_ended = term.end_date is None or today <= term.end_date
    return started and not_ended


def _period_key(period: str) -> tuple:
    # Periods are free text: "1" < "2" < "10" as numbers, then other text ("A", "Block B"), then none.
    period = period.strip()
    if not period:
        return (2, 0, "")
    if period.isdigit():
        return (0, int(period), "")
    return (1, 0, period.casefold())


@dataclass(frozen=True)
class CoTeacher:
    educator: Educator
    is_primary: bool


@dataclass
class SectionCard:
    section: Section
    i_am_primary: bool
    co_teachers: list[CoTeacher] = field(default_factory=list)
    students: list[RosterStudent] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return self.section.subject

    @property
    def grade(self) -> str:
        return grade_label(self.section.grade)

    @property
    def not_ready(self) -> int:
        """Students whose own email keeps them from being recognised (a school not set up is said once)."""
        return sum(1 for s in self.students if s.badge is not None and s.badge.hint)

    @property
    def school_not_set_up(self) -> str:
        """The note to show when the section's school has no device setup yet, else blank."""
        if any(s.badge is not None and s.badge.reason == Readiness.NO_SETUP for s in self.students):
            return NO_SETUP_NOTE.format(school=self.section.school.name)
        return ""


@dataclass
class TeacherSections:
    current: list[SectionCard]
    other_terms: int  # the teacher's active sections of terms that have not started or have ended


def teacher_sections(*, educator: Educator, today: dt.date) -> TeacherSections:
    """The teacher's active sections of the current term with co-teachers and rosters, sorted by period then name.

    Five queries whatever the number of sections and students: sections, teachers of those sections,
    enrollments with students, and the two of the readiness badges.
    """
    mine = list(
        Section.objects.filter(district_id=educator.district_id, archived_at=None, teacher_links__educator=educator)
        .select_related("school", "term")
        .defer("sync_hash", "row_hash", "last_modified")
    )
    current = [s for s in mine if term_is_current(s.term, today)]
    if not current:
        return TeacherSections(current=[], other_terms=len(mine))
    current.sort(key=lambda s: (_period_key(s.period), s.name.casefold(), s.pk))
    cards = {s.pk: SectionCard(section=s, i_am_primary=False) for s in current}

    # Co-teachers Clever no longer shares are left out: they cannot use ClassHub with this section any more.
    links = SectionTeacher.objects.filter(section_id__in=list(cards), educator__archived_at=None).select_related(
        "educator"
    )
    for link in links.only(
        "section_id", "is_primary", "educator__first_name", "educator__last_name", "educator__clever_id"
    ):
        card = cards[link.section_id]
        if link.educator_id == educator.pk:
            card.i_am_primary = link.is_primary
        else:
            card.co_teachers.append(CoTeacher(educator=link.educator, is_primary=link.is_primary))

    enrollments = (
        Enrollment.objects.filter(section_id__in=list(cards), student__archived_at=None)
        .select_related("student")
        .only(
            "section_id",
            "student__clever_id",
            "student__first_name",
            "student__middle_name",
            "student__last_name",
            "student__grade",
            "student__archived_at",
        )
    )
    students_by_section: dict[int, list[Student]] = {pk: [] for pk in cards}
    students_by_school: dict[int, set[int]] = {}
    for enrollment in enrollments:
        students_by_section[enrollment.section_id].append(enrollment.student)
        students_by_school.setdefault(cards[enrollment.section_id].section.school_id, set()).add(enrollment.student_id)
    badges = badges_for(district=educator.district, students_by_school=students_by_school)
    for pk, card in cards.items():
        card.co_teachers.sort(key=lambda c: (not c.is_primary, str(c.educator).casefold()))
        school_id = card.section.school_id
        names = Counter(str(s).casefold() for s in students_by_section[pk])
        card.students = [
            RosterStudent(student=s, badge=badges.get((school_id, s.pk)), namesake=names[str(s).casefold()] > 1)
            for s in sorted(students_by_section[pk], key=student_sort_key)
        ]
    return TeacherSections(current=list(cards.values()), other_terms=len(mine) - len(current))
