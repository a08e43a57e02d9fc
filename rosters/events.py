"""Apply one page of Clever events to a district's roster, with the same row builders as a full sync.

Events carry the whole object, so within a page only the last event of each object matters: applying
it gives the state that applying them one by one would. Kinds are applied in dependency order
(schools before the users and sections that refer to them). Nothing is deleted: a ``*.deleted``
event (the district stopped sharing the record) archives it, and a later ``*.created`` restores it.
Applying a page twice leaves the same state, because unchanged records are skipped by their digest.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone

from classhub.clever.client import DistrictAPI
from classhub.clever.parsing import mapping, text
from rosters.archiving import schools_archive
from rosters.importer.catalog import CATALOG, catalog_pks, catalog_records
from rosters.importer.context import ImportContext
from rosters.importer.schools import school_records, school_writer
from rosters.importer.sections import section_records, section_writer
from rosters.importer.users import user_records, user_writers
from rosters.importer.writer import KindWriter, chunks, quoted
from rosters.models import Course, Educator, School, Section, Student, Term

EVENT_KINDS = ("schools", "terms", "courses", "users", "sections")
EVENT_ACTIONS = ("created", "updated", "deleted")


def events_cursor_latest(api: DistrictAPI) -> str:
    """The id of the district's newest event ("" when it has none yet), read before a full sync."""
    page = api.page("events", ending_before="last", limit=1)
    newest = mapping(page[-1]) if page else {}
    return text(newest.get("id"), 64)


def event_id(event) -> str:
    return text(mapping(event).get("id"), 64)


def _latest_per_object(events: Iterable, district_clever_id: str) -> dict[str, dict[str, tuple[str, dict]]]:
    """{kind: {clever_id: (action, object)}} keeping only each object's last event, in event order."""
    latest: dict[str, dict[str, tuple[str, dict]]] = {kind: {} for kind in EVENT_KINDS}
    for event in events:
        kind, _, action = text(mapping(event).get("type"), 64).rpartition(".")
        obj = mapping(mapping(mapping(event).get("data")).get("object"))
        clever_id = text(obj.get("id"), 64)
        if kind not in latest or action not in EVENT_ACTIONS or not clever_id:
            continue  # districts.*, kinds ClassHub does not keep, or a new type Clever added
        owner = obj.get("district")
        if owner is not None and owner != district_clever_id:
            continue  # another district's object: never written into this one
        latest[kind].pop(clever_id, None)
        latest[kind][clever_id] = (action, obj)
    return latest


def _archive_by_clever_ids(model: type[models.Model], district_id: int, clever_ids: list[str]) -> None:
    table = quoted(model._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        for chunk in chunks(clever_ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET archived_at = %s, sync_hash = '' "
                f"WHERE district_id = %s AND archived_at IS NULL AND clever_id IN ({marks})",
                [now, district_id, *chunk],
            )


def _split(changes: dict[str, tuple[str, dict]]) -> tuple[list[dict], list[str]]:
    upserts = [obj for action, obj in changes.values() if action != "deleted"]
    deleted = [cid for cid, (action, _obj) in changes.items() if action == "deleted"]
    return upserts, deleted


def _gone(upserts: list[dict], kept: Iterable[str], deleted: list[str]) -> list[str]:
    """Objects deleted, plus objects updated into something ClassHub does not keep (out of scope)."""
    kept = set(kept)
    return deleted + [cid for obj in upserts if (cid := text(obj.get("id"), 64)) not in kept]


def events_apply(ctx: ImportContext, events: list) -> int:
    """Apply one page of events (call inside a transaction); returns how many were ClassHub's kinds."""
    latest = _latest_per_object(events, ctx.district.clever_id)
    district_id = ctx.district.pk

    upserts, deleted = _split(latest["schools"])
    records = school_records(upserts, ctx)
    ctx.school_pks.update(school_writer(ctx).write_by_ids(records))
    gone = _gone(upserts, (r.clever_id for r in records), deleted)
    if gone:  # the same cascade as a sharing change: its sections, and people left in no other school
        schools_archive(district=ctx.district, clever_school_ids=gone)
        for cid in gone:
            ctx.school_pks.pop(cid, None)

    for kind in ("terms", "courses"):
        model = CATALOG[kind][0]
        upserts, deleted = _split(latest[kind])
        records = catalog_records(kind, upserts, ctx)
        catalog_pks(kind, ctx).update(KindWriter(ctx, kind, model).write_by_ids(records))
        _archive_by_clever_ids(model, district_id, _gone(upserts, (r.clever_id for r in records), deleted))

    upserts, deleted = _split(latest["users"])
    found = user_records(upserts, ctx)
    students, educators = user_writers(ctx)
    students.write_by_ids(found.students)
    educators.write_by_ids(found.educators)
    kept_students = {r.clever_id for r in found.students}
    kept_educators = {r.clever_id for r in found.educators}
    gone = _gone(upserts, kept_students | kept_educators, deleted)
    # A user changed from student to staff (or back) leaves the other table too.
    _archive_by_clever_ids(Student, district_id, gone + list(kept_educators))
    _archive_by_clever_ids(Educator, district_id, gone + list(kept_students))

    upserts, deleted = _split(latest["sections"])
    records = section_records(upserts, ctx)
    section_writer(ctx).write_by_ids(records)
    _archive_by_clever_ids(Section, district_id, _gone(upserts, (r.clever_id for r in records), deleted))

    return sum(len(changes) for changes in latest.values())


def events_scope_load(ctx: ImportContext) -> None:
    """Load the small id maps a page of events needs: approved schools, terms and courses."""
    ctx.school_pks = dict(
        School.objects.filter(
            district=ctx.district, clever_id__in=ctx.approved_school_ids, archived_at=None
        ).values_list("clever_id", "pk")
    )
    ctx.term_pks = dict(Term.objects.filter(district=ctx.district).values_list("clever_id", "pk"))
    ctx.course_pks = dict(Course.objects.filter(district=ctx.district).values_list("clever_id", "pk"))
