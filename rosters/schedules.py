"""The rosters app's recurring django-q2 schedules, created (or corrected) after every migrate."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

EVENTS_SCHEDULE_NAME = "clever-events-sync"
NIGHTLY_SCHEDULE_NAME = "clever-nightly-full-sync"


def _next_nightly_run() -> dt.datetime:
    now = timezone.now()
    run = now.replace(hour=settings.NIGHTLY_SYNC_HOUR_UTC, minute=0, second=0, microsecond=0)
    return run if run > now else run + dt.timedelta(days=1)


def schedules_ensure(**_kwargs) -> None:
    """Incremental sync every EVENTS_SYNC_MINUTES; a full sync of every district each night.

    Q_CLUSTER["catch_up"] is off, so a worker that was down all week runs the nightly sync once,
    not once per missed night.
    """
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=EVENTS_SCHEDULE_NAME,
        defaults={
            "func": "rosters.tasks.events_sync_all_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.EVENTS_SYNC_MINUTES,
            "repeats": -1,
        },
    )
    nightly, created = Schedule.objects.get_or_create(
        name=NIGHTLY_SCHEDULE_NAME,
        defaults={
            "func": "rosters.tasks.nightly_full_sync_task",
            "schedule_type": Schedule.DAILY,
            "repeats": -1,
            "next_run": _next_nightly_run(),
        },
    )
    if not created and nightly.func != "rosters.tasks.nightly_full_sync_task":
        nightly.func = "rosters.tasks.nightly_full_sync_task"
        nightly.save(update_fields=["func"])
