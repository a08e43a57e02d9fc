"""Sync the sections of approved schools with their enrollments and teachers (primary and co-)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from classhub.clever.parsing import UnusableRecord, id_list, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.pages import pages_with_ranges
from rosters.importer.tables import KIND_LINKS
from rosters.importer.writer import KindWriter, Record, pks_by_clever_id
from rosters.models import Educator, Section, Student


@dataclass
class PeopleIndex:
    """The stored students and educators one page of sections refers to, looked up in one go."""

    students: dict[str, int] = field(default_factory=dict)
    educators: dict[str, int] = field(default_factory=dict)

    @classmethod
    def for_sections(cls, objs: list, district_id: int) -> PeopleIndex:
        student_ids, teacher_ids = [], []
        for obj in objs:
            if isinstance(obj, dict):
                student_ids.extend(id_list(obj.get("students")))
                teacher_ids.extend(id_list(obj.get("teachers")))
                teacher_ids.extend(id_list(obj.get("teacher")))
        return cls(
            students=pks_by_clever_id(Student, district_id, student_ids),
            educators=pks_by_clever_id(Educator, district_id, teacher_ids),
        )


def section_record(obj: dict, ctx: ImportContext, people: PeopleIndex) -> Record | None:
    """The section with its links, or None when its school was not approved."""
    clever_id = record_id(obj)
    school_id = text(obj.get("school"), 64)
    if not school_id:
        raise UnusableRecord(
            field="school",
            message="The section has no school.",
            suggested_fix="Ask the district to set the section's school in their SIS.",
        )
    if school_id not in ctx.approved_school_ids:
        return None
    if school_id not in ctx.school_pks:
        raise UnusableRecord(
            field="school",
            message="The section's school was approved but Clever did not return it.",
            suggested_fix="Run the import again; if it persists, ask Clever Support.",
        )
    term_id = text(obj.get("term_id"), 64)
    course_id = text(obj.get("course"), 64)
    row = {
        "clever_id": clever_id,
        "district_id": ctx.district.pk,
        "school_id": ctx.school_pks[school_id],
        "name": text(obj.get("name")),
        "sis_id": text(obj.get("sis_id")),
        "section_number": text(obj.get("section_number")),
        "period": text(obj.get("period"), 64),
        "grade": text(obj.get("grade"), 64),
        "subject": text(obj.get("subject"), 64),
        "term_clever_id": term_id,
        "term_id": ctx.term_pks.get(term_id),
        "course_clever_id": course_id,
        "course_id": ctx.course_pks.get(course_id),
        "last_modified": text(obj.get("last_modified"), 40),
    }
    student_ids = list(dict.fromkeys(id_list(obj.get("students"))))
    students = [(people.students[s],) for s in student_ids if s in people.students]
    primary = text(obj.get("teacher"), 64)
    teacher_ids = list(dict.fromkeys(([primary] if primary else []) + id_list(obj.get("teachers"))))
    teachers = [(people.educators[t], t == primary) for t in teacher_ids if t in people.educators]
    missing = len(student_ids) - len(students)
    if missing:
        # Still a usable section: it is kept with the students that are shared.
        ctx.issue(
            kind="sections",
            clever_id=clever_id,
            problem=UnusableRecord(
                field="students",
                message=f"{missing} of the section's students are not shared.",
                suggested_fix="Share those students' schools in Clever, or fix the section in the SIS.",
            ),
        )
    complete = not missing and len(teachers) == len(teacher_ids)
    return Record(clever_id, row, {"students": students, "teachers": teachers}, complete)


def section_records(page: list, ctx: ImportContext) -> list[Record]:
    people = PeopleIndex.for_sections(page, ctx.district.pk)
    records = []
    for obj in page:
        try:
            record = section_record(obj, ctx, people)
        except UnusableRecord as problem:
            ctx.issue(kind="sections", clever_id=text(mapping(obj).get("id"), 64), problem=problem)
            continue
        if record is not None:
            records.append(record)
            ctx.counts["enrollments_read"] += len(record.links["students"])
    return records


def section_writer(ctx: ImportContext) -> KindWriter:
    return KindWriter(ctx, "sections", Section, KIND_LINKS["sections"])


def import_sections(ctx: ImportContext) -> None:
    writer = section_writer(ctx)
    for page, after, upto in pages_with_ranges(ctx.api, "sections", limit=ctx.page_limit):
        with transaction.atomic():
            records = section_records(page, ctx)
            writer.write_range(records, after=after, upto=upto)
            ctx.page_done(len(page))
