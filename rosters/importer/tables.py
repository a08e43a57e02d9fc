"""The roster tables a sync writes, by kind, with the link tables each kind owns."""

from __future__ import annotations

from django.db import models

from rosters.importer.writer import LinkTable
from rosters.models import (
    Course,
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

STUDENT_SCHOOLS = LinkTable("schools", StudentSchool, "student_id", ("school_id",))
EDUCATOR_SCHOOLS = LinkTable("schools", EducatorSchool, "educator_id", ("school_id", "role"))
ENROLLMENTS = LinkTable("students", Enrollment, "section_id", ("student_id",))
SECTION_TEACHERS = LinkTable("teachers", SectionTeacher, "section_id", ("educator_id", "is_primary"))

# In dependency order: everything refers to schools; sections refer to users, terms and courses.
KIND_MODELS: dict[str, type[models.Model]] = {
    "schools": School,
    "terms": Term,
    "courses": Course,
    "students": Student,
    "educators": Educator,
    "sections": Section,
}
KIND_LINKS: dict[str, tuple[LinkTable, ...]] = {
    "students": (STUDENT_SCHOOLS,),
    "educators": (EDUCATOR_SCHOOLS,),
    "sections": (ENROLLMENTS, SECTION_TEACHERS),
}
