"""django-q2 tasks of the rosters app: thin, take primary keys, call one service."""

from __future__ import annotations

from rosters.services import import_run_execute


def import_run_task(run_id: int) -> str:
    run = import_run_execute(run_id=run_id)
    return f"import run {run.pk}: {run.status}"
