"""Progress of an import run, saved as it goes so the admin and the portal can show it live."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rosters.models import ImportPhase

if TYPE_CHECKING:
    from rosters.importer.context import ImportContext


def progress_phase(ctx: ImportContext, phase: ImportPhase) -> None:
    ctx.run.phase = phase
    ctx.run.save(update_fields=["phase"])
    if ctx.on_progress:
        ctx.on_progress(ctx.run)


def progress_add(ctx: ImportContext, records: int) -> None:
    """Count records read from Clever; call inside the page's transaction so both commit together."""
    ctx.run.done += records
    ctx.run.save(update_fields=["done"])
    if ctx.on_progress:
        ctx.on_progress(ctx.run)
