"""The teacher's ClassHub-only classes, their members, and the students the teacher may add to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Lower

from devices.models import Readiness
from rosters.models import Educator, EducatorSchool, School, Section, Student, StudentSchool
from teach.models import ClassHubClass, ClassHubClassStudent
from teach.selectors.display import RosterStudent, badges_for, student_sort_key

SEARCH_RESULTS_SHOWN = 25
SEARCH_MAX_LENGTH = 100


def classes_of(educator: Educator) -> QuerySet[ClassHubClass]:
    """The teacher's own active ClassHub-only classes: the only ones any of their pages can reach."""
    return ClassHubClass.objects.filter(
        owner=educator, district_id=educator.district_id, archived_at=None
    ).select_related("district", "owner")


def teacher_classes(*, educator: Educator) -> list[ClassHubClass]:
    """The teacher's ClassHub-only classes by name, each with ``student_count``; one query."""
    return list(classes_of(educator).annotate(student_count=Count("memberships")).order_by(Lower("name"), "pk"))


def teacher_schools(*, educator: Educator) -> QuerySet[School]:
    """The active schools the teacher works in (Clever's school links) or teaches a section in."""
    linked = EducatorSchool.objects.filter(educator=educator).values("school_id")
    teaching = Section.objects.filter(teacher_links__educator=educator, archived_at=None).values("school_id")
    return School.objects.filter(district_id=educator.district_id, archived_at=None).filter(
        Q(pk__in=linked) | Q(pk__in=teaching)
    )


def addable_students(*, educator: Educator) -> QuerySet[Student]:
    """The students a teacher may put in a ClassHub-only class: active students of the teacher's own schools."""
    of_my_schools = StudentSchool.objects.filter(school__in=teacher_schools(educator=educator)).values("student_id")
    # Scoped to the district through the schools (teacher_schools keeps the teacher's district only). No
    # district test on the students themselves: SQLite's planner, which has no statistics here, would then walk
    # the district's (district, name) index, every student of the district, instead of the schools' students.
    return Student.objects.filter(archived_at=None, pk__in=of_my_schools)


def _starts(field_name: str, text: str) -> Q:
    """The field starts with text, any case. SQLite folds the case of ASCII letters only, so the spellings a
    name is usually stored in (as typed, Capitalised, UPPER CASE) are asked for too: "élo" finds "Élodie"."""
    spellings = {text, text.capitalize(), text.title(), text.upper()}
    match = Q()
    for spelling in sorted(spellings):
        match |= Q(**{f"{field_name}__istartswith": spelling})
    return match


def _name_prefix(words: list[str]) -> Q:
    """First or last name starting with the words typed ("ava", "smi", "ava smi", "smith ava", "de la")."""
    whole = " ".join(words)
    match = _starts("first_name", whole) | _starts("last_name", whole)
    if len(words) > 1:
        first, rest = words[0], " ".join(words[1:])
        match |= _starts("first_name", first) & _starts("last_name", rest)
        match |= _starts("last_name", first) & _starts("first_name", rest)
    return match


@dataclass
class StudentSearch:
    query: str
    students: list[RosterStudent]  # without badges: readiness is shown once they are in the class
    has_more: bool  # more matched than are shown: the teacher types more of the name


def search_terms(query: str) -> list[str]:
    """The words of a search as typed, commas ignored ("Smith, Ava" is "Smith Ava")."""
    return query.replace(",", " ").split()[:4]


def matching_students(*, educator: Educator, words: list[str]) -> QuerySet[Student]:
    """Students of the teacher's schools whose first or last name starts with the words, by last then first name.

    The teacher's schools bound the search: the StudentSchool (school) index yields their students (a few
    thousand at most, even in the largest districts) and the name test runs in the database on just those.
    A district-wide name index would instead walk every match of a short prefix among a million students.
    """
    return addable_students(educator=educator).filter(_name_prefix(words)).order_by("last_name", "first_name", "pk")


def student_search(*, educator: Educator, query: str, limit: int = SEARCH_RESULTS_SHOWN) -> StudentSearch:
    """Up to ``limit`` students matching what the teacher typed, and whether there are more; one query."""
    words = search_terms(query[:SEARCH_MAX_LENGTH])
    if not words:
        return StudentSearch(query="", students=[], has_more=False)
    found = list(
        matching_students(educator=educator, words=words)
        .select_related("school")
        .only("clever_id", "first_name", "last_name", "grade", "school__name")[: limit + 1]
    )
    return StudentSearch(
        query=" ".join(words),
        students=[RosterStudent(student=s, badge=None) for s in found[:limit]],
        has_more=len(found) > limit,
    )


@dataclass(frozen=True)
class ClassMember(RosterStudent):
    @property
    def school_name(self) -> str:
        return self.student.school.name if self.student.school else ""


def class_members(*, classhub_class: ClassHubClass) -> list[ClassMember]:
    """The class's students by last then first name, with their readiness in their primary school; three queries.

    Archived students stay in the class (the sync never removes them) and are shown as no longer in Clever.
    """
    students = [
        m.student
        for m in ClassHubClassStudent.objects.filter(classhub_class=classhub_class).select_related(
            "student", "student__school"
        )
    ]
    by_school: dict[int, set[int]] = {}
    for student in students:
        if student.archived_at is None and student.school_id is not None:
            by_school.setdefault(student.school_id, set()).add(student.pk)
    badges = badges_for(district=classhub_class.district, students_by_school=by_school)
    return [
        ClassMember(student=s, badge=badges.get((s.school_id, s.pk)) if s.archived_at is None else None)
        for s in sorted(students, key=student_sort_key)
    ]


def schools_not_set_up(members: Iterable[ClassMember]) -> list[str]:
    """Names of the members' schools that have no device setup yet, to say so once under the list."""
    return sorted({m.school_name for m in members if m.badge is not None and m.badge.reason == Readiness.NO_SETUP})


def member_ids(members: Iterable[RosterStudent]) -> set[int]:
    return {m.student.pk for m in members}
