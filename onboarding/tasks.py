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
