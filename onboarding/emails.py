"""Emails of the journey: rendered from templates into the log, then sent by a task after commit.

Each email is rendered once into an ``EmailLog`` row (so the log shows exactly what was sent and a
resend repeats it), keyed by a dedupe key so that queuing the same event twice sends one email.
"""

from __future__ import annotations

import logging
from email import encoders
from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from classhub.errors import ClassHubError
from onboarding.audit import audit_record
from onboarding.models import District, EmailKind, EmailLog, EmailStatus

logger = logging.getLogger(__name__)


def email_queue(
    *,
    kind: EmailKind,
    to: str,
    district: District | None,
    context: dict[str, Any],
    dedupe_key: str | None = None,
    ics: str = "",
    send: bool = True,
) -> EmailLog | None:
    """Render and log one email, then send it once the surrounding transaction commits.

    Returns None when there is no address or the same event was already queued. An address that is
    not a valid email (Clever does not check them) is logged as failed, so the rep sees why.
    ``send=False`` only logs it; the caller sends a batch with ``emails_send_queue``.
    """
    to = (to or "").strip()
    if not to:
        logger.info("Not emailing %s for %s: no address", kind, district)
        return None
    if dedupe_key and EmailLog.objects.filter(dedupe_key=dedupe_key).exists():
        return None
    invalid = not is_valid_address(to)
    if invalid:
        dedupe_key = None  # a fixed address later must still get the email
    full_context = {"district": district, "portal_url": f"{settings.PORTAL_BASE_URL}/portal/", **context}
    subject = " ".join(render_to_string(f"emails/{kind}_subject.txt", full_context).split())
    try:
        with transaction.atomic():  # a savepoint: a lost race on the dedupe key leaves the caller's work intact
            log = EmailLog.objects.create(
                kind=kind,
                district=district,
                to=to,
                subject=subject[:255],
                body_text=render_to_string(f"emails/{kind}.txt", full_context),
                body_html=render_to_string(f"emails/{kind}.html", full_context),
                ics=ics if not invalid else "",
                dedupe_key=dedupe_key,
                status=EmailStatus.FAILED if invalid else EmailStatus.QUEUED,
                error=INVALID_ADDRESS_ERROR.format(address=to) if invalid else "",
            )
    except IntegrityError:
        return None
    if send and not invalid:
        emails_send_queue(log_ids=[log.pk])
    return log


INVALID_ADDRESS_ERROR = (
    "Not sent: {address!r} is not a valid email address. Fix it in the district's SIS or Clever, then resend."
)


def is_valid_address(address: str) -> bool:
    """One plain address: no display names, lists or line breaks (which would inject headers)."""
    if any(ch in address for ch in "\r\n,;<>\u2028\u2029") or " " in address:
        return False
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def email_resend(*, log: EmailLog, actor=None) -> EmailLog:
    """Send a logged email again, exactly as it was, as a new log row."""
    if not is_valid_address(log.to):
        raise ClassHubError(INVALID_ADDRESS_ERROR.format(address=log.to))
    copy = EmailLog.objects.create(
        kind=log.kind,
        district=log.district,
        to=log.to,
        subject=log.subject,
        body_text=log.body_text,
        body_html=log.body_html,
        ics=log.ics,
        resend_of=log,
    )
    emails_send_queue(log_ids=[copy.pk])
    audit_record(
        district=log.district, actor=actor, action="onboarding.email.resent", subject=copy, after={"resend_of": log.pk}
    )
    return copy


def emails_send_queue(*, log_ids: list[int]) -> None:
    """Send logged emails from a worker once the surrounding transaction commits (one task per batch)."""
    ids = list(log_ids)

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("onboarding.tasks.email_send_task", ids, task_name=f"email-{ids[0]}-{len(ids)}", group="emails")

    if ids:
        transaction.on_commit(enqueue)


def email_send(*, log_id: int) -> EmailLog:
    """Send one logged email; an email already sent (or being sent by another worker) is never sent again."""
    claimed = EmailLog.objects.filter(pk=log_id, status__in=[EmailStatus.QUEUED, EmailStatus.FAILED]).update(
        status=EmailStatus.SENDING
    )
    log = EmailLog.objects.get(pk=log_id)
    if not claimed:
        return log
    message = EmailMultiAlternatives(
        subject=log.subject,
        body=log.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[log.to],
        reply_to=[settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else None,
    )
    if log.body_html:
        message.attach_alternative(log.body_html, "text/html")
    if log.ics:
        message.attach(ics_attachment(log.ics))
    try:
        message.send()
    except Exception as exc:  # any transport failure is logged on the row, for a resend
        logger.warning("Email %s to %s failed: %s", log.pk, log.to, exc)
        EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.FAILED, error=str(exc)[:2000])
        raise
    EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SENT, sent_at=timezone.now(), error="")
    log.refresh_from_db()
    return log


def ics_attachment(ics: str) -> MIMEBase:
    """The invite as base64, so its CRLF line ends (required by RFC 5545) survive every mail hop."""
    part = MIMEBase("text", "calendar", method="REQUEST", charset="utf-8")
    part.set_payload(ics.encode("utf-8"))
    encoders.encode_base64(part)
    part.add_header("Content-Disposition", "attachment", filename="invite.ics")
    return part
