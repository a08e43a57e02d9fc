"""Import the approved schools of a district."""

from __future__ import annotations

from django.db import transaction

from classhub.clever.parsing import UnusableRecord, mapping, record_id, text
from rosters.importer.context import ImportContext
from rosters.importer.progress import progress_add
from rosters.importer.upsert import upsert_by_clever_id
from rosters.models import School


def school_row(obj: dict, district_id: int) -> dict:
    principal = mapping(obj.get("principal"))
    location = mapping(obj.get("location"))
    return {
        "clever_id": record_id(obj),
        "district_id": district_id,
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
        "archived_at": None,
    }


def import_schools(ctx: ImportContext) -> None:
    for page in ctx.api.iter_pages("schools", limit=ctx.page_limit):
        rows = []
        for obj in page:
            try:
                row = school_row(obj, ctx.district.pk)
            except UnusableRecord as problem:
                ctx.issue(kind="schools", clever_id=text(mapping(obj).get("id"), 64), problem=problem)
                continue
            if row["clever_id"] in ctx.approved_school_ids:
                rows.append(row)
        with transaction.atomic():
            ctx.school_pks.update(upsert_by_clever_id(School, rows, seen_in_run=ctx.run.pk))
            ctx.flush_issues()
            progress_add(ctx, len(page))
