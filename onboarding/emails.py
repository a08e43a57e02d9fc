"""Emails of the journey: rendered from templates into the log, then sent by a task after commit.

Each email is rendered once into an ``EmailLog`` row (so the log shows exactly what was sent and a
resend repeats it), keyed by a dedupe key so that queuing the same event twice sends one email.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

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
) -> EmailLog | None:
    """Render and log one email, then send it once the surrounding transaction commits.

    Returns None when the address is empty or the same event was already queued.
    """
    to = (to or "").strip()
    if not to or "@" not in to:
        logger.info("Not emailing %s for %s: no usable address", kind, district)
        return None
    if dedupe_key and EmailLog.objects.filter(dedupe_key=dedupe_key).exists():
        return None
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
                ics=ics,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return None
    _send_after_commit(log.pk)
    return log


def email_resend(*, log: EmailLog) -> EmailLog:
    """Send a logged email again, exactly as it was, as a new log row."""
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
    _send_after_commit(copy.pk)
    return copy


def _send_after_commit(log_id: int) -> None:
    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("onboarding.tasks.email_send_task", log_id, task_name=f"email-{log_id}", group="emails")

    transaction.on_commit(enqueue)


def email_send(*, log_id: int) -> EmailLog:
    """Send one logged email; an email already sent is never sent again."""
    log = EmailLog.objects.get(pk=log_id)
    if log.status == EmailStatus.SENT:
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
        message.attach("invite.ics", log.ics, "text/calendar; method=REQUEST; charset=utf-8")
    try:
        message.send()
    except Exception as exc:  # any transport failure is logged on the row, for a resend
        logger.warning("Email %s to %s failed: %s", log.pk, log.to, exc)
        EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.FAILED, error=str(exc)[:2000])
        raise
    EmailLog.objects.filter(pk=log.pk).update(status=EmailStatus.SENT, sent_at=timezone.now(), error="")
    log.refresh_from_db()
    return log
