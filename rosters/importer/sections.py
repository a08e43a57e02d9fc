"""Import the sections of approved schools with their enrollments and teachers (primary and co-)."""

from __future__ import annotations

from django.db import transaction

from classhub.clever.parsing import UnusableRecord, id_list, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.progress import progress_add
from rosters.importer.upsert import replace_links, upsert_by_clever_id
from rosters.models import Enrollment, Section, SectionTeacher


def section_row(obj: dict, ctx: ImportContext) -> dict:
    term_id = text(obj.get("term_id"), 64)
    course_id = text(obj.get("course"), 64)
    return {
        "clever_id": record_id(obj),
        "district_id": ctx.district.pk,
        "school_id": ctx.school_pks[text(obj.get("school"), 64)],
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
        "archived_at": None,
    }


def import_sections(ctx: ImportContext) -> None:
    for page in ctx.api.iter_pages("sections", limit=ctx.page_limit):
        sections, enrollments, teachers = [], [], []
        for obj in page:
            clever_id = text(mapping(obj).get("id"), 64)
            try:
                record_id(obj)
                school_id = text(obj.get("school"), 64)
                if not school_id:
                    raise UnusableRecord(
                        field="school",
                        message="The section has no school.",
                        suggested_fix="Ask the district to set the section's school in their SIS.",
                    )
                if school_id not in ctx.approved_school_ids:
                    continue  # a section of a school that was not approved: out of scope
                if school_id not in ctx.school_pks:
                    raise UnusableRecord(
                        field="school",
                        message="The section's school was approved but Clever did not return it.",
                        suggested_fix="Run the import again; if it persists, ask Clever Support.",
                    )
                sections.append(section_row(obj, ctx))
                student_ids = id_list(obj.get("students"))
                known = [s for s in student_ids if s in ctx.student_pks]
                if len(known) < len(student_ids):
                    ctx.issue(
                        kind="sections",
                        clever_id=clever_id,
                        problem=UnusableRecord(
                            field="students",
                            message=f"{len(student_ids) - len(known)} of the section's students are not shared.",
                            suggested_fix="Share those students' schools in Clever, or fix the section in the SIS.",
                        ),
                    )
                enrollments.extend((clever_id, s) for s in dict.fromkeys(known))
                primary = text(obj.get("teacher"), 64)
                teacher_ids = list(dict.fromkeys(([primary] if primary else []) + id_list(obj.get("teachers"))))
                teachers.extend((clever_id, t, t == primary) for t in teacher_ids if t in ctx.educator_pks)
            except UnusableRecord as problem:
                ctx.issue(kind="sections", clever_id=clever_id, problem=problem)

        with transaction.atomic():
            section_pks = upsert_by_clever_id(Section, sections, seen_in_run=ctx.run.pk)
            replace_links(
                Enrollment,
                owner_field="section",
                owner_pks=section_pks.values(),
                rows=[{"section_id": section_pks[c], "student_id": ctx.student_pks[s]} for c, s in enrollments],
                unique_fields=["section_id", "student_id"],
            )
            replace_links(
                SectionTeacher,
                owner_field="section",
                owner_pks=section_pks.values(),
                rows=[
                    {"section_id": section_pks[c], "educator_id": ctx.educator_pks[t], "is_primary": primary}
                    for c, t, primary in teachers
                ],
                unique_fields=["section_id", "educator_id"],
                update_fields=["is_primary"],
            )
            ctx.counts["enrollments_read"] += len(enrollments)
            ctx.flush_issues()
            progress_add(ctx, len(page))
