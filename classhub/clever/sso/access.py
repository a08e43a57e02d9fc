"""Who may sign in with Clever, and which roster record a signed-in person is.

A person is always matched on their Clever user id, never on their email: Clever does not verify
emails, and a student may share one with a teacher (CLEVER.md, "SSO").
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from classhub.clever.parsing import mapping
from onboarding.models import District, DistrictStatus
from rosters.models import Educator, ImportRun, ImportStatus

STAFF_ROLES = frozenset({"teacher", "staff", "district_admin"})


# Districts whose teachers no longer get in: they removed ClassHub in Clever, or ClassHub denied their data.
CLOSED_STATUSES = (DistrictStatus.DISCONNECTED, DistrictStatus.DENIED)


class Refusal(StrEnum):
    """Why a Clever sign-in is refused; each has its own plain explanation on the refusal page."""

    STUDENT = "student"
    NO_STAFF_ROLE = "no_staff_role"  # parents and contacts, or a record without roles
    DISTRICT_NOT_SERVED = "district_not_served"
    DISTRICT_NOT_IMPORTED = "district_not_imported"  # teachers and staff wait for the first import
    DISTRICT_CLOSED = "district_closed"  # teachers and staff of a district that removed ClassHub or was denied
    NOT_IN_ROSTER = "not_in_roster"  # imported, but this person was not shared (or no longer is)


def clever_sign_in_refusal(*, record: dict[str, Any]) -> Refusal | None:
    """Why this Clever user record may not sign in, or None when it may.

    Teachers and staff get in when their Clever id is in the district's imported roster; a district
    admin gets into the portal as soon as the district is connected, import or not.
    """
    roles = mapping(record.get("roles"))
    if "student" in roles:
        return Refusal.STUDENT
    if not STAFF_ROLES & set(roles):
        return Refusal.NO_STAFF_ROLE
    district = District.objects.filter(clever_id=str(record.get("district") or "")).first()
    if district is None:
        return Refusal.DISTRICT_NOT_SERVED
    if "district_admin" in roles:
        return None  # the portal says where the district stands, closed or not
    if district.status in CLOSED_STATUSES:
        return Refusal.DISTRICT_CLOSED
    if _active_educator(clever_id=str(record.get("id") or ""), district=district) is not None:
        return None
    imported = ImportRun.objects.filter(
        district=district, status__in=[ImportStatus.SUCCEEDED, ImportStatus.HELD]
    ).exists()
    return Refusal.NOT_IN_ROSTER if imported else Refusal.DISTRICT_NOT_IMPORTED


def roster_educator_for(user: AbstractBaseUser) -> Educator | None:
    """The signed-in person's own active roster record (teacher, staff, admin), by Clever id; else None."""
    from teach.selectors.identity import roster_record_for

    return roster_record_for(user)


def _active_educator(*, clever_id: str, district: District) -> Educator | None:
    if not clever_id:
        return None
    return Educator.objects.filter(clever_id=clever_id, district=district, archived_at=None).first()
