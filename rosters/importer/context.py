"""What one sync carries from page to page: scope, small id maps, what it found, issues and progress."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import reset_queries

from classhub.clever.client import DistrictAPI
from classhub.clever.parsing import UnusableRecord
from onboarding.models import District
from rosters.importer.writer import ROW_FORMAT_VERSION, Digests, KindStats, Record, source_digest
from rosters.models import ImportIssue, ImportRun, PendingChange

logger = logging.getLogger(__name__)

# Progress is saved at most this often, so a million-record run does not write a row per page.
PROGRESS_EVERY_RECORDS = 2000
PROGRESS_EVERY_SECONDS = 2.0


def _jsonable(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@dataclass
class ImportContext:
    district: District
    api: DistrictAPI
    approved_school_ids: set[str]
    run: ImportRun | None = None  # None for incremental sync, which has no run
    # Every school the district shares now, approved or not (a section of any other school is unusable).
    shared_school_ids: set[str] = field(default_factory=set)
    page_limit: int = 1000
    on_progress: Callable[[ImportRun], None] | None = None
    # Called with each page's transaction open, e.g. to renew the sync lease.
    on_page: Callable[[], None] | None = None
    # Small maps only: a district has tens of schools, terms and courses, never a million.
    school_pks: dict[str, int] = field(default_factory=dict)
    term_pks: dict[str, int] = field(default_factory=dict)
    course_pks: dict[str, int] = field(default_factory=dict)
    stats: dict[str, KindStats] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    pending_issues: list[ImportIssue] = field(default_factory=list)
    _unsaved_records: int = 0
    _last_save: float = field(default_factory=time.monotonic)
    _scope: bytes = b""
    _digests: dict[int, str] = field(default_factory=dict)  # by id() of the objects of the current page

    @property
    def scope(self) -> bytes:
        """What besides a Clever object decides its rows: the approved schools and the row format.

        Part of every record's digest, so approving or removing a school rewrites what it touches.
        """
        if not self._scope:
            self._scope = f"|v{ROW_FORMAT_VERSION}|{','.join(sorted(self.approved_school_ids))}".encode()
        return self._scope

    def source(self, obj) -> str:
        """The object's digest, computed once per page (the page is hashed, then its changes built)."""
        key = id(obj)
        digest = self._digests.get(key)
        if digest is None:
            digest = self._digests[key] = source_digest(obj, self.scope)
        return digest

    # ----- issues -------------------------------------------------------------------------

    def issue(self, *, kind: str, clever_id: str, problem: UnusableRecord) -> None:
        self.issue_for(
            kind=kind,
            clever_id=clever_id,
            field=problem.field,
            message=problem.message,
            suggested_fix=problem.suggested_fix,
        )

    def issue_for(self, *, kind: str, clever_id: str, field: str, message: str, suggested_fix: str) -> None:
        """Keep an unusable record as an issue row; it is written with the page it came in."""
        self.counts["issues"] += 1
        if self.run is None:
            logger.warning("District %s: %s %s: %s", self.district.pk, kind, clever_id, message)
            return
        self.pending_issues.append(
            ImportIssue(
                run=self.run,
                kind=kind,
                clever_id=clever_id[:64],
                field=field[:64],
                message=message,
                suggested_fix=suggested_fix,
            )
        )

    # ----- changes that wait for the end of the run ------------------------------------------

    def stage_updates(self, kind: str, updates: Sequence[tuple[int, Record, Digests]]) -> None:
        PendingChange.objects.bulk_create(
            [
                PendingChange(
                    run=self.run,
                    kind=kind,
                    action=PendingChange.Action.UPDATE,
                    record_id=pk,
                    payload={
                        "clever_id": record.clever_id,
                        "row": {k: _jsonable(v) for k, v in record.row.items()},
                        "links": record.links,
                        "digest": digests.source,
                        "row_digest": digests.row,
                    },
                )
                for pk, record, digests in updates
            ],
            batch_size=1000,
        )

    def stage_archive(self, kind: str, pks: Sequence[int]) -> None:
        PendingChange.objects.bulk_create(
            [PendingChange(run=self.run, kind=kind, action=PendingChange.Action.ARCHIVE, record_id=pk) for pk in pks],
            batch_size=1000,
        )

    # ----- the end of each page ---------------------------------------------------------------

    def page_done(self, records_read: int) -> None:
        """Call inside the page's transaction: writes its issues and, every so often, the progress."""
        self._digests = {}  # ids of this page's objects may be reused by the next page's
        if settings.DEBUG:
            reset_queries()  # DEBUG logs every query; a million-record run would keep them all
        if self.pending_issues:
            ImportIssue.objects.bulk_create(self.pending_issues)
            self.pending_issues = []
        if self.on_page:
            self.on_page()
        if self.run is None:
            return
        self.run.done += records_read
        self._unsaved_records += records_read
        now = time.monotonic()
        if self._unsaved_records >= PROGRESS_EVERY_RECORDS or now - self._last_save >= PROGRESS_EVERY_SECONDS:
            self.progress_save()
            self._last_save = now

    def progress_save(self) -> None:
        if self.run is None:
            return
        self._unsaved_records = 0
        self.run.save(update_fields=["done", "phase", "estimated_total"])
        if self.on_progress:
            self.on_progress(self.run)
