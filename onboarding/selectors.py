"""Reads of the onboarding journey, always scoped by who asks."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import OuterRef, QuerySet, Subquery

from classhub.clever.sso.accounts import clever_account
from classhub.clever.sso.contacts import district_of_contact_user, is_contact_user
from onboarding.models import AuditEvent, District, RequestStatus, SchoolDecision, SharedSchool
from rosters.models import Educator, ImportRun


def clever_identity(user: AbstractBaseUser) -> dict[str, Any]:
    """The Clever user record saved at the user's last Clever sign-in, or {}."""
    if not user.is_authenticated or is_contact_user(user):
        return {}  # a contact signed in by code has no Clever identity: no teacher's pages, no roles
    account = clever_account(user)
    if account is None:
        return {}
    data = (account.extra_data or {}).get("data")
    return data if isinstance(data, dict) else {}


def portal_district_for(user: AbstractBaseUser) -> District | None:
    """The one district whose portal this user may see: Clever's district admins of that district, or
    its contact signed in with an emailed code (classhub/clever/sso/contacts.py)."""
    if is_contact_user(user):
        return district_of_contact_user(user)
    identity = clever_identity(user)
    roles = identity.get("roles")
    if not isinstance(roles, dict) or "district_admin" not in roles or not identity.get("district"):
        return None
    district = District.objects.filter(clever_id=str(identity["district"])).first()
    if district is None:
        return None
    # Roles come from the sign-in; once the roster knows this person, it decides: a district admin Clever
    # has since removed (or demoted) loses the portal at their next request, not when their session ends.
    record = (
        Educator.objects.filter(district=district, clever_id=str(identity.get("id") or ""))
        .values_list("archived_at", "is_district_admin")
        .first()
    )
    if record is not None and (record[0] is not None or not record[1]):
        return None
    return district


def districts_visible_to(user: AbstractBaseUser) -> QuerySet[District]:
    """ClassHub staff see every district; a district admin or contact sees only their own; others none."""
    if user.is_authenticated and user.is_staff:
        return District.objects.all()
    district = portal_district_for(user)
    if district is None:
        return District.objects.none()
    return District.objects.filter(pk=district.pk)


def district_timeline(*, district: District, limit: int = 50) -> list[AuditEvent]:
    # The district's journey only: teachers' own ClassHub-only classes are theirs, not the district's milestones.
    events = AuditEvent.objects.filter(district=district).exclude(action__startswith="teach.")
    return list(events.select_related("actor")[:limit])


def district_overviews(districts: QuerySet[District]) -> list[dict[str, Any]]:
    """Status, each shared school's current decision and the last import of each district.

    Three queries whatever the number of districts. A school's current decision is the one of the
    newest request that holds it: a change request holds only the added schools, so the others keep
    the decision of an earlier review. Schools no longer shared are left out.
    """
    latest_run_id = ImportRun.objects.filter(district=OuterRef("pk")).order_by("-created_at", "-id").values("pk")[:1]
    rows = list(districts.annotate(latest_run_id=Subquery(latest_run_id)))
    district_ids = [d.pk for d in rows]
    shared = set(
        SharedSchool.objects.filter(district_id__in=district_ids, unshared_at=None).values_list(
            "district_id", "clever_school_id"
        )
    )
    current: dict[int, dict[str, SchoolDecision]] = {}
    decisions = (
        SchoolDecision.objects.filter(request__district_id__in=district_ids)
        .exclude(request__status=RequestStatus.SUPERSEDED)
        .select_related("request")
        .order_by("request__created_at", "request_id")
    )
    for decision in decisions:
        key = (decision.request.district_id, decision.clever_school_id)
        if key in shared:
            current.setdefault(key[0], {})[decision.clever_school_id] = decision  # newer requests override
    runs = ImportRun.objects.in_bulk([d.latest_run_id for d in rows if d.latest_run_id])
    return [
        {
            "district": district,
            "decisions": sorted(current.get(district.pk, {}).values(), key=lambda d: d.school_name),
            "last_import": runs.get(district.latest_run_id),
        }
        for district in rows
    ]


def district_overview(*, district: District) -> dict[str, Any]:
    """What the portal and the API show of one district: status, decisions and the last import."""
    return district_overviews(District.objects.filter(pk=district.pk))[0]
