"""django-q2 tasks of the onboarding app: thin, each calls one service."""

from __future__ import annotations

from onboarding.services import connections_sync


def connections_sync_task() -> str:
    return connections_sync().summary()


def email_send_task(log_ids: int | list[int]) -> str:
    """Send a batch of logged emails; one failure does not stop the others (each is marked on its row)."""
    from onboarding.emails import email_send
    from onboarding.models import EmailLog

    ids = [log_ids] if isinstance(log_ids, int) else log_ids
    existing = set(EmailLog.objects.filter(pk__in=ids).values_list("pk", flat=True))  # rows may be gone
    ids = [log_id for log_id in ids if log_id in existing]
    failed = 0
    for log_id in ids:
        try:
            email_send(log_id=log_id)
        except Exception:  # already logged on the row as failed, with the error
            failed += 1
    if failed and len(ids) == 1:
        raise RuntimeError(f"email {ids[0]} could not be sent (see its log row)")
    return f"{len(ids) - failed} sent, {failed} failed"


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
