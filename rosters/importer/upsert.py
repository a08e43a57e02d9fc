"""Bulk insert-or-update keyed on the Clever id, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import models


def upsert_by_clever_id(
    model: type[models.Model], rows: Sequence[dict[str, Any]], *, seen_in_run: int
) -> dict[str, int]:
    """Insert or update rows by ``clever_id``, mark them seen by the run, and return {clever_id: pk}."""
    if not rows:
        return {}
    rows = [{**row, "last_seen_run": seen_in_run} for row in rows]
    update_fields = [name for name in rows[0] if name != "clever_id"]
    model.objects.bulk_create(
        [model(**row) for row in rows],
        update_conflicts=True,
        unique_fields=["clever_id"],
        update_fields=update_fields,
        batch_size=500,
    )
    return pks_by_clever_id(model, [row["clever_id"] for row in rows])


def pks_by_clever_id(model: type[models.Model], clever_ids: Iterable[str]) -> dict[str, int]:
    """Primary keys of the given Clever ids, looked up in chunks that stay under SQLite's limits."""
    ids = list(clever_ids)
    found: dict[str, int] = {}
    for start in range(0, len(ids), 900):
        chunk = ids[start : start + 900]
        found.update(model.objects.filter(clever_id__in=chunk).values_list("clever_id", "pk"))
    return found


def replace_links(
    model: type[models.Model],
    *,
    owner_field: str,
    owner_pks: Iterable[int],
    rows: Sequence[dict[str, Any]],
    unique_fields: list[str],
    update_fields: list[str] | None = None,
) -> None:
    """Make the link rows of the given owners exactly ``rows``: add the new, drop the gone."""
    owner_pks = list(owner_pks)
    wanted = {tuple(row[f] for f in unique_fields) for row in rows}
    existing = model.objects.filter(**{f"{owner_field}__in": owner_pks}).values_list("pk", *unique_fields)
    stale = [pk for pk, *key in existing if tuple(key) not in wanted]
    for start in range(0, len(stale), 900):
        model.objects.filter(pk__in=stale[start : start + 900]).delete()
    if rows:
        options: dict[str, Any] = {"batch_size": 500}
        if update_fields:
            options.update(update_conflicts=True, unique_fields=unique_fields, update_fields=update_fields)
        else:
            options.update(ignore_conflicts=True)
        model.objects.bulk_create([model(**row) for row in rows], **options)
