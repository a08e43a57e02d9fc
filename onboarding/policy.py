"""ClassHub's review policy, shown to the rep as the recommended decision (the rep decides)."""

from __future__ import annotations

from dataclasses import dataclass

from onboarding.models import SchoolDecision, SharingRequest, SharingType

NOT_IN_PLAN_REASON = (
    "This school is not in the rollout plan agreed with ClassHub. If it should use ClassHub, ask your "
    "ClassHub rep to add it to the plan; otherwise stop sharing it in Clever."
)
WHOLE_DISTRICT_REASON = (
    "Your district shared all district data without prior confirmation. ClassHub accepts data only for the "
    "schools that will use it. In Clever, change the sharing to \u201cShare by schools\u201d and share only "
    "those schools (agree the list with your ClassHub rep); ClassHub then reviews the new sharing automatically."
)
APPROVE_REASON = "In the rollout plan agreed with ClassHub."


@dataclass(frozen=True)
class Recommendation:
    approve: frozenset[str]  # Clever ids of the schools to approve
    reasons: dict[str, str]  # why, per school
    outcome: str  # "approve", "partly_approve" or "deny"
    summary: str
    deny_reason: str = ""  # the reason to give the whole request when the outcome is "deny"


def recommend(*, request: SharingRequest, decisions: list[SchoolDecision] | None = None) -> Recommendation:
    """Plan schools are approved, the rest denied; all-district sharing no plan confirms is denied."""
    decisions = decisions if decisions is not None else list(request.school_decisions.all())
    in_plan = frozenset(d.clever_school_id for d in decisions if d.in_rollout_plan)
    if request.sharing_type == SharingType.WHOLE_DISTRICT and not in_plan:
        return Recommendation(
            approve=frozenset(),
            reasons={d.clever_school_id: WHOLE_DISTRICT_REASON for d in decisions},
            outcome="deny",
            summary="Deny: the district shared all its data and no rollout plan confirms it.",
            deny_reason=WHOLE_DISTRICT_REASON,
        )
    reasons = {
        d.clever_school_id: APPROVE_REASON
        if d.in_rollout_plan
        else denial_reason(request=request, decision=d, rep_reason="")
        for d in decisions
    }
    if not in_plan:
        return Recommendation(
            approve=in_plan,
            reasons=reasons,
            outcome="deny",
            summary="Deny: none of the shared schools is in the rollout plan.",
            deny_reason=NOT_IN_PLAN_REASON,
        )
    if len(in_plan) == len(decisions):
        return Recommendation(approve=in_plan, reasons=reasons, outcome="approve", summary="Approve every school.")
    return Recommendation(
        approve=in_plan,
        reasons=reasons,
        outcome="partly_approve",
        summary=f"Approve the {len(in_plan)} plan school(s); deny the {len(decisions) - len(in_plan)} outside it.",
    )


def denial_reason(*, request: SharingRequest, decision: SchoolDecision, rep_reason: str) -> str:
    """Why a school the rep did not approve was denied, in words the district can act on."""
    if request.sharing_type == SharingType.WHOLE_DISTRICT and not decision.in_rollout_plan:
        return WHOLE_DISTRICT_REASON
    if not decision.in_rollout_plan:
        return NOT_IN_PLAN_REASON
    return rep_reason or "Not approved for this rollout; your ClassHub rep will explain."
