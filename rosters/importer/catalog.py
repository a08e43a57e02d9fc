"""Import a district's terms and courses (sections refer to them by id)."""

from __future__ import annotations

from django.db import transaction

from classhub.clever.parsing import UnusableRecord, date_value, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.progress import progress_add
from rosters.importer.upsert import upsert_by_clever_id
from rosters.models import Course, Term


def term_row(obj: dict, district_id: int) -> dict:
    return {
        "clever_id": record_id(obj),
        "district_id": district_id,
        "name": text(obj.get("name")),
        "start_date": date_value(obj.get("start_date")),
        "end_date": date_value(obj.get("end_date")),
        "last_modified": text(obj.get("last_modified"), 40),
        "archived_at": None,
    }


def course_row(obj: dict, district_id: int) -> dict:
    return {
        "clever_id": record_id(obj),
        "district_id": district_id,
        "name": text(obj.get("name")),
        "number": text(obj.get("number")),
        "last_modified": text(obj.get("last_modified"), 40),
        "archived_at": None,
    }


def _import_kind(ctx: ImportContext, *, kind: str, model, build_row, pks: dict[str, int]) -> None:
    for page in ctx.api.iter_pages(kind, limit=ctx.page_limit):
        rows = []
        for obj in page:
            try:
                rows.append(build_row(obj, ctx.district.pk))
            except UnusableRecord as problem:
                ctx.issue(kind=kind, clever_id=text(mapping(obj).get("id"), 64), problem=problem)
        with transaction.atomic():
            pks.update(upsert_by_clever_id(model, rows, seen_in_run=ctx.run.pk))
            ctx.flush_issues()
            progress_add(ctx, len(page))


def import_terms(ctx: ImportContext) -> None:
    _import_kind(ctx, kind="terms", model=Term, build_row=term_row, pks=ctx.term_pks)


def import_courses(ctx: ImportContext) -> None:
    _import_kind(ctx, kind="courses", model=Course, build_row=course_row, pks=ctx.course_pks)
