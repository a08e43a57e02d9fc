"""Sync a district's terms and courses (sections refer to them by id)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import models, transaction

from classhub.clever.parsing import UnusableRecord, date_value, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.pages import pages_with_ranges, split_unchanged
from rosters.importer.writer import KindWriter, Record
from rosters.models import Course, Term


def term_record(obj: dict, ctx: ImportContext) -> Record:
    clever_id = record_id(obj)
    row = {
        "clever_id": clever_id,
        "district_id": ctx.district.pk,
        "name": text(obj.get("name")),
        "start_date": date_value(obj.get("start_date")),
        "end_date": date_value(obj.get("end_date")),
        "last_modified": text(obj.get("last_modified"), 40),
    }
    return Record(clever_id, row, source=ctx.source(obj))


def course_record(obj: dict, ctx: ImportContext) -> Record:
    clever_id = record_id(obj)
    row = {
        "clever_id": clever_id,
        "district_id": ctx.district.pk,
        "name": text(obj.get("name")),
        "number": text(obj.get("number")),
        "last_modified": text(obj.get("last_modified"), 40),
    }
    return Record(clever_id, row, source=ctx.source(obj))


CATALOG: dict[str, tuple[type[models.Model], Callable[[dict, ImportContext], Record]]] = {
    "terms": (Term, term_record),
    "courses": (Course, course_record),
}


def catalog_records(kind: str, page: list, ctx: ImportContext) -> list[Record]:
    _model, build = CATALOG[kind]
    records = []
    for obj in page:
        try:
            records.append(build(obj, ctx))
        except UnusableRecord as problem:
            ctx.issue(kind=kind, clever_id=text(mapping(obj).get("id"), 64), problem=problem)
    return records


def catalog_pks(kind: str, ctx: ImportContext) -> dict[str, int]:
    return ctx.term_pks if kind == "terms" else ctx.course_pks


def _import_kind(ctx: ImportContext, kind: str) -> None:
    writer = KindWriter(ctx, kind, CATALOG[kind][0])
    for page, after, upto in pages_with_ranges(ctx.api, kind, limit=ctx.page_limit):
        with transaction.atomic():
            existing = writer.existing_in_range(after, upto)
            todo, [unchanged] = split_unchanged(page, [existing], ctx)
            records = catalog_records(kind, todo, ctx)
            catalog_pks(kind, ctx).update(
                writer.write_range(records, after=after, upto=upto, existing=existing, unchanged=unchanged)
            )
            ctx.page_done(len(page))


def import_terms(ctx: ImportContext) -> None:
    _import_kind(ctx, "terms")


def import_courses(ctx: ImportContext) -> None:
    _import_kind(ctx, "courses")
