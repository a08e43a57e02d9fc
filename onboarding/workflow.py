"""The one map of the district journey's allowed steps, and the service that takes a step."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from classhub.errors import ClassHubError
from onboarding.audit import audit_record
from onboarding.models import District, DistrictStatus

S = DistrictStatus

# Disconnected and paused are reachable from every state (see district_transition).
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    S.REQUESTED: {S.SALES_FOLLOW_UP, S.IN_REVIEW},
    S.SALES_FOLLOW_UP: {S.IN_REVIEW},
    S.IN_REVIEW: {S.APPROVED, S.PARTLY_APPROVED, S.DENIED, S.SALES_FOLLOW_UP},
    S.APPROVED: {S.ONBOARDING_SCHEDULED, S.IMPORTING, S.IN_REVIEW},
    S.PARTLY_APPROVED: {S.ONBOARDING_SCHEDULED, S.IMPORTING, S.IN_REVIEW},
    S.DENIED: {S.IN_REVIEW},
    S.ONBOARDING_SCHEDULED: {S.IMPORTING, S.IN_REVIEW},
    S.IMPORTING: {S.IMPORTED, S.NEEDS_ATTENTION, S.IMPORTING},
    S.NEEDS_ATTENTION: {S.IMPORTING, S.IN_REVIEW},
    S.IMPORTED: {S.IMPORTING, S.LIVE, S.IN_REVIEW},
    S.LIVE: {S.IMPORTING, S.IN_REVIEW},
    S.DISCONNECTED: {S.REQUESTED, S.IN_REVIEW, S.SALES_FOLLOW_UP},
    S.PAUSED: {S.IN_REVIEW, S.IMPORTED, S.LIVE},
}
FROM_ANY_STATE = {S.DISCONNECTED, S.PAUSED}


class IllegalTransition(ClassHubError):
    """The district's current status does not allow this step."""


def can_transition(current: str, target: str) -> bool:
    """Whether the journey allows going from ``current`` to ``target``."""
    return target in FROM_ANY_STATE or target in ALLOWED_TRANSITIONS.get(current, set())


def district_transition(
    *,
    district: District,
    to: DistrictStatus,
    actor: AbstractBaseUser | None,
    action: str,
    reason: str = "",
    details: dict[str, Any] | None = None,
) -> District:
    """Move a district to a new status and audit the step; call inside the caller's transaction."""
    before = district.status
    if not can_transition(before, to):
        raise IllegalTransition(
            f"{district.name} is {DistrictStatus(before).label.lower()}; it cannot become "
            f"{DistrictStatus(to).label.lower()} from there."
        )
    district.status = to
    district.save(update_fields=["status", "updated_at"])
    audit_record(
        district=district,
        actor=actor,
        action=action,
        subject=district,
        before={"status": before},
        after={"status": str(to), **(details or {})},
        reason=reason,
    )
    return district
