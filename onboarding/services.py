"""Writes of the onboarding journey: discovering connections, and deciding on sharing requests."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from classhub.clever.client import CleverClient, DistrictAPI, DistrictToken
from classhub.clever.errors import CleverError
from classhub.errors import ClassHubError
from onboarding.audit import audit_record
from onboarding.models import (
    District,
    DistrictStatus,
    PurchaseStatus,
    RequestStatus,
    RolloutPlanSchool,
    SchoolDecision,
    SchoolDecisionStatus,
    SharingRequest,
)
from onboarding.workflow import district_transition

logger = logging.getLogger(__name__)

NOT_IN_PLAN_REASON = (
    "This school is not in the rollout plan agreed with ClassHub. If it should use ClassHub, "
    "contact your ClassHub rep to add it to the plan; otherwise stop sharing it in Clever."
)
REVIEW_CLOSED_HINT = "Only a request that is waiting for review can be decided."


class ReviewError(ClassHubError):
    """A review decision that cannot be taken as asked."""


# --- Connection discovery -------------------------------------------------------------------


@dataclass
class SharedSnapshot:
    """What one district token showed: the district object and the schools it shares."""

    token: DistrictToken
    district: dict[str, Any]
    schools: list[dict[str, Any]]


@dataclass
class ConnectionSyncResult:
    new: list[str] = field(default_factory=list)
    reconnected: list[str] = field(default_factory=list)
    disconnected: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.reconnected)} reconnected, "
            f"{len(self.disconnected)} disconnected, {len(self.unchanged)} unchanged, {len(self.failed)} failed"
        )


def connections_sync(*, client: CleverClient | None = None) -> ConnectionSyncResult:
    """Compare Clever's district-token list with our districts: open requests, mark disconnections."""
    client = client or CleverClient.from_settings()
    result = ConnectionSyncResult()
    tokens = client.list_district_tokens()
    listed_ids = {token.district_id for token in tokens}
    known = {d.clever_id: d for d in District.objects.filter(clever_id__in=listed_ids)}

    for token in tokens:
        district = known.get(token.district_id)
        if district and district.connected_at and district.status != DistrictStatus.DISCONNECTED:
            result.unchanged.append(token.district_id)
            continue
        try:
            snapshot = _read_shared_snapshot(client, token)  # network, outside any transaction
        except CleverError as exc:
            logger.warning("Could not read district %s from Clever: %s", token.district_id, exc)
            result.failed[token.district_id] = str(exc)
            continue
        was_disconnected = bool(district and district.status == DistrictStatus.DISCONNECTED)
        district_connect(snapshot=snapshot)
        (result.reconnected if was_disconnected else result.new).append(token.district_id)

    vanished = (
        District.objects.filter(connected_at__isnull=False)
        .exclude(clever_id__in=listed_ids)
        .exclude(status=DistrictStatus.DISCONNECTED)
    )
    for district in vanished:
        if _still_connected(client, district.clever_id, result):
            continue
        district_disconnect(district=district)
        result.disconnected.append(district.clever_id)
    logger.info("Clever connections: %s", result.summary())
    return result


def _still_connected(client: CleverClient, clever_id: str, result: ConnectionSyncResult) -> bool:
    """Confirm a disappearance with Clever before acting on it: one short or glitched list must not
    disconnect every district."""
    try:
        confirmed_gone = not client.list_district_tokens(district_id=clever_id)
    except CleverError as exc:
        result.failed[clever_id] = f"could not confirm the connection was removed: {exc}"
        return True
    if not confirmed_gone:
        logger.warning("Clever's full token list omitted district %s, but it is still connected", clever_id)
        result.unchanged.append(clever_id)
    return not confirmed_gone


def _read_shared_snapshot(client: CleverClient, token: DistrictToken) -> SharedSnapshot:
    api = DistrictAPI(client, district_id=token.district_id, token=token.access_token)
    district = api.get(f"districts/{token.district_id}")
    schools = [
        s for s in api.iter_objects("schools", limit=1000) if isinstance(s, dict) and isinstance(s.get("id"), str)
    ]
    return SharedSnapshot(token=token, district=district, schools=schools)


def _contact_fields(district_obj: dict[str, Any]) -> dict[str, str]:
    contact = district_obj.get("district_contact") or {}
    if not isinstance(contact, dict):
        return {}
    name = contact.get("name") or {}
    full_name = (
        " ".join(str(part) for part in (name.get("first"), name.get("last")) if part)
        if isinstance(name, dict)
        else str(name)
    )
    return {
        "contact_name": full_name[:255],
        "contact_email": str(contact.get("email") or "")[:254],
        "contact_title": str(contact.get("title") or "")[:255],
    }


def _plan_matches(plan: Iterable[RolloutPlanSchool], school: dict[str, Any]) -> bool:
    """A plan school matches by Clever id, else NCES id, else the same name (case and spaces aside)."""
    school_name = " ".join(str(school.get("name") or "").lower().split())
    for planned in plan:
        if planned.clever_school_id and planned.clever_school_id == school.get("id"):
            return True
        if planned.nces_id and planned.nces_id == str(school.get("nces_id") or ""):
            return True
        unkeyed = not planned.clever_school_id and not planned.nces_id
        if unkeyed and school_name and " ".join(planned.name.lower().split()) == school_name:
            return True
    return False


@transaction.atomic
def district_connect(*, snapshot: SharedSnapshot) -> SharingRequest:
    """Record a new (or renewed) connection and open its sharing request for review."""
    obj = snapshot.district
    clever_id = snapshot.token.district_id
    district, created = District.objects.select_for_update().get_or_create(
        clever_id=clever_id, defaults={"name": str(obj.get("name") or f"District {clever_id}")[:255]}
    )
    if obj.get("name"):
        district.name = str(obj["name"])[:255]
    for attr, value in _contact_fields(obj).items():
        setattr(district, attr, value)
    district.nces_id = str(obj.get("nces_id") or "")[:64]
    district.sis_type = str(obj.get("sis_type") or "")[:64]
    district.connected_at = timezone.now()
    district.disconnected_at = None
    district.save()

    # A new connection replaces any request still waiting: only what is shared now can be decided.
    district.sharing_requests.filter(status=RequestStatus.PENDING).update(status=RequestStatus.SUPERSEDED)
    request = SharingRequest.objects.create(
        district=district, purchase_status=district.purchase_status, sharing_type=district.sharing_type
    )
    plan = list(district.rollout_plan.all())
    SchoolDecision.objects.bulk_create(
        SchoolDecision(
            request=request,
            clever_school_id=school["id"],
            school_name=str(school.get("name") or school["id"])[:255],
            nces_id=str(school.get("nces_id") or "")[:64],
            in_rollout_plan=_plan_matches(plan, school),
        )
        for school in snapshot.schools
        if school.get("id")
    )

    audit_record(
        district=district,
        actor=None,
        action="onboarding.connection.discovered",
        subject=request,
        after={"shared_schools": len(snapshot.schools), "district_known_before": not created},
    )
    _route_new_request(district=district, request=request)
    return request


def _route_new_request(*, district: District, request: SharingRequest) -> None:
    """Already purchased goes to review, haven't purchased to sales; unknown waits for the rep."""
    if district.status == DistrictStatus.DISCONNECTED:
        district_transition(
            district=district, to=DistrictStatus.REQUESTED, actor=None, action="onboarding.connection.renewed"
        )
    if district.status != DistrictStatus.REQUESTED:
        # A district the rep created earlier may already be past "requested": open a new review.
        district_transition(
            district=district, to=DistrictStatus.IN_REVIEW, actor=None, action="onboarding.request.opened"
        )
        return
    if request.purchase_status == PurchaseStatus.ALREADY_PURCHASED:
        district_transition(
            district=district, to=DistrictStatus.IN_REVIEW, actor=None, action="onboarding.request.opened"
        )
    elif request.purchase_status == PurchaseStatus.HAVENT_PURCHASED:
        district_transition(
            district=district,
            to=DistrictStatus.SALES_FOLLOW_UP,
            actor=None,
            action="onboarding.request.sent_to_sales",
        )


@transaction.atomic
def district_disconnect(*, district: District) -> District:
    """Mark a district whose connection vanished from Clever; all its data is kept."""
    district = District.objects.select_for_update().get(pk=district.pk)
    district.disconnected_at = timezone.now()
    district.save(update_fields=["disconnected_at", "updated_at"])
    return district_transition(
        district=district,
        to=DistrictStatus.DISCONNECTED,
        actor=None,
        action="onboarding.connection.removed",
        reason="The district's connection no longer appears in Clever; its data is kept.",
    )


# --- Purchase status -------------------------------------------------------------------------


@transaction.atomic
def district_purchase_record(
    *, district: District, purchase_status: PurchaseStatus, actor: AbstractBaseUser | None
) -> District:
    """Record what Clever notified about the purchase and route the district: review, or sales follow-up."""
    district = District.objects.select_for_update().get(pk=district.pk)
    open_states = (DistrictStatus.REQUESTED, DistrictStatus.SALES_FOLLOW_UP, DistrictStatus.IN_REVIEW)
    if district.status not in open_states:
        raise ReviewError(
            f"{district.name} is already {district.get_status_display().lower()}; "
            "its purchase status can no longer change."
        )
    before = district.purchase_status
    district.purchase_status = purchase_status
    district.save(update_fields=["purchase_status", "updated_at"])
    district.sharing_requests.filter(status=RequestStatus.PENDING).update(purchase_status=purchase_status)
    audit_record(
        district=district,
        actor=actor,
        action="onboarding.purchase.recorded",
        subject=district,
        before={"purchase_status": before},
        after={"purchase_status": str(purchase_status)},
    )
    if purchase_status == PurchaseStatus.ALREADY_PURCHASED and district.status != DistrictStatus.IN_REVIEW:
        district_transition(
            district=district, to=DistrictStatus.IN_REVIEW, actor=actor, action="onboarding.request.opened"
        )
    elif purchase_status == PurchaseStatus.HAVENT_PURCHASED and district.status != DistrictStatus.SALES_FOLLOW_UP:
        district_transition(
            district=district, to=DistrictStatus.SALES_FOLLOW_UP, actor=actor, action="onboarding.request.sent_to_sales"
        )
    return district


# --- Review decisions -------------------------------------------------------------------------


NOT_IN_REVIEW_HINTS = {
    DistrictStatus.REQUESTED: "Its purchase status is not recorded yet: use Mark purchased or Mark not purchased.",
    DistrictStatus.SALES_FOLLOW_UP: "It has not purchased ClassHub yet: use Mark purchased once it has.",
    DistrictStatus.DISCONNECTED: "It removed ClassHub in Clever; a new request opens if it connects again.",
}


def _locked_pending_request(request: SharingRequest) -> SharingRequest:
    locked = SharingRequest.objects.select_for_update().select_related("district").get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ReviewError(
            f"The request of {locked.district.name} is already {locked.get_status_display().lower()}. "
            f"{REVIEW_CLOSED_HINT}"
        )
    status = locked.district.status
    if status != DistrictStatus.IN_REVIEW:
        hint = NOT_IN_REVIEW_HINTS.get(status, "Only a district in review can be decided.")
        raise ReviewError(
            f"{locked.district.name} is {locked.district.get_status_display().lower()}, not in review. {hint}"
        )
    return locked


@transaction.atomic
def sharing_request_approve(
    *,
    request: SharingRequest,
    school_ids: Iterable[str],
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> SharingRequest:
    """Approve the chosen shared schools (the rest are denied) and queue the first import."""
    request = _locked_pending_request(request)
    chosen = {school_id for school_id in school_ids if school_id}
    decisions = list(request.school_decisions.all())
    unknown = chosen - {d.clever_school_id for d in decisions}
    if unknown:
        raise ReviewError(f"These schools are not part of this request: {', '.join(sorted(unknown))}.")
    if not chosen:
        raise ReviewError("Choose at least one school to approve, or deny the request instead.")

    for decision in decisions:
        if decision.clever_school_id in chosen:
            decision.decision = SchoolDecisionStatus.APPROVED
            decision.reason = reason or "Approved for the ClassHub rollout."
        else:
            decision.decision = SchoolDecisionStatus.DENIED
            decision.reason = (
                NOT_IN_PLAN_REASON
                if not decision.in_rollout_plan
                else (reason or "Not approved for this rollout; your ClassHub rep will explain.")
            )
    SchoolDecision.objects.bulk_update(decisions, ["decision", "reason"])

    partly = len(chosen) < len(decisions)
    request.status = RequestStatus.PARTLY_APPROVED if partly else RequestStatus.APPROVED
    request.decided_by = actor if actor is not None and actor.is_authenticated else None
    request.decided_at = timezone.now()
    request.reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    district_transition(
        district=request.district,
        to=DistrictStatus.PARTLY_APPROVED if partly else DistrictStatus.APPROVED,
        actor=actor,
        action="onboarding.request.partly_approved" if partly else "onboarding.request.approved",
        reason=reason,
        details={"approved_schools": sorted(chosen)},
    )

    from rosters.services import import_run_queue

    import_run_queue(district=request.district, requested_by=actor)
    return request


@transaction.atomic
def sharing_request_deny(*, request: SharingRequest, actor: AbstractBaseUser | None, reason: str) -> SharingRequest:
    """Deny the whole request with a reason the district will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Give the district a reason for the denial: they will read it on their portal.")
    request = _locked_pending_request(request)
    request.school_decisions.update(decision=SchoolDecisionStatus.DENIED, reason=reason)
    request.status = RequestStatus.DENIED
    request.decided_by = actor if actor is not None and actor.is_authenticated else None
    request.decided_at = timezone.now()
    request.reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])
    district_transition(
        district=request.district,
        to=DistrictStatus.DENIED,
        actor=actor,
        action="onboarding.request.denied",
        reason=reason,
    )
    return request
