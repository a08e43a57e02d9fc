"""django-q2 tasks of the rosters app: thin, take primary keys, call one service."""

from __future__ import annotations

import logging

from classhub.errors import ClassHubError
from onboarding.models import District
from rosters.models import DistrictSync, ImportRun
from rosters.services import SYNCED_STATUSES, district_sync_now, events_sync, import_run_execute

logger = logging.getLogger(__name__)


def import_run_task(run_id: int) -> str:
    # The district (and its runs) may have been deleted while the task waited in the queue.
    if not ImportRun.objects.filter(pk=run_id).exists():
        return f"import run {run_id} no longer exists; nothing to do"
    run = import_run_execute(run_id=run_id)
    return f"import run {run.pk}: {run.status}"


def events_sync_task(district_id: int) -> str:
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return f"district {district_id} no longer exists; nothing to do"
    result = events_sync(district=district)
    return f"{district.name}: {result.status}, {result.applied} events"


def events_sync_all_task() -> str:
    """Every few minutes: apply new Clever events for each synced district (one task per district)."""
    from django_q.tasks import async_task

    ids = list(
        DistrictSync.objects.filter(events_cursor__isnull=False, district__status__in=SYNCED_STATUSES).values_list(
            "district_id", flat=True
        )
    )
    for district_id in ids:
        async_task("rosters.tasks.events_sync_task", district_id, group="events")
    return f"queued events sync for {len(ids)} district(s)"


def nightly_full_sync_task() -> str:
    """Each night: a full sync of every synced district (it also catches what events may have missed)."""
    queued = 0
    for district in District.objects.filter(status__in=SYNCED_STATUSES):
        try:
            _run, created = district_sync_now(district=district)
        except ClassHubError as exc:
            logger.warning("Nightly sync of %s skipped: %s", district.name, exc)
            continue
        queued += created
    return f"queued {queued} nightly full sync(s)"
