"""Changes a full sync staged: decide whether they need a rep's review, then apply or discard them.

A run writes new records as it reads them, but changes to existing records and archiving wait as
PendingChange rows until the run has read everything: a run that fails half-way changes nothing
that was there, and a run that would change or archive a large share of a kind waits for a rep.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from rosters.importer.tables import KIND_LINKS, KIND_MODELS
from rosters.importer.writer import Digests, Record, apply_updates, archive_records
from rosters.models import ImportRun, PendingChange

APPLY_CHUNK = 2000


def kinds_to_hold(changes: dict[str, dict[str, int]]) -> dict[str, str]:
    """Kinds whose changes are too large to apply unseen, each with the reason in words."""
    held = {}
    for kind, found in changes.items():
        active = found.get("active", 0)
        if not active:
            continue  # nothing was there before: a first import only adds
        if found.get("unseen", 0) > settings.ARCHIVE_HOLD_FRACTION * active:
            held[kind] = (
                f"would archive {found['unseen']:,} of {active:,} {kind} "
                f"(more than {settings.ARCHIVE_HOLD_FRACTION:.0%})"
            )
        elif found.get("changed", 0) > settings.CHANGE_HOLD_FRACTION * active:
            held[kind] = (
                f"would change {found['changed']:,} of {active:,} {kind} "
                f"(more than {settings.CHANGE_HOLD_FRACTION:.0%})"
            )
    return held


def _record(change: PendingChange) -> tuple[int, Record, str]:
    """A staged update back as (pk, record, digests); dates travelled as ISO strings in the JSON."""
    fields = {f.attname: f for f in KIND_MODELS[change.kind]._meta.concrete_fields}
    payload = change.payload
    row = {
        column: fields[column].to_python(value) if isinstance(fields[column], models.DateField) else value
        for column, value in payload["row"].items()
    }
    links = {name: [tuple(values) for values in rows] for name, rows in payload["links"].items()}
    digests = Digests(payload["digest"], payload["row_digest"])
    return change.record_id, Record(payload["clever_id"], row, links), digests


def pending_apply(run: ImportRun, *, on_chunk: Callable[[], None] | None = None) -> dict[str, dict[str, int]]:
    """Apply a run's staged updates, then its archiving, a chunk per transaction; returns what it did.

    Chunks keep each write short. If the worker dies half-way, the next full sync finds the rest
    still different and stages it again, so the result is the same.
    """
    done: dict[str, dict[str, int]] = {}
    now = timezone.now()
    for kind, model in KIND_MODELS.items():
        for action in (PendingChange.Action.UPDATE, PendingChange.Action.ARCHIVE):
            pending = PendingChange.objects.filter(run=run, kind=kind, action=action)
            while True:
                batch = list(pending.order_by("id")[:APPLY_CHUNK])
                if not batch:
                    break
                with transaction.atomic():
                    if action == PendingChange.Action.UPDATE:
                        apply_updates(model, KIND_LINKS.get(kind, ()), [_record(c) for c in batch])
                        count = len(batch)
                    else:
                        count = archive_records(model, [c.record_id for c in batch], now)
                    PendingChange.objects.filter(pk__in=[c.pk for c in batch]).delete()
                    if on_chunk:
                        on_chunk()  # e.g. renew the sync lease: a big apply takes a while
                key = "updated" if action == PendingChange.Action.UPDATE else "archived"
                done.setdefault(kind, {}).setdefault(key, 0)
                done[kind][key] += count
    return done


def pending_discard(run: ImportRun) -> int:
    deleted, _ = PendingChange.objects.filter(run=run).delete()
    return deleted
