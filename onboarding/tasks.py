"""django-q2 tasks of the onboarding app: thin, each calls one service."""

from __future__ import annotations

from onboarding.services import connections_sync


def connections_sync_task() -> str:
    return connections_sync().summary()


def email_send_task(log_id: int) -> str:
    from onboarding.emails import email_send

    return f"email {log_id}: {email_send(log_id=log_id).status}"


def welcome_emails_task(district_id: int) -> str:
    from onboarding.models import District
    from onboarding.services import welcome_emails_send

    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return f"district {district_id} no longer exists"
    return f"{welcome_emails_send(district=district)} welcome emails queued"


def dry_run_task(request_id: int) -> str:
    from onboarding.models import SharingRequest
    from onboarding.services.review import sharing_request_dry_run

    request = SharingRequest.objects.select_related("district").filter(pk=request_id).first()
    if request is None:
        return f"request {request_id} no longer exists"
    request = sharing_request_dry_run(request=request)
    return f"dry run of request {request_id}: {'failed' if request.dry_run_error else 'done'}"
