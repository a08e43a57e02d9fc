"""Reads of the onboarding journey, always scoped by who asks."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from onboarding.models import AuditEvent, District, SchoolDecision, SharingRequest
from rosters.selectors import latest_import_run


def clever_identity(user: AbstractBaseUser) -> dict[str, Any]:
    """The Clever user record saved at the user's last Clever sign-in, or {}."""
    if not user.is_authenticated:
        return {}
    account = SocialAccount.objects.filter(user=user, provider="clever").only("extra_data").first()
    if account is None:
        return {}
    data = (account.extra_data or {}).get("data")
    return data if isinstance(data, dict) else {}


def portal_district_for(user: AbstractBaseUser) -> District | None:
    """The one district whose portal this user may see: Clever's district admins of that district."""
    identity = clever_identity(user)
    roles = identity.get("roles")
    if not isinstance(roles, dict) or "district_admin" not in roles or not identity.get("district"):
        return None
    return District.objects.filter(clever_id=str(identity["district"])).first()


def districts_visible_to(user: AbstractBaseUser) -> QuerySet[District]:
    """ClassHub staff see every district; a district admin sees only their own; others none."""
    if user.is_authenticated and user.is_staff:
        return District.objects.all()
    district = portal_district_for(user)
    if district is None:
        return District.objects.none()
    return District.objects.filter(pk=district.pk)


def latest_request(*, district: District) -> SharingRequest | None:
    return district.sharing_requests.order_by("-created_at", "-id").first()


def school_decisions(*, district: District) -> list[SchoolDecision]:
    """Each shared school of the latest request with its decision and reason."""
    request = latest_request(district=district)
    return list(request.school_decisions.all()) if request else []


def district_timeline(*, district: District, limit: int = 50) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(district=district).select_related("actor")[:limit])


def district_overview(*, district: District) -> dict[str, Any]:
    """What the portal and the API show of a district: status, decisions and the last import."""
    run = latest_import_run(district=district)
    return {
        "district": district,
        "decisions": school_decisions(district=district),
        "last_import": run,
    }
