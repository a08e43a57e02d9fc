"""django-q2 tasks of the rosters app: thin, take primary keys, call one service."""

from __future__ import annotations

from rosters.models import ImportRun
from rosters.services import import_run_execute


def import_run_task(run_id: int) -> str:
    # The district (and its runs) may have been deleted while the task waited in the queue.
    if not ImportRun.objects.filter(pk=run_id).exists():
        return f"import run {run_id} no longer exists; nothing to do"
    run = import_run_execute(run_id=run_id)
    return f"import run {run.pk}: {run.status}"
