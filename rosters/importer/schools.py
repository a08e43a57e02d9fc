"""Sync a district's approved schools."""

from __future__ import annotations

from django.db import transaction

from classhub.clever.parsing import UnusableRecord, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.pages import pages_with_ranges, split_unchanged
from rosters.importer.tables import KIND_LINKS
from rosters.importer.writer import KindWriter, Record
from rosters.models import School


def school_record(obj: dict, ctx: ImportContext) -> Record | None:
    """The school as rows, or None when it is not one of the approved schools."""
    clever_id = record_id(obj)
    if clever_id not in ctx.approved_school_ids:
        return None
    principal = mapping(obj.get("principal"))
    location = mapping(obj.get("location"))
    row = {
        "clever_id": clever_id,
        "district_id": ctx.district.pk,
        "name": text(obj.get("name")) or "Unnamed school",
        "sis_id": text(obj.get("sis_id")),
        "school_number": text(obj.get("school_number")),
        "nces_id": text(obj.get("nces_id"), 64),
        "state_id": text(obj.get("state_id")),
        "low_grade": text(obj.get("low_grade"), 64),
        "high_grade": text(obj.get("high_grade"), 64),
        "principal_name": text(principal.get("name")),
        "principal_email": text(principal.get("email"), 254),
        "city": text(location.get("city")),
        "state": text(location.get("state"), 64),
        "last_modified": text(obj.get("last_modified"), 40),
    }
    return Record(clever_id, row, source=ctx.source(obj))


def school_records(page: list, ctx: ImportContext) -> list[Record]:
    records = []
    for obj in page:
        try:
            record = school_record(obj, ctx)
        except UnusableRecord as problem:
            ctx.issue(kind="schools", clever_id=text(mapping(obj).get("id"), 64), problem=problem)
            continue
        if record is not None:
            records.append(record)
    return records


def school_writer(ctx: ImportContext) -> KindWriter:
    return KindWriter(ctx, "schools", School, KIND_LINKS.get("schools", ()))


def import_schools(ctx: ImportContext) -> None:
    writer = school_writer(ctx)
    for page, after, upto in pages_with_ranges(ctx.api, "schools", limit=ctx.page_limit):
        with transaction.atomic():
            existing = writer.existing_in_range(after, upto)
            todo, [unchanged] = split_unchanged(page, [existing], ctx)
            records = school_records(todo, ctx)
            ctx.school_pks.update(
                writer.write_range(records, after=after, upto=upto, existing=existing, unchanged=unchanged)
            )
            ctx.page_done(len(page))
