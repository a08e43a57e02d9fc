"""Who gets which email at each step of the journey (the content lives in templates/emails/)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from onboarding.emails import email_queue
from onboarding.ics import onboarding_invite
from onboarding.models import (
    District,
    EmailKind,
    OnboardingSession,
    RequestStatus,
    SharedSchool,
    SharingRequest,
)


def notify_request_received(*, district: District, request: SharingRequest) -> None:
    email_queue(
        kind=EmailKind.REQUEST_RECEIVED,
        to=district.contact_email,
        district=district,
        context={"request": request},
        dedupe_key=f"request_received:{request.pk}",
    )


def notify_sales(*, district: District, request: SharingRequest) -> None:
    schools = SharedSchool.objects.filter(district=district, unshared_at=None)
    email_queue(
        kind=EmailKind.SALES_FOLLOW_UP,
        to=settings.SALES_EMAIL,
        district=district,
        context={"request": request, "schools": list(schools)},
        dedupe_key=f"sales_follow_up:{request.pk}",
    )


def notify_decision(*, request: SharingRequest) -> None:
    district = request.district
    outcome = {
        RequestStatus.APPROVED: "approved",
        RequestStatus.PARTLY_APPROVED: "partly_approved",
        RequestStatus.DENIED: "denied",
    }[request.status]
    email_queue(
        kind=EmailKind.DECISION,
        to=district.contact_email,
        district=district,
        context={"outcome": outcome, "reason": request.reason, "decisions": list(request.school_decisions.all())},
        dedupe_key=f"decision:{request.pk}",
    )


def notify_onboarding_scheduled(*, session: OnboardingSession) -> None:
    district = session.district
    local_start = timezone.localtime(session.starts_at, ZoneInfo(session.time_zone))
    email_queue(
        kind=EmailKind.ONBOARDING_SCHEDULED,
        to=district.contact_email,
        district=district,
        context={"session": session, "local_start": local_start, "update": session.sequence > 0},
        dedupe_key=f"onboarding:{session.pk}:{session.sequence}",
        ics=onboarding_invite(session=session, attendee_email=district.contact_email, now=timezone.now()),
    )


def notify_needs_attention(*, district: District, problems: list[str], run_id: int) -> None:
    email_queue(
        kind=EmailKind.NEEDS_ATTENTION,
        to=district.contact_email,
        district=district,
        context={"problems": problems},
        dedupe_key=f"needs_attention:{run_id}",
    )
