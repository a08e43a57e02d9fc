"""The roster importer: one module per Clever kind, run in dependency order."""

from __future__ import annotations

from rosters.importer.catalog import import_courses, import_terms
from rosters.importer.context import ImportContext
from rosters.importer.schools import import_schools
from rosters.importer.sections import import_sections
from rosters.importer.users import import_users
from rosters.models import ImportPhase

# Schools first (everything refers to them), users before sections (sections link users).
PHASES = [
    (ImportPhase.SCHOOLS, import_schools),
    (ImportPhase.TERMS, import_terms),
    (ImportPhase.COURSES, import_courses),
    (ImportPhase.USERS, import_users),
    (ImportPhase.SECTIONS, import_sections),
]


def import_all_kinds(ctx: ImportContext) -> None:
    """Read every kind from Clever and write it, page by page."""
    for phase, import_kind in PHASES:
        if ctx.run is not None:
            ctx.run.phase = phase
            ctx.progress_save()
        import_kind(ctx)


__all__ = ["ImportContext", "import_all_kinds"]
