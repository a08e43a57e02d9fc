"""Write Clever records of one kind, a page at a time: insert the new, update the changed, skip the rest.

A full sync compares each page with the district's stored records in the same id range (Clever sorts
lists by id), so one indexed range read per page tells which records are new, which changed (by the
digest of what was last written), which are unchanged — and which Clever no longer sends, without
marking every row as seen. Incremental sync (events) compares by id instead.

The SQL is plain ``INSERT``/``UPDATE``/``DELETE`` with ``executemany``: the same statements run on
SQLite and PostgreSQL, and nothing builds a model instance per row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, models

if TYPE_CHECKING:
    from rosters.importer.context import ImportContext

# Ids per IN (...) list: well under SQLite's 32,766 and PostgreSQL's 65,535 parameters.
ID_CHUNK = 5000


@dataclass(frozen=True)
class LinkTable:
    """A table of links owned by a record, e.g. StudentSchool owned by the student."""

    name: str
    model: type[models.Model]
    owner: str  # the column naming the owner, e.g. "student_id"
    columns: tuple[str, ...]  # the other columns, e.g. ("school_id",)


@dataclass
class Record:
    """One Clever object as rows: its own columns and its links."""

    clever_id: str
    row: dict[str, Any]  # column -> value, without id, sync_hash and archived_at
    links: dict[str, list[tuple]] = field(default_factory=dict)  # LinkTable.name -> tuples of its columns
    # False when a reference could not be resolved: such a record is never skipped as unchanged,
    # so the link appears as soon as its target is shared.
    complete: bool = True
    # The Clever ids the links come from, when resolving them costs queries (a section's students):
    # they are resolved only if the record is written.
    refs: tuple | None = None
    # The digest of the Clever object this record was built from (see source_digest): equal digests
    # mean an unchanged record, which a sync skips before even building its rows.
    source: str = ""

    def digest(self) -> str:
        """The source digest (of the Clever object), or for a record built without one, of its rows."""
        return self.source or self.row_digest()

    def row_digest(self) -> str:
        """A digest of what is written: the row and its resolved links."""
        links = sorted((name, sorted(rows)) for name, rows in self.links.items())
        return hashlib.blake2b(repr((self.row, links)).encode(), digest_size=16).hexdigest()

    def digests(self) -> Digests:
        """What is stored with the row. The source digest only for a complete record: an incomplete one (a
        link target not shared) is rebuilt every sync, and rewritten only if its row digest changed."""
        return Digests(self.digest() if self.complete else "", self.row_digest())


@dataclass(frozen=True)
class Digests:
    source: str  # sync_hash: lets the next sync skip the Clever object unparsed
    row: str  # row_hash: tells a real change of what is stored from a re-scoped or re-sent object


# Bump when the way Clever objects become rows changes, so the next sync rewrites every record.
ROW_FORMAT_VERSION = 2  # 2: students carry email_key


def source_digest(obj: Any, scope: bytes) -> str:
    """A digest of a Clever object as sent, within a scope (the approved schools, the row format)."""
    return hashlib.blake2b(repr(obj).encode() + scope, digest_size=16).hexdigest()


@dataclass
class KindStats:
    """What a full sync found for one kind; ``active`` is how many were active before it."""

    new: int = 0
    changed: int = 0
    restored: int = 0  # archived records Clever shares again; not a change of what is active
    unchanged: int = 0
    unseen: int = 0
    active: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "new": self.new,
            "changed": self.changed,
            "restored": self.restored,
            "unseen": self.unseen,
            "active": self.active,
        }


@dataclass
class Existing:
    pk: int
    digest: str  # the stored source digest (sync_hash)
    row_digest: str  # the stored row digest (row_hash)
    archived: bool


def quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def chunks(items: Sequence, size: int = ID_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class KindWriter:
    """Writes the records of one model (and its link tables) for one district."""

    def __init__(
        self,
        ctx: ImportContext,
        kind: str,
        model: type[models.Model],
        links: Sequence[LinkTable] = (),
        resolve: Callable[[list[Record]], None] | None = None,
    ):
        self.ctx = ctx
        self.kind = kind
        self.model = model
        self.table = quoted(model._meta.db_table)
        self.links = {link.name: link for link in links}
        # Fills in the links (and ``complete``) of the records that will be written, just before writing.
        self.resolve = resolve
        self.stats = ctx.stats.setdefault(kind, KindStats())

    # ----- reading what is stored -------------------------------------------------------------

    def existing_in_range(self, after: str | None, upto: str | None) -> dict[str, Existing]:
        """Stored records of the district with after < clever_id <= upto (None: unbounded)."""
        sql = f"SELECT clever_id, id, sync_hash, row_hash, archived_at FROM {self.table} WHERE district_id = %s"
        params: list[Any] = [self.ctx.district.pk]
        # Compare ids byte by byte, as Clever (and Python) order them, whatever the database's collation.
        column = 'clever_id COLLATE "C"' if connection.vendor == "postgresql" else "clever_id"
        if after is not None:
            sql += f" AND {column} > %s"
            params.append(after)
        if upto is not None:
            sql += f" AND {column} <= %s"
            params.append(upto)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {cid: Existing(pk, d, row, archived is not None) for cid, pk, d, row, archived in cursor.fetchall()}

    def existing_by_ids(self, clever_ids: Sequence[str]) -> dict[str, Existing]:
        found: dict[str, Existing] = {}
        with connection.cursor() as cursor:
            for chunk in chunks(list(clever_ids)):
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT clever_id, id, sync_hash, row_hash, archived_at FROM {self.table} "
                    f"WHERE district_id = %s AND clever_id IN ({marks})",
                    [self.ctx.district.pk, *chunk],
                )
                found.update(
                    (cid, Existing(pk, d, row, archived is not None)) for cid, pk, d, row, archived in cursor.fetchall()
                )
        return found

    # ----- writing ----------------------------------------------------------------------------

    def write_range(
        self,
        records: Sequence[Record],
        *,
        after: str | None,
        upto: str | None,
        existing: dict[str, Existing] | None = None,
        unchanged: set[str] = frozenset(),
    ) -> dict[str, int]:
        """Write one page of a full sync covering (after, upto]; returns {clever_id: pk} of its records.

        ``existing`` is this writer's range read, when the caller already made it to find the
        ``unchanged`` records (skipped before they were built; they count as seen).
        """
        existing = existing if existing is not None else self.existing_in_range(after, upto)
        pks = self._write(records, existing, stage=True)
        self.stats.unchanged += len(unchanged)
        pks.update((cid, existing[cid].pk) for cid in unchanged)
        sent = {r.clever_id for r in records} | unchanged
        active = [e for cid, e in existing.items() if not e.archived]
        self.stats.active += len(active)
        unseen = [e.pk for cid, e in existing.items() if cid not in sent and not e.archived]
        if unseen:
            self.stats.unseen += len(unseen)
            self.ctx.stage_archive(self.kind, unseen)
        return pks

    def write_by_ids(self, records: Sequence[Record]) -> dict[str, int]:
        """Write records at once (incremental sync: events are applied, never staged)."""
        existing = self.existing_by_ids([r.clever_id for r in records])
        return self._write(records, existing, stage=False)

    def _write(self, records: Sequence[Record], existing: dict[str, Existing], *, stage: bool) -> dict[str, int]:
        pks: dict[str, int] = {}
        to_check: list[tuple[Record, Existing | None]] = []
        for record in records:
            stored = existing.get(record.clever_id)
            if stored is not None:
                pks[record.clever_id] = stored.pk
                if not stored.archived and record.complete and record.digest() == stored.digest:
                    self.stats.unchanged += 1
                    continue
            to_check.append((record, stored))
        if self.resolve is not None and to_check:
            self.resolve([record for record, _stored in to_check])
        new: list[tuple[Record, Digests]] = []
        changed: list[tuple[Record, Digests, int]] = []
        rehashed: list[tuple[str, int]] = []
        for record, stored in to_check:
            digests = record.digests()
            if stored is None:
                new.append((record, digests))
            elif stored.archived:
                self.stats.restored += 1  # Clever shares it again: same row, same history
                changed.append((record, digests, stored.pk))
            elif digests.row != stored.row_digest:
                self.stats.changed += 1
                changed.append((record, digests, stored.pk))
            else:
                # What is stored is right (the object was re-sent, or the approved schools changed in a way
                # that does not touch it): only its source digest is brought up to date.
                self.stats.unchanged += 1
                if digests.source != stored.digest:
                    rehashed.append((digests.source, stored.pk))
        if rehashed:
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {self.table} SET sync_hash = %s WHERE id = %s", rehashed)
        if new:
            inserted = self._insert(new)
            pks.update(inserted)
            self.stats.new += len(inserted)
            replace_links(
                self.links.values(),
                [(r, inserted[r.clever_id]) for r, _d in new if r.clever_id in inserted],
                fresh=True,
            )
            for record, _digests in new:
                if record.clever_id not in inserted:
                    self.ctx.issue_for(
                        kind=self.kind,
                        clever_id=record.clever_id,
                        field="id",
                        message="Another district's record already has this Clever id; this one was not stored.",
                        suggested_fix="Report this record to Clever Support.",
                    )
        if changed:
            if stage:
                self.ctx.stage_updates(self.kind, [(pk, record, digests) for record, digests, pk in changed])
            else:
                apply_updates(self.model, self.links.values(), [(pk, record, ds) for record, ds, pk in changed])
        return pks

    def _insert(self, new: list[tuple[Record, Digests]]) -> dict[str, int]:
        columns = [*new[0][0].row, "sync_hash", "row_hash", "archived_at"]
        sql = (
            f"INSERT INTO {self.table} ({', '.join(map(quoted, columns))}) "
            f"VALUES ({', '.join(['%s'] * len(columns))}) ON CONFLICT (clever_id) DO NOTHING"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, [(*record.row.values(), ds.source, ds.row, None) for record, ds in new])
        found = self.existing_by_ids([record.clever_id for record, _digests in new])
        return {cid: e.pk for cid, e in found.items()}


def apply_updates(
    model: type[models.Model], links: Iterable[LinkTable], updates: Sequence[tuple[int, Record, Digests]]
) -> None:
    """Write changed (or restored) records and their links; ``updates`` are (pk, record, digests)."""
    if not updates:
        return
    table = quoted(model._meta.db_table)
    columns = list(updates[0][1].row)
    assignments = ", ".join(f"{quoted(c)} = %s" for c in [*columns, "sync_hash", "row_hash"])
    sql = f"UPDATE {table} SET {assignments}, archived_at = NULL WHERE id = %s"
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(*record.row.values(), ds.source, ds.row, pk) for pk, record, ds in updates])
    replace_links(links, [(record, pk) for pk, record, _ds in updates], fresh=False)


def replace_links(links: Iterable[LinkTable], owners: Sequence[tuple[Record, int]], *, fresh: bool) -> None:
    """Make each owner's links exactly its record's; a fresh owner has none to remove."""
    if not owners:
        return
    with connection.cursor() as cursor:
        for link in links:
            table = quoted(link.model._meta.db_table)
            if not fresh:
                for chunk in chunks([pk for _r, pk in owners]):
                    marks = ", ".join(["%s"] * len(chunk))
                    cursor.execute(f"DELETE FROM {table} WHERE {quoted(link.owner)} IN ({marks})", list(chunk))
            rows = [(pk, *values) for record, pk in owners for values in record.links.get(link.name, ())]
            if rows:
                columns = ", ".join(map(quoted, (link.owner, *link.columns)))
                marks = ", ".join(["%s"] * (1 + len(link.columns)))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows)


def pks_by_clever_id(model: type[models.Model], district_id: int, clever_ids: Iterable[str]) -> dict[str, int]:
    """Primary keys of the district's records with the given Clever ids (archived ones too)."""
    ids = list(dict.fromkeys(clever_ids))
    table = quoted(model._meta.db_table)
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for chunk in chunks(ids):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT clever_id, id FROM {table} WHERE district_id = %s AND clever_id IN ({marks})",
                [district_id, *chunk],
            )
            found.update(cursor.fetchall())
    return found


def archive_records(model: type[models.Model], pks: Sequence[int], when: dt.datetime) -> int:
    """Archive records by primary key (never delete: they come back if Clever shares them again)."""
    table = quoted(model._meta.db_table)
    archived = 0
    with connection.cursor() as cursor:
        for chunk in chunks(list(pks)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"UPDATE {table} SET archived_at = %s WHERE archived_at IS NULL AND id IN ({marks})", [when, *chunk]
            )
            archived += cursor.rowcount
    return archived
