"""Each email of the journey: who gets it, what it says, sent once, logged, and resendable."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from onboarding.emails import email_queue, email_resend
from onboarding.models import District, EmailKind, EmailLog, EmailStatus, SharingRequest
from onboarding.services import (
    connections_sync,
    district_purchase_record,
    sharing_request_approve,
    sharing_request_deny,
)
from onboarding.services.review import WHOLE_DISTRICT_REASON
from tests.conftest import run_queued_tasks

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(sandbox, demo, deliver):
    call_command("demo_setup")
    with deliver() as outbox:
        connections_sync()
    return outbox


def district(demo, key) -> District:
    return District.objects.get(clever_id=demo[key]["clever_id"])


def test_already_purchased_districts_get_request_received_and_sales_gets_the_rest(connected, demo, settings):
    by_to = {m.to[0]: m for m in connected}
    a, c = district(demo, "a"), district(demo, "c")
    received = by_to[a.contact_email]
    assert "received" in received.subject and a.name in received.subject
    assert "under review" in received.body
    assert settings.PORTAL_BASE_URL + "/portal/" in received.body
    assert received.from_email == settings.DEFAULT_FROM_EMAIL and received.reply_to == [settings.EMAIL_REPLY_TO]
    html = dict((mime, body) for body, mime in [(a_[0], a_[1]) for a_ in received.alternatives])["text/html"]
    assert a.name in html

    sales = by_to[settings.SALES_EMAIL]
    assert c.name in sales.subject
    assert c.contact_email in sales.body and c.contact_name in sales.body
    for school in c.shared_schools.all():
        assert school.name in sales.body
    assert c.contact_email not in by_to  # the district itself is not told it is under review
    assert len(connected) == 3


def test_queuing_the_same_event_twice_sends_one_email(connected, demo, deliver):
    with deliver() as outbox:
        connections_sync()  # nothing new
    assert len(outbox) == 3
    a = district(demo, "a")
    request = SharingRequest.objects.get(district=a)
    assert (
        email_queue(
            kind=EmailKind.REQUEST_RECEIVED,
            to=a.contact_email,
            district=a,
            context={},
            dedupe_key=f"request_received:{request.pk}",
        )
        is None
    )
    assert EmailLog.objects.filter(kind=EmailKind.REQUEST_RECEIVED).count() == 2


def test_mark_purchased_tells_the_district_its_request_is_under_review(connected, demo, rep, deliver):
    c = district(demo, "c")
    with deliver() as outbox:
        district_purchase_record(district=c, purchase_status="already_purchased", actor=rep)
    assert [m.to for m in outbox[3:]] == [[c.contact_email]]
    assert "under review" in outbox[3].body


def test_decision_emails_give_each_schools_decision_and_reason(connected, demo, rep, deliver):
    b = district(demo, "b")
    request = SharingRequest.objects.get(district=b)
    with deliver() as outbox:
        sharing_request_deny(request=request, actor=rep, reason=WHOLE_DISTRICT_REASON)
    denial = outbox[-1]
    assert denial.to == [b.contact_email]
    assert "could not approve" in denial.subject
    for decision in request.school_decisions.all():
        assert f"{decision.school_name}: Denied" in denial.body
    assert "Share by schools" in denial.body

    a = district(demo, "a")
    request_a = SharingRequest.objects.get(district=a)
    ids = list(request_a.school_decisions.values_list("clever_school_id", flat=True))
    with deliver() as outbox:
        sharing_request_approve(request=request_a, school_ids=ids[:2], actor=rep, reason="")
    partly = next(m for m in outbox if m.to == [a.contact_email] and "approved some" in m.subject)
    assert partly.body.count(": Approved") == 2 and partly.body.count(": Denied") == 1


def test_needs_attention_email_says_what_is_missing_and_how_to_fix_it(connected, demo, rep, deliver, sandbox):
    a = district(demo, "a")
    request = SharingRequest.objects.get(district=a)
    no_sections = next(
        d
        for d in request.school_decisions.all()
        if not any(s["school"] == d.clever_school_id for s in sandbox.dataset.visible(a.clever_id, "sections"))
    )
    with deliver() as outbox:
        sharing_request_approve(request=request, school_ids=[no_sections.clever_school_id], actor=rep)
    a.refresh_from_db()
    assert a.status == "needs_attention"
    email = next(m for m in outbox if "Action needed" in m.subject)
    assert email.to == [a.contact_email]
    assert "No sections were shared" in email.body and "Clever Support" in email.body


def test_the_log_records_every_email_and_a_resend_sends_the_same_again(connected, demo, deliver):
    log = EmailLog.objects.filter(kind=EmailKind.SALES_FOLLOW_UP).get()
    assert log.status == EmailStatus.SENT and log.sent_at is not None and log.district == district(demo, "c")
    with deliver() as outbox:
        copy = email_resend(log=log)
    assert copy.resend_of == log and copy.status == EmailStatus.QUEUED
    copy.refresh_from_db()
    assert copy.status == EmailStatus.SENT
    assert outbox[-1].subject == log.subject and outbox[-1].body == log.body_text


def test_a_failed_send_is_logged_as_failed_with_the_error(sandbox, demo, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "tests.failing_email_backend.RefusingBackend"
    call_command("demo_setup")
    with django_capture_on_commit_callbacks(execute=True):
        connections_sync()
    with pytest.raises(RuntimeError, match="could not be sent"):
        run_queued_tasks()
    failed = EmailLog.objects.filter(status=EmailStatus.FAILED)
    assert failed.exists() and "refused" in failed.first().error


def test_emails_to_missing_or_invalid_addresses_are_not_attempted(rep, django_capture_on_commit_callbacks):
    d = District.objects.create(clever_id="e" * 24, name="No Contact District")
    assert email_queue(kind=EmailKind.REQUEST_RECEIVED, to="", district=d, context={}) is None
    assert not EmailLog.objects.exists()
    for bad in ["not-an-address", "ok@example.org\r\nBcc: evil@example.org", "a@example.org, b@example.org"]:
        log = email_queue(kind=EmailKind.REQUEST_RECEIVED, to=bad, district=d, context={})
        assert log.status == EmailStatus.FAILED and "not a valid email address" in log.error  # the rep sees why
