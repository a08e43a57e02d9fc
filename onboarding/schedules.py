"""The recurring django-q2 schedules, created (or corrected) after every migrate."""

from __future__ import annotations

from django.conf import settings

CONNECTIONS_SCHEDULE_NAME = "clever-connections-sync"


def schedules_ensure(**_kwargs) -> None:
    """Make sure connection discovery runs every CLEVER_DISCOVERY_MINUTES minutes."""
    from django_q.models import Schedule

    Schedule.objects.update_or_create(
        name=CONNECTIONS_SCHEDULE_NAME,
        defaults={
            "func": "onboarding.tasks.connections_sync_task",
            "schedule_type": Schedule.MINUTES,
            "minutes": settings.CLEVER_DISCOVERY_MINUTES,
            "repeats": -1,
        },
    )
