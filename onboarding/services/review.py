"""The rep's review: purchase status, then approve (some or all schools) or deny, each with its email."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from onboarding.audit import audit_record, known_actor
from onboarding.models import (
    District,
    DistrictStatus,
    PurchaseStatus,
    RequestStatus,
    SchoolDecision,
    SchoolDecisionStatus,
    SharingRequest,
)
from onboarding.notifications import notify_decision, notify_request_received, notify_sales
from onboarding.policy import APPROVE_REASON, NOT_IN_PLAN_REASON, WHOLE_DISTRICT_REASON, denial_reason
from onboarding.services.errors import ReviewError
from onboarding.workflow import district_transition

__all__ = [
    "NOT_IN_PLAN_REASON",
    "WHOLE_DISTRICT_REASON",
    "district_purchase_confirm",
    "district_purchase_record",
    "sharing_request_approve",
    "sharing_request_deny",
]

REVIEW_CLOSED_HINT = "Only a request that is waiting for review can be decided."
NOT_IN_REVIEW_HINTS = {
    DistrictStatus.REQUESTED: "Its purchase status is not recorded yet: use Mark purchased or Mark not purchased.",
    DistrictStatus.SALES_FOLLOW_UP: "It has not purchased ClassHub yet: use Mark purchased once it has.",
    DistrictStatus.DISCONNECTED: "It removed ClassHub in Clever; a new request opens if it connects again.",
}
# Where a district that already passed review can be while a change of its sharing is reviewed.
CHANGE_REVIEW_STATES = {
    DistrictStatus.APPROVED,
    DistrictStatus.PARTLY_APPROVED,
    DistrictStatus.ONBOARDING_SCHEDULED,
    DistrictStatus.IMPORTING,
    DistrictStatus.NEEDS_ATTENTION,
    DistrictStatus.IMPORTED,
    DistrictStatus.LIVE,
}
PURCHASE_OPEN_STATES = (DistrictStatus.REQUESTED, DistrictStatus.SALES_FOLLOW_UP, DistrictStatus.IN_REVIEW)


@transaction.atomic
def district_purchase_record(
    *, district: District, purchase_status: PurchaseStatus, actor: AbstractBaseUser | None
) -> District:
    """Record what Clever notified about the purchase and route the district: review, or sales follow-up."""
    district = District.objects.select_for_update().get(pk=district.pk)
    if district.status not in PURCHASE_OPEN_STATES:
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
    pending = district.sharing_requests.filter(status=RequestStatus.PENDING).first()
    if purchase_status == PurchaseStatus.ALREADY_PURCHASED and district.status != DistrictStatus.IN_REVIEW:
        district_transition(
            district=district, to=DistrictStatus.IN_REVIEW, actor=actor, action="onboarding.request.opened"
        )
        if pending:
            notify_request_received(district=district, request=pending)
    elif purchase_status == PurchaseStatus.HAVENT_PURCHASED and district.status != DistrictStatus.SALES_FOLLOW_UP:
        district_transition(
            district=district, to=DistrictStatus.SALES_FOLLOW_UP, actor=actor, action="onboarding.request.sent_to_sales"
        )
        if pending:
            notify_sales(district=district, request=pending)
    return district


@transaction.atomic
def district_purchase_confirm(
    *, district: District, purchase_status: PurchaseStatus, actor: AbstractBaseUser | None
) -> District:
    """Keep the district admin's own answer about the purchase; the rep's record of Clever's notice decides."""
    district = District.objects.select_for_update().get(pk=district.pk)
    before = district.purchase_confirmed_by_district
    if before == purchase_status:
        return district  # the same answer again: nothing new for the rep, nothing for the timeline
    district.purchase_confirmed_by_district = purchase_status
    district.save(update_fields=["purchase_confirmed_by_district", "updated_at"])
    audit_record(
        district=district,
        actor=actor,
        action="onboarding.purchase.confirmed_by_district",
        subject=district,
        before={"purchase_confirmed_by_district": before},
        after={"purchase_confirmed_by_district": str(purchase_status)},
    )
    return district


def _locked_pending_request(request: SharingRequest) -> SharingRequest:
    locked = SharingRequest.objects.select_for_update().select_related("district").get(pk=request.pk)
    if locked.status != RequestStatus.PENDING:
        raise ReviewError(
            f"The request of {locked.district.name} is already {locked.get_status_display().lower()}. "
            f"{REVIEW_CLOSED_HINT}"
        )
    status = locked.district.status
    if locked.is_change and status in CHANGE_REVIEW_STATES:
        return locked  # schools added later are reviewed while the district carries on
    if status != DistrictStatus.IN_REVIEW:
        hint = NOT_IN_REVIEW_HINTS.get(status, "Only a district in review can be decided.")
        raise ReviewError(
            f"{locked.district.name} is {locked.district.get_status_display().lower()}, not in review. {hint}"
        )
    return locked


def _close_request(request: SharingRequest, *, status: RequestStatus, actor, reason: str) -> None:
    request.status = status
    request.decided_by = known_actor(actor)
    request.decided_at = timezone.now()
    request.reason = reason
    request.save(update_fields=["status", "decided_by", "decided_at", "reason"])


@transaction.atomic
def sharing_request_approve(
    *,
    request: SharingRequest,
    school_ids: Iterable[str],
    actor: AbstractBaseUser | None,
    reason: str = "",
) -> SharingRequest:
    """Approve the chosen shared schools (the rest are denied, each with its reason) and queue the import."""
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
            decision.reason = reason or (
                APPROVE_REASON if decision.in_rollout_plan else "Approved by your ClassHub rep."
            )
        else:
            decision.decision = SchoolDecisionStatus.DENIED
            decision.reason = denial_reason(request=request, decision=decision, rep_reason=reason)
    SchoolDecision.objects.bulk_update(decisions, ["decision", "reason"])

    partly = len(chosen) < len(decisions)
    _close_request(
        request, status=RequestStatus.PARTLY_APPROVED if partly else RequestStatus.APPROVED, actor=actor, reason=reason
    )
    action = "onboarding.request.partly_approved" if partly else "onboarding.request.approved"
    details = {"approved_schools": sorted(chosen), "request": request.pk}
    _record_decision(
        request,
        actor=actor,
        action=action,
        reason=reason,
        details=details,
        district_status=DistrictStatus.PARTLY_APPROVED if partly else DistrictStatus.APPROVED,
    )
    notify_decision(request=request)

    from rosters.services import import_run_queue

    # Rosters are imported right away, so data problems surface before the onboarding session.
    if request.district.status != DistrictStatus.IMPORTING:
        import_run_queue(district=request.district, requested_by=actor)
    return request


def _record_decision(
    request: SharingRequest, *, actor, action: str, reason: str, details: dict, district_status
) -> None:
    """A first review moves the district; a change review is audited and leaves the district where it is."""
    district = District.objects.select_for_update().get(pk=request.district_id)
    request.district = district
    if district.status == DistrictStatus.IN_REVIEW:
        district_transition(
            district=district, to=district_status, actor=actor, action=action, reason=reason, details=details
        )
    else:
        audit_record(district=district, actor=actor, action=action, subject=request, reason=reason, after=details)


@transaction.atomic
def sharing_request_deny(*, request: SharingRequest, actor: AbstractBaseUser | None, reason: str) -> SharingRequest:
    """Deny the whole request with a reason the district will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewError("Give the district a reason for the denial: they will read it on their portal.")
    request = _locked_pending_request(request)
    request.school_decisions.update(decision=SchoolDecisionStatus.DENIED, reason=reason)
    _close_request(request, status=RequestStatus.DENIED, actor=actor, reason=reason)
    _record_decision(
        request,
        actor=actor,
        action="onboarding.request.denied",
        reason=reason,
        details={"request": request.pk},
        district_status=DistrictStatus.DENIED,
    )
    notify_decision(request=request)
    return request


def sharing_request_dry_run_queue(*, request: SharingRequest) -> None:
    """Compute the request's dry run in the background once the surrounding transaction commits."""
    request_id = request.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("onboarding.tasks.dry_run_task", request_id, task_name=f"dry-run-{request_id}", group="dry-runs")

    transaction.on_commit(enqueue)


def sharing_request_dry_run(*, request: SharingRequest, client=None) -> SharingRequest:
    """Read from Clever what the first import of the request's schools would bring, and keep it on the request.

    Reads only; the one write is the result. Clever is read outside any transaction.
    """
    from classhub.clever.errors import CleverError
    from rosters.dry_run import dry_run_schools

    school_ids = set(request.school_decisions.values_list("clever_school_id", flat=True))
    result, error = None, ""
    try:
        result = dry_run_schools(district=request.district, school_ids=school_ids, client=client).as_json()
    except CleverError as exc:
        error = f"Clever could not be read for the dry run ({exc}). You can still decide, or refresh it later."
    SharingRequest.objects.filter(pk=request.pk).update(
        dry_run=result if result is not None else request.dry_run, dry_run_at=timezone.now(), dry_run_error=error
    )
    request.refresh_from_db()
    return request
