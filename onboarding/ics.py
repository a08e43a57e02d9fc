"""A minimal RFC 5545 calendar invite for the onboarding session (one VEVENT, METHOD:REQUEST)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from onboarding.models import OnboardingSession


def _escape(value: str) -> str:
    """Escape TEXT per RFC 5545 §3.3.11."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")  # a lone CR must not end the content line either
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    out, current = [], b""
    for char in line:
        encoded = char.encode("utf-8")
        limit = 75 if not out else 74  # continuation lines start with a space
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current = b""
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def onboarding_invite(*, session: OnboardingSession, attendee_email: str, now: dt.datetime) -> str:
    """The invite text: the same UID with a higher SEQUENCE updates the event when rescheduled."""
    district = session.district
    description = (
        f"ClassHub onboarding session with Clever for {district.name}.\n"
        f"Time zone: {session.time_zone}.\n"
        + (f"Notes: {session.notes}\n" if session.notes else "")
        + f"Follow your district's progress: {settings.PORTAL_BASE_URL}/portal/"
    )
    ends_at = session.starts_at + dt.timedelta(minutes=session.duration_minutes)
    organizer = settings.DEFAULT_FROM_EMAIL.split("<")[-1].rstrip(">").strip()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ClassHub//Onboarding portal//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:REQUEST",
        "BEGIN:VEVENT",
        f"UID:{session.ics_uid}",
        f"SEQUENCE:{session.sequence}",
        f"DTSTAMP:{_utc(now)}",
        f"DTSTART:{_utc(session.starts_at)}",
        f"DTEND:{_utc(ends_at)}",
        f"SUMMARY:{_escape(f'ClassHub onboarding with Clever — {district.name}')}",
        f"DESCRIPTION:{_escape(description)}",
        f"ORGANIZER;CN=ClassHub Onboarding:mailto:{organizer}",
        f"ATTENDEE;ROLE=REQ-PARTICIPANT;RSVP=TRUE:mailto:{attendee_email}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
