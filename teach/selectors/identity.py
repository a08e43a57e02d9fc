"""Who the signed-in teacher is: their roster record, found by Clever user id only, or why there is none."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Exists, OuterRef, QuerySet

from classhub.clever.parsing import mapping
from classhub.clever.sso.accounts import clever_account
from onboarding.models import District
from rosters.models import Educator


def _identity(account: SocialAccount) -> dict:
    """The Clever user record saved at the last sign-in (roles, district); {} when missing or malformed."""
    return mapping(mapping(account.extra_data).get("data"))


def _identity_district(account: SocialAccount) -> str:
    return str(_identity(account).get("district") or "")


def clever_roles(user: AbstractBaseUser) -> set[str]:
    """The roles Clever gave the user at their last sign-in ("teacher", "staff", "district_admin", ...)."""
    account = clever_account(user)
    return set(mapping(_identity(account).get("roles"))) if account is not None else set()


def _teacher_records(account: SocialAccount) -> QuerySet[Educator]:
    """Roster records of this Clever user in the district of their Clever identity.

    Linked by the Clever user id only, never by email: Clever does not verify emails, and two people may share one.
    """
    return Educator.objects.filter(clever_id=account.uid, district__clever_id=_identity_district(account))


def roster_record_for(user: AbstractBaseUser) -> Educator | None:
    """The signed-in person's own active roster record (teacher, staff or admin), with its district; else None."""
    account = clever_account(user)
    if account is None or not _identity_district(account):
        return None
    return _teacher_records(account).filter(archived_at=None).select_related("district").first()


def educator_for(user: AbstractBaseUser) -> Educator | None:
    """The signed-in user's active teacher record, with its district; None if they have none."""
    from classhub.clever.sso.access import CLOSED_STATUSES

    record = roster_record_for(user)
    if record is None or not record.is_teacher or record.district.status in CLOSED_STATUSES:
        return None  # a district that removed ClassHub (or was denied) no longer shares its classes with us
    return record


class NoTeacherHome(models.TextChoices):
    """Why a signed-in person has no teacher home (each has its own explanation on the page)."""

    NOT_CLEVER = "not_clever", "Not signed in with Clever"
    NOT_IMPORTED = "not_imported", "No roster record yet"
    ARCHIVED = "archived", "No longer shared by the district"
    NOT_TEACHER = "not_teacher", "Not a teacher in Clever"


def why_no_teacher_home(user: AbstractBaseUser) -> NoTeacherHome:
    """For a user educator_for() found nothing for: the reason to explain to them."""
    account = clever_account(user)
    if account is None:
        return NoTeacherHome.NOT_CLEVER
    record = (
        _teacher_records(account).only("is_teacher", "archived_at").first() if _identity_district(account) else None
    )
    if record is None:
        return NoTeacherHome.NOT_IMPORTED
    if record.archived_at is not None:
        return NoTeacherHome.ARCHIVED
    return NoTeacherHome.NOT_TEACHER


def has_teacher_and_portal_homes(user: AbstractBaseUser) -> bool:
    """Whether the user is both a teacher with a roster record and a district admin of a district we serve.

    At most two small queries (the Clever account, shared with the page, then one indexed lookup), and
    none beyond the account for the many people without the district admin role.
    """
    if not user.is_authenticated or user.is_staff:
        return False
    account = clever_account(user)
    if account is None:
        return False
    district = _identity_district(account)
    if "district_admin" not in clever_roles(user) or not district:
        return False  # no portal, so nothing to switch to
    teaches_there = Educator.objects.filter(
        district=OuterRef("pk"), clever_id=account.uid, is_teacher=True, archived_at=None
    )
    return District.objects.filter(clever_id=district).filter(Exists(teaches_there)).exists()
