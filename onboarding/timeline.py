"""The journey in words a district admin understands: what happened, and who acts next."""

from __future__ import annotations

from dataclasses import dataclass

from onboarding.models import AuditEvent, DistrictStatus

S = DistrictStatus

EVENT_LABELS = {
    "devices.setup.saved": "The device setup of your schools changed.",
    "devices.setup.removed": "A school went back to the district's default device setup.",
    "devices.key.created": "A device key was made for ClassHub's device agents.",
    "devices.key.rotated": "A device key was replaced by a new one.",
    "devices.key.revoked": "A device key was revoked: agents using it stop working.",
    "rosters.import.held": "A sync would change many records at once: a ClassHub rep checks it first.",
    "rosters.import.changes_applied": "ClassHub applied the checked changes of a sync.",
    "onboarding.email.resent": "ClassHub sent an email again.",
    "rosters.sync.requested": "A full sync with Clever was requested.",
    "onboarding.connection.discovered": "Your district connected ClassHub in Clever.",
    "onboarding.connection.renewed": "Your district connected ClassHub in Clever again.",
    "onboarding.connection.removed": "ClassHub's connection disappeared from Clever; your data is kept.",
    "onboarding.request.opened": "ClassHub started reviewing the schools you shared.",
    "onboarding.request.sent_to_sales": "Your request went to ClassHub sales, because ClassHub is not purchased yet.",
    "onboarding.request.approved": "ClassHub approved your shared schools.",
    "onboarding.request.partly_approved": "ClassHub approved some of your shared schools.",
    "onboarding.request.denied": "ClassHub denied the request.",
    "rosters.import.started": "The roster import started.",
    "rosters.import.succeeded": "The roster import finished.",
    "rosters.import.needs_attention": "The roster import finished, but some required data is missing.",
    "rosters.import.failed": "The roster import could not finish.",
    "onboarding.purchase.recorded": "ClassHub recorded your district's purchase status.",
    "onboarding.purchase.confirmed_by_district": "Your district answered whether it has purchased ClassHub.",
    "onboarding.session.scheduled": "ClassHub scheduled your onboarding session with Clever.",
    "onboarding.session.rescheduled": "ClassHub moved your onboarding session with Clever.",
    "onboarding.sharing.schools_added": "Your district shared more schools; ClassHub reviews them.",
    "onboarding.sharing.schools_unshared": "Your district stopped sharing some schools; their records are archived.",
    "onboarding.district.live": "ClassHub is live for your district.",
    "onboarding.district.edited": "ClassHub updated your district's details.",
}


@dataclass(frozen=True)
class NextStep:
    who: str  # "ClassHub", "Your district" or "Clever"
    what: str


NEXT_STEPS: dict[str, NextStep] = {
    S.REQUESTED: NextStep("ClassHub", "Your ClassHub rep records your purchase and starts the review."),
    S.SALES_FOLLOW_UP: NextStep("ClassHub", "Our sales team will contact you about purchasing ClassHub."),
    S.IN_REVIEW: NextStep("ClassHub", "Checking the schools you shared against your rollout plan."),
    S.APPROVED: NextStep("ClassHub", "Importing your rosters from Clever: students, teachers and classes."),
    S.PARTLY_APPROVED: NextStep("ClassHub", "Importing the rosters of the approved schools from Clever."),
    S.DENIED: NextStep(
        "Your district", "Read the reason below, change your sharing in Clever, and ClassHub reviews again."
    ),
    S.ONBOARDING_SCHEDULED: NextStep("Clever", "Your onboarding session with Clever is scheduled."),
    S.IMPORTING: NextStep("ClassHub", "Importing your rosters; this page updates as it goes."),
    S.NEEDS_ATTENTION: NextStep("Your district", "Some required data is missing: see the import section below."),
    S.IMPORTED: NextStep("ClassHub", "Rosters are in. Your district goes live after the onboarding session."),
    S.LIVE: NextStep("Your district", "ClassHub is live. Teachers sign in with Clever."),
    S.DISCONNECTED: NextStep(
        "Your district", "ClassHub is no longer connected in Clever. Add it again in Clever to continue."
    ),
    S.PAUSED: NextStep("ClassHub", "Onboarding is paused; your ClassHub rep will tell you when it resumes."),
}


def event_label(event: AuditEvent) -> str:
    # Never the raw action name: a district admin reads these.
    return EVENT_LABELS.get(event.action, "ClassHub recorded a change to your district.")


def next_step(status: str) -> NextStep | None:
    return NEXT_STEPS.get(status)


@dataclass(frozen=True)
class JourneyStep:
    title: str
    who: str  # who acts on this step
    state: str  # "done", "current" or "todo"
    detail: str


# The order of the journey; a status belongs to the step it is waiting on.
STEP_OF_STATUS = {
    S.REQUESTED: 1,
    S.SALES_FOLLOW_UP: 1,
    S.IN_REVIEW: 2,
    S.DENIED: 2,
    S.APPROVED: 3,
    S.PARTLY_APPROVED: 3,
    S.IMPORTING: 3,
    S.NEEDS_ATTENTION: 3,
    S.ONBOARDING_SCHEDULED: 3,
    S.IMPORTED: 4,
    S.LIVE: 5,
}


def journey_steps(*, status: str, has_session: bool, session_over: bool = False) -> list[JourneyStep]:
    """The five steps of the journey, each done, current or to do, with who acts on it.

    The import and onboarding step is done once rosters are in and the session (if one is scheduled) has
    taken place: until then it is the current step, not "Done".
    """
    current = STEP_OF_STATUS.get(status, 0)
    if status == S.IMPORTED and has_session and not session_over:
        current = 3
    steps = [
        (
            "Connect ClassHub in Clever and share your schools",
            "Your district",
            "Done in Clever by your district admin.",
        ),
        (
            "Purchase confirmed",
            "ClassHub",
            "Our sales team contacts you about purchasing ClassHub; once it is purchased, the review starts."
            if status == S.SALES_FOLLOW_UP
            else "Your ClassHub rep records the purchase Clever told us about.",
        ),
        ("Review of the shared schools", "ClassHub", "Each shared school is checked against your rollout plan."),
        (
            "Roster import and onboarding session",
            "ClassHub and Clever",
            (
                "Rosters are in; your onboarding session with Clever is scheduled (see below)."
                if status == S.IMPORTED and has_session
                else "Rosters come in from Clever; the onboarding session with Clever is "
                + ("scheduled." if has_session else "scheduled by your rep.")
            ),
        ),
        ("Go live", "ClassHub", "Teachers and admins get a welcome email and sign in with Clever."),
    ]
    if status == S.LIVE:
        current = len(steps) + 1
    if status == S.DENIED:
        # The review ended with a denial: the district acts next, by changing what it shares.
        steps[2] = (
            "Review of the shared schools",
            "Your district",
            "ClassHub denied the request. Change your sharing in Clever as the reasons below say; "
            "ClassHub then reviews it again.",
        )
    result = []
    for number, (title, who, detail) in enumerate(steps):
        state = "done" if number < current else "current" if number == current else "todo"
        result.append(JourneyStep(title=title, who=who, state=state, detail=detail))
    return result
