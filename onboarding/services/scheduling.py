"""Scheduling the onboarding session with Clever, with a calendar invite for the district contact."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from onboarding.audit import audit_record, known_actor
from onboarding.models import District, DistrictStatus, OnboardingSession
from onboarding.notifications import notify_onboarding_scheduled
from onboarding.services.errors import ReviewError
from onboarding.workflow import district_transition

# Approval queues the first import at once, so a session may be scheduled before, during or after it.
SCHEDULABLE = {
    DistrictStatus.APPROVED,
    DistrictStatus.PARTLY_APPROVED,
    DistrictStatus.ONBOARDING_SCHEDULED,
    DistrictStatus.IMPORTING,
    DistrictStatus.NEEDS_ATTENTION,
    DistrictStatus.IMPORTED,
}


def local_start(*, date: dt.date, time: dt.time, time_zone: str) -> dt.datetime:
    """The aware moment a rep means by a date, a wall-clock time and a time zone name."""
    try:
        zone = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ReviewError(f"Unknown time zone {time_zone!r}: choose one such as America/Chicago.") from exc
    return dt.datetime.combine(date, time, tzinfo=zone)


@transaction.atomic
def onboarding_schedule(
    *,
    district: District,
    starts_at: dt.datetime,
    time_zone: str,
    notes: str = "",
    duration_minutes: int = 60,
    actor: AbstractBaseUser | None,
) -> OnboardingSession:
    """Schedule (or move) the onboarding session and send the contact an invite (or its update)."""
    district = District.objects.select_for_update().get(pk=district.pk)
    if district.status not in SCHEDULABLE:
        raise ReviewError(
            f"{district.name} is {district.get_status_display().lower()}; schedule the onboarding session "
            "after its request is approved."
        )
    if starts_at.tzinfo is None:
        raise ReviewError("The session time needs a time zone.")
    if not district.contact_email:
        raise ReviewError(f"{district.name} has no contact email from Clever, so nobody would get the invite.")
    session = OnboardingSession.objects.select_for_update().filter(district=district).first()
    before = {"starts_at": session.starts_at.isoformat(), "time_zone": session.time_zone} if session else {}
    if session is None:
        session = OnboardingSession(district=district)
    else:
        session.sequence += 1  # same UID, higher SEQUENCE: calendars update the event in place
    session.starts_at = starts_at
    session.time_zone = time_zone
    session.notes = notes.strip()
    session.duration_minutes = duration_minutes
    session.scheduled_by = known_actor(actor)
    session.save()

    details = {"starts_at": starts_at.isoformat(), "time_zone": time_zone, "sequence": session.sequence}
    if district.status in (DistrictStatus.APPROVED, DistrictStatus.PARTLY_APPROVED):
        district_transition(
            district=district,
            to=DistrictStatus.ONBOARDING_SCHEDULED,
            actor=actor,
            action="onboarding.session.scheduled",
            details=details,
        )
    else:
        audit_record(
            district=district,
            actor=actor,
            action="onboarding.session.rescheduled" if before else "onboarding.session.scheduled",
            subject=session,
            before=before,
            after=details,
        )
    notify_onboarding_scheduled(session=session)
    return session
