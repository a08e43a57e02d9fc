"""The one audit trail: every service that changes the journey writes here."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from onboarding.models import AuditEvent, District


def known_actor(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    """The user to record as having acted, or None for the system (and for anonymous requests)."""
    return actor if actor is not None and actor.is_authenticated else None


def audit_record(
    *,
    district: District | None,
    actor: AbstractBaseUser | None,
    action: str,
    subject: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Write one audit event; ``actor=None`` means the system acted."""
    return AuditEvent.objects.create(
        district=district,
        actor=known_actor(actor),
        action=action,
        subject_type=subject._meta.label_lower if subject is not None else "",
        subject_id=str(subject.pk) if subject is not None else "",
        before=before or {},
        after=after or {},
        reason=reason,
    )
