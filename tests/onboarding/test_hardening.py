"""Rules added after attacking the journey: each would fail without its fix."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.emails import email_queue, email_resend, email_send
from onboarding.ics import _escape
from onboarding.models import AuditEvent, District, EmailKind, EmailLog, EmailStatus, SharedSchool
from onboarding.services import connections_sync, onboarding_schedule
from onboarding.services.scheduling import local_start
from rosters.models import ImportRun, ImportStatus, Section, Student, StudentSchool

pytestmark = pytest.mark.django_db


def test_an_unshared_school_archives_its_sections_and_only_the_people_of_no_other_school(imported_a, sandbox):
    shared = sorted(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    multi = next(
        s for s in Student.objects.filter(district=imported_a) if s.school_links.count() > 1
    )  # a student in two schools
    dropped = multi.school.clever_id
    keep = [s for s in shared if s != dropped]
    sandbox.share(imported_a.clever_id, keep)
    connections_sync()
    assert not Section.objects.filter(school__clever_id=dropped, archived_at=None).exists()
    only_there = Student.objects.filter(school_links__school__clever_id=dropped).exclude(
        pk__in=StudentSchool.objects.filter(school__clever_id__in=keep).values("student_id")
    )
    assert only_there.exists() and not only_there.filter(archived_at=None).exists()
    multi.refresh_from_db()
    assert multi.archived_at is None  # still in another shared school
    assert Student.objects.filter(district=imported_a).count() > 0  # nothing deleted


def test_an_email_being_sent_by_another_worker_is_not_sent_again(mailoutbox):
    district = District.objects.create(clever_id="f" * 24, name="Claim District")
    log = email_queue(kind=EmailKind.REQUEST_RECEIVED, to="a@example.org", district=district, context={}, send=False)
    EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SENDING)
    email_send(log_id=log.pk)
    assert mailoutbox == []
    EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.QUEUED)
    email_send(log_id=log.pk)
    email_send(log_id=log.pk)
    assert len(mailoutbox) == 1


def test_plain_text_parts_and_subjects_are_not_html_escaped(mailoutbox):
    district = District.objects.create(clever_id="f" * 24, name="St. Mary's & <Co>", contact_name="O'Neil")
    log = email_queue(kind=EmailKind.REQUEST_RECEIVED, to="a@example.org", district=district, context={}, send=False)
    assert log.subject == "We received the ClassHub request from St. Mary's & <Co>"
    assert "Hello O'Neil," in log.body_text
    assert "St. Mary&#x27;s &amp; &lt;Co&gt;" in log.body_html  # the HTML part is escaped


def test_the_invite_escapes_every_line_break_so_notes_cannot_add_calendar_properties():
    assert _escape("a\rATTENDEE:mailto:x@y\nb\r\nc") == "a\\nATTENDEE:mailto:x@y\\nb\\nc"


def test_resending_is_audited(rep):
    district = District.objects.create(clever_id="f" * 24, name="Resend District")
    log = email_queue(kind=EmailKind.REQUEST_RECEIVED, to="a@example.org", district=district, context={}, send=False)
    email_resend(log=log, actor=rep)
    event = AuditEvent.objects.get(action="onboarding.email.resent")
    assert event.actor == rep and event.after == {"resend_of": log.pk}


def test_rescheduling_starts_from_the_current_session_and_far_dates_are_refused(client, group_rep, imported_a):
    starts = local_start(date=dt.date(2027, 1, 12), time=dt.time(9, 30), time_zone="America/Denver")
    onboarding_schedule(
        district=imported_a, starts_at=starts, time_zone="America/Denver", notes="Bring SIS admin", actor=group_rep
    )
    client.force_login(group_rep)
    url = reverse("admin:onboarding_district_changelist")
    page = client.post(url, {"action": "schedule_onboarding", "_selected_action": [imported_a.pk]})
    form = page.context["form"]
    assert form.initial["date"] == dt.date(2027, 1, 12) and form.initial["time"] == dt.time(9, 30)
    assert form.initial["time_zone"] == "America/Denver" and form.initial["notes"] == "Bring SIS admin"
    far = client.post(
        url,
        {
            "action": "schedule_onboarding",
            "_selected_action": [imported_a.pk],
            "confirm": "yes",
            "date": "9999-12-31",
            "time": "23:59",
            "time_zone": "America/Chicago",
            "duration_minutes": 60,
        },
    )
    assert far.status_code == 200 and b"more than two years away" in far.content


def test_welcome_emails_go_out_in_batches_and_reach_everyone(imported_a, group_rep, deliver, monkeypatch):
    from onboarding.services import district_go_live, golive
    from rosters.models import Educator

    imported_a.status = "imported"
    imported_a.save()
    monkeypatch.setattr(golive, "WELCOME_BATCH", 3)
    with deliver() as outbox:
        district_go_live(district=imported_a, actor=group_rep)
    admins = Educator.objects.filter(district=imported_a, is_district_admin=True).exclude(email="")
    welcomed = {m.to[0] for m in outbox if "is live" in m.subject}
    assert set(admins.values_list("email", flat=True)) <= welcomed  # district admins too, after the school loop
    assert EmailLog.objects.filter(kind=EmailKind.WELCOME, status=EmailStatus.SENT).count() == len(
        [m for m in outbox if "is live" in m.subject]
    )


def test_an_email_task_for_rows_that_no_longer_exist_does_nothing():
    from onboarding.tasks import email_send_task

    assert email_send_task([987654, 987655]) == "0 sent, 0 failed"


def test_a_district_goes_live_only_once_imported(approve_demo, rep):
    from onboarding.services import ReviewError, district_go_live

    approved = approve_demo("a")  # approved, import queued but not run
    with pytest.raises(ReviewError, match="once its rosters are imported"):
        district_go_live(district=approved, actor=rep)
    approved.refresh_from_db()
    assert approved.status == "approved"


def test_a_sharing_change_waits_while_an_import_runs(imported_a, sandbox):
    shared = sorted(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    from rosters.lease import lease_acquire

    run = ImportRun.objects.create(district=imported_a, status=ImportStatus.RUNNING, started_at=timezone.now())
    lease_acquire(imported_a, f"import-{run.pk}-worker")  # a live worker holds the district's sync lease
    sandbox.share(imported_a.clever_id, shared[1:])
    result = connections_sync()
    assert imported_a.clever_id in result.unchanged
    assert SharedSchool.objects.get(clever_school_id=shared[0]).unshared_at is None  # picked up on a later poll


def test_a_dead_workers_run_does_not_pause_sharing_changes(imported_a, sandbox):
    shared = sorted(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    ImportRun.objects.create(district=imported_a, status=ImportStatus.RUNNING, started_at=timezone.now())  # no lease
    sandbox.share(imported_a.clever_id, shared[1:])
    assert imported_a.clever_id in connections_sync().sharing_changed


def test_a_change_request_email_names_the_added_schools(imported_a, sandbox, deliver):
    shared = set(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    extra = next(
        s
        for s, obj in sandbox.dataset.schools.items()
        if obj.get("district") == imported_a.clever_id and s not in shared
    )
    with deliver() as outbox:
        sandbox.share(imported_a.clever_id, sorted(shared | {extra}))
        connections_sync()
    email = next(m for m in outbox if m.to == [imported_a.contact_email] and "added" in m.subject)
    assert sandbox.dataset.schools[extra]["name"] in email.body
    assert "already approved carry on" in email.body
