"""The onboarding session: scheduled after approval, an .ics invite, updates on reschedule."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from onboarding.models import AuditEvent, District, DistrictStatus, EmailKind, EmailLog
from onboarding.services import ReviewError, connections_sync, onboarding_schedule
from onboarding.services.scheduling import local_start

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(approve_demo):
    return approve_demo("a")


def invite_of(email) -> str:
    """The .ics attached to an email, as the calendar receives it (base64 keeps its CRLF line ends)."""
    part = email.attachments[0]
    assert part.get_filename() == "invite.ics" and part.get_content_type() == "text/calendar"
    assert part["Content-Transfer-Encoding"] == "base64"
    return part.get_payload(decode=True).decode("utf-8")


def unfold(ics: str) -> list[str]:
    """RFC 5545 unfolding: a CRLF followed by a space continues the previous line."""
    return ics.replace("\r\n ", "").split("\r\n")


def ics_field(ics: str, name: str) -> str:
    return next(line.split(":", 1)[1] for line in unfold(ics) if line.split(":", 1)[0].split(";")[0] == name)


def test_scheduling_sends_an_invite_with_a_valid_ics(approved, rep, deliver):
    starts = local_start(date=dt.date(2027, 1, 12), time=dt.time(9, 30), time_zone="America/Chicago")
    with deliver() as outbox:
        session = onboarding_schedule(
            district=approved, starts_at=starts, time_zone="America/Chicago", notes="Bring your SIS admin", actor=rep
        )
    approved.refresh_from_db()
    assert approved.status == DistrictStatus.ONBOARDING_SCHEDULED
    email = next(m for m in outbox if "onboarding session" in m.subject)
    assert email.to == [approved.contact_email]
    assert "Tuesday, January 12, 2027 at 9:30 AM (America/Chicago)" in email.body
    assert "Bring your SIS admin" in email.body
    ics = invite_of(email)

    assert ics.endswith("\r\n") and "\n" not in ics.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))
    lines = unfold(ics)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "METHOD:REQUEST" in lines and "VERSION:2.0" in lines
    assert ics_field(ics, "UID") == session.ics_uid
    assert ics_field(ics, "SEQUENCE") == "0"
    assert ics_field(ics, "DTSTART") == "20270112T153000Z"  # 9:30 in Chicago in January is 15:30 UTC
    assert ics_field(ics, "DTEND") == "20270112T163000Z"
    assert ics_field(ics, "ATTENDEE") == f"mailto:{approved.contact_email}"
    assert "Bring your SIS admin" in ics_field(ics, "DESCRIPTION")


def test_rescheduling_sends_an_update_with_the_same_uid_and_a_higher_sequence(approved, rep, deliver):
    first = local_start(date=dt.date(2027, 1, 12), time=dt.time(9, 30), time_zone="America/Chicago")
    onboarding_schedule(district=approved, starts_at=first, time_zone="America/Chicago", actor=rep)
    later = local_start(date=dt.date(2027, 1, 14), time=dt.time(13, 0), time_zone="America/New_York")
    with deliver() as outbox:
        session = onboarding_schedule(district=approved, starts_at=later, time_zone="America/New_York", actor=rep)
    update = outbox[-1]
    assert update.subject.startswith("Updated:")
    ics = invite_of(update)
    assert ics_field(ics, "UID") == session.ics_uid and ics_field(ics, "SEQUENCE") == "1"
    assert ics_field(ics, "DTSTART") == "20270114T180000Z"
    assert EmailLog.objects.filter(kind=EmailKind.ONBOARDING_SCHEDULED).count() == 2
    assert AuditEvent.objects.filter(district=approved, action="onboarding.session.rescheduled").exists()


def test_a_session_cannot_be_scheduled_before_approval(sandbox, demo, rep):
    call_command("demo_setup")
    connections_sync()
    in_review = District.objects.get(clever_id=demo["b"]["clever_id"])
    with pytest.raises(ReviewError, match="after its request is approved"):
        onboarding_schedule(
            district=in_review, starts_at=dt.datetime(2027, 1, 1, 9, tzinfo=ZoneInfo("UTC")), time_zone="UTC", actor=rep
        )


def test_an_unknown_time_zone_is_explained():
    with pytest.raises(ReviewError, match="Unknown time zone"):
        local_start(date=dt.date(2027, 1, 1), time=dt.time(9), time_zone="Mars/Olympus")


def test_the_admin_schedule_action_validates_its_form(client, group_rep, approved):
    client.force_login(group_rep)
    url = reverse("admin:onboarding_district_changelist")
    base = {"action": "schedule_onboarding", "_selected_action": [approved.pk]}
    form_page = client.post(url, base)
    assert form_page.status_code == 200 and b"Time zone" in form_page.content
    past = client.post(
        url,
        {
            **base,
            "confirm": "yes",
            "date": "2020-01-01",
            "time": "09:00",
            "time_zone": "America/Chicago",
            "duration_minutes": 60,
        },
    )
    assert past.status_code == 200 and b"in the past" in past.content
    done = client.post(
        url,
        {
            **base,
            "confirm": "yes",
            "date": "2027-02-01",
            "time": "10:00",
            "time_zone": "America/Denver",
            "duration_minutes": 45,
            "notes": "",
        },
    )
    assert done.status_code == 302
    approved.refresh_from_db()
    assert approved.onboarding_session.starts_at == dt.datetime(2027, 2, 1, 17, 0, tzinfo=dt.UTC)
    assert approved.onboarding_session.duration_minutes == 45
