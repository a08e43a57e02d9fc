"""Sync the sections of approved schools with their enrollments and teachers (primary and co-)."""

from __future__ import annotations

from django.db import transaction

from classhub.clever.parsing import UnusableRecord, id_list, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.pages import pages_with_ranges, split_unchanged
from rosters.importer.tables import KIND_LINKS
from rosters.importer.writer import KindWriter, Record, pks_by_clever_id
from rosters.models import Educator, Section, Student


def section_record(obj: dict, ctx: ImportContext) -> Record | None:
    """The section with the Clever ids of its people, or None when its school was not approved.

    Its links are resolved to rows only if it is written (``resolve_people``): an unchanged section
    costs no lookups.
    """
    clever_id = record_id(obj)
    school_id = text(obj.get("school"), 64)
    if not school_id:
        raise UnusableRecord(
            field="school",
            message="The section has no school.",
            suggested_fix="Ask the district to set the section's school in their SIS.",
        )
    if school_id not in ctx.approved_school_ids:
        if ctx.shared_school_ids and school_id not in ctx.shared_school_ids:
            raise UnusableRecord(
                field="school",
                message="The section's school is not shared with ClassHub.",
                suggested_fix="Share the school in Clever, or fix the section's school in the SIS.",
            )
        return None  # a section of a shared school ClassHub did not approve: out of scope
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
    student_ids = tuple(dict.fromkeys(id_list(obj.get("students"))))
    primary = text(obj.get("teacher"), 64)
    teacher_ids = tuple(dict.fromkeys(([primary] if primary else []) + id_list(obj.get("teachers"))))
    # A term or course Clever did not send (ids change) leaves the record incomplete: rewritten next time.
    known_catalog = (not term_id or row["term_id"] is not None) and (not course_id or row["course_id"] is not None)
    return Record(
        clever_id, row, complete=known_catalog, refs=(student_ids, primary, teacher_ids), source=ctx.source(obj)
    )


def resolve_people(records: list[Record], ctx: ImportContext) -> None:
    """Turn the sections' student and teacher ids into links, with one lookup per kind for the page."""
    district_id = ctx.district.pk
    students = pks_by_clever_id(Student, district_id, (s for r in records for s in r.refs[0]))
    educators = pks_by_clever_id(Educator, district_id, (t for r in records for t in r.refs[2]))
    for record in records:
        student_ids, primary, teacher_ids = record.refs
        record.links = {
            "students": [(students[s],) for s in student_ids if s in students],
            "teachers": [(educators[t], t == primary) for t in teacher_ids if t in educators],
        }
        missing = len(student_ids) - len(record.links["students"])
        if missing:
            # Still a usable section: it is kept with the students that are shared.
            ctx.issue(
                kind="sections",
                clever_id=record.clever_id,
                problem=UnusableRecord(
                    field="students",
                    message=f"{missing} of the section's students are not shared.",
                    suggested_fix="Share those students' schools in Clever, or fix the section in the SIS.",
                ),
            )
        record.complete = record.complete and not missing and len(record.links["teachers"]) == len(teacher_ids)


def section_records(page: list, ctx: ImportContext) -> list[Record]:
    records = []
    for obj in page:
        try:
            record = section_record(obj, ctx)
        except UnusableRecord as problem:
            ctx.issue(kind="sections", clever_id=text(mapping(obj).get("id"), 64), problem=problem)
            continue
        if record is not None:
            records.append(record)
    return records


def section_writer(ctx: ImportContext) -> KindWriter:
    return KindWriter(
        ctx, "sections", Section, KIND_LINKS["sections"], resolve=lambda records: resolve_people(records, ctx)
    )


def import_sections(ctx: ImportContext) -> None:
    writer = section_writer(ctx)
    for page, after, upto in pages_with_ranges(ctx.api, "sections", limit=ctx.page_limit):
        with transaction.atomic():
            existing = writer.existing_in_range(after, upto)
            todo, [unchanged] = split_unchanged(page, [existing], ctx)
            records = section_records(todo, ctx)
            writer.write_range(records, after=after, upto=upto, existing=existing, unchanged=unchanged)
            ctx.page_done(len(page))
