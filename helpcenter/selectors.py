"""Which steps of a help guide a district has done, from its status and records; scoped by the district asked about."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import dateformat, timezone

from devices.models import DeviceSetup
from devices.selectors import readiness_counts
from helpcenter.content import HelpGuide
from onboarding.models import District, DistrictStatus, OnboardingSession, PurchaseStatus, SharedSchool, SharingType
from onboarding.timeline import STEP_OF_STATUS, journey_steps
from rosters.models import ImportRun, ImportStatus
from rosters.selectors import latest_import_run
from rosters.services import missing_required_data

S = DistrictStatus

# Positions in onboarding.timeline.journey_steps(), the portal's five-step journey this guide details.
JOURNEY_PURCHASE, JOURNEY_REVIEW, JOURNEY_IMPORT = 1, 2, 3
# An import that ended with the rosters in (a held run is imported; only its large changes wait for a rep).
FINISHED_IMPORT = (ImportStatus.SUCCEEDED, ImportStatus.HELD)


@dataclass(frozen=True)
class StepProgress:
    state: str  # "done", "next" or "todo"
    note: str  # what ClassHub knows of this step for the district, in plain words; "" when nothing to add


@dataclass(frozen=True)
class DistrictFacts:
    """What the guide's steps are judged on: read once, in a fixed number of queries."""

    district: District
    journey_done: tuple[bool, ...]  # journey_steps()' "done" flags; all False while paused or disconnected
    shared_schools: int
    last_import: ImportRun | None
    session: OnboardingSession | None
    has_device_setup: bool
    readiness: dict[str, int]  # students by device readiness reason, counted per school (devices app)
    now: dt.datetime

    @property
    def status(self) -> str:
        return self.district.status

    @property
    def on_the_journey(self) -> bool:
        """False while paused or disconnected: the status then says nothing of how far the district got."""
        return self.status in STEP_OF_STATUS

    @property
    def finished_import(self) -> ImportRun | None:
        run = self.last_import
        return run if run is not None and run.status in FINISHED_IMPORT else None


def district_facts(*, district: District, now: dt.datetime | None = None) -> DistrictFacts:
    """Five queries whatever the district's size."""
    session = OnboardingSession.objects.filter(district=district).first()
    # The guide has a step of its own for the session (_session_held), so here the import counts as done once
    # the rosters are in, whether the session has taken place or not.
    journey = journey_steps(status=district.status, has_session=session is not None, session_over=True)
    return DistrictFacts(
        district=district,
        journey_done=tuple(step.state == "done" for step in journey),
        shared_schools=SharedSchool.objects.filter(district=district, unshared_at=None).count(),
        last_import=latest_import_run(district=district),
        session=session,
        has_device_setup=DeviceSetup.objects.filter(district=district).exists(),
        readiness=readiness_counts(district=district),
        now=now or timezone.now(),
    )


def _schools(n: int) -> str:
    return f"{n} school" if n == 1 else f"{n:,} schools"


def _added_in_clever(f: DistrictFacts) -> tuple[bool, str]:
    if f.status == S.DISCONNECTED:
        return (
            False,
            "ClassHub is no longer connected in Clever. Add it again in Clever to continue; your data is kept.",
        )
    return True, "Your district connected ClassHub in Clever."


def _purchase(f: DistrictFacts) -> tuple[bool, str]:
    if f.journey_done[JOURNEY_PURCHASE] or f.district.purchase_status == PurchaseStatus.ALREADY_PURCHASED:
        return True, ""
    if f.status == S.SALES_FOLLOW_UP or f.district.purchase_status == PurchaseStatus.HAVENT_PURCHASED:
        return (
            False,
            "Clever told ClassHub your district has not purchased ClassHub yet: ClassHub sales will contact you.",
        )
    if f.district.purchase_confirmed_by_district:
        answered = f.district.get_purchase_confirmed_by_district_display()
        return False, f"You answered “{answered}”. Your ClassHub rep records the purchase next."
    return False, "Your ClassHub rep records your purchase. Answer the question on your district's page to help."


def _shared_by_schools(f: DistrictFacts) -> tuple[bool, str]:
    shares = f"Your district shares {_schools(f.shared_schools)} with ClassHub."
    if f.district.sharing_type == SharingType.WHOLE_DISTRICT and not f.journey_done[JOURNEY_REVIEW]:
        return False, (
            "Your district shares the whole district. ClassHub accepts only the schools of your rollout plan: "
            "in Clever, share by schools instead."
        )
    if f.district.sharing_type == SharingType.BY_SCHOOLS or f.journey_done[JOURNEY_REVIEW] or f.shared_schools:
        return True, shares if f.shared_schools else ""
    return False, "ClassHub sees no shared schools yet."


def _required_data(f: DistrictFacts) -> tuple[bool, str]:
    run = f.finished_import
    if run is not None:
        problems = missing_required_data(run.counts or {})
        if problems:
            return False, " ".join(problems)
        return True, "The last import found schools, students, teachers, sections and an admin."
    if f.status in (S.IMPORTED, S.LIVE):
        return True, ""
    if f.shared_schools:
        return True, "ClassHub checks the students, teachers, sections and admins of your schools when it imports them."
    return False, ""


def _reviewed(f: DistrictFacts) -> tuple[bool, str]:
    if f.status == S.DENIED:
        return False, (
            "ClassHub denied the request. Read the reasons on your district's page, change your sharing in Clever, "
            "and ClassHub reviews it again."
        )
    if f.status == S.IN_REVIEW:
        return False, "Your rep is checking the schools you shared against your rollout plan."
    if f.status == S.PARTLY_APPROVED:
        return True, "ClassHub approved some of your shared schools; your district's page gives each school's decision."
    # Paused or disconnected: an import only ever runs after an approval.
    done = f.journey_done[JOURNEY_REVIEW] if f.on_the_journey else f.last_import is not None
    return done, ""


def _imported(f: DistrictFacts) -> tuple[bool, str]:
    run = f.last_import
    if f.status == S.NEEDS_ATTENTION:
        if run is not None and run.status == ImportStatus.FAILED:
            return False, "The last import could not finish. ClassHub sees this too and runs it again."
        return False, "The rosters came in, but some required data is missing: see “Share the data ClassHub needs”."
    if run is not None and run.status == ImportStatus.RUNNING:
        return False, f"Importing now: {run.done:,} records read from Clever so far."
    if run is not None and run.status == ImportStatus.QUEUED:
        return False, "The import is waiting for a free worker; it starts in a moment."
    finished = f.finished_import
    # Paused or disconnected: the runs say whether the rosters ever came in.
    done = f.journey_done[JOURNEY_IMPORT] if f.on_the_journey else finished is not None
    if done and finished is not None and finished.finished_at:
        return True, f"The last import finished on {dateformat.format(finished.finished_at, 'F j, Y')} (UTC)."
    if not done and f.status in (S.APPROVED, S.PARTLY_APPROVED, S.ONBOARDING_SCHEDULED):
        return False, "ClassHub imports the approved schools next."
    return done, ""


def _zone(name: str) -> dt.tzinfo:
    try:
        return ZoneInfo(name)
    except (ValueError, ZoneInfoNotFoundError):  # a time zone Python does not know: show the time in UTC
        return dt.UTC


def _session_held(f: DistrictFacts) -> tuple[bool, str]:
    session = f.session
    if session is None:
        # A live district had its session, even if no date was recorded here.
        return (True, "") if f.status == S.LIVE else (False, "Your ClassHub rep schedules it after the approval.")
    zone = _zone(session.time_zone)
    when = f"{dateformat.format(session.starts_at.astimezone(zone), 'l, F j, Y, g:i A')} ({zone})"
    if session.starts_at + dt.timedelta(minutes=session.duration_minutes) <= f.now:
        return True, f"Held on {when}."
    return f.status == S.LIVE, f"Scheduled for {when}."


def _devices_recorded(f: DistrictFacts) -> tuple[bool, str]:
    if f.has_device_setup:
        counted = sum(f.readiness.values())
        to_fix = counted - f.readiness.get("ready", 0)
        if not to_fix:
            return True, "Your district recorded its devices and sign-in domains, and every student is ready."
        return True, (
            f"Your district recorded its devices and sign-in domains. {to_fix:,} of {counted:,} students still "
            "need a fix (or their school's setup): the Devices page lists them, with what to change in the SIS."
        )
    return False, "Record your students' devices and sign-in domains on the Devices page."


def _live(f: DistrictFacts) -> tuple[bool, str]:
    return (True, "ClassHub is live for your district.") if f.status == S.LIVE else (False, "")


# Each step of the guide: whether the district has done it, and what to tell them about it.
STEP_RULES: dict[str, Callable[[DistrictFacts], tuple[bool, str]]] = {
    "add-classhub": _added_in_clever,
    "purchase": _purchase,
    "share-by-schools": _shared_by_schools,
    "what-to-share": _required_data,
    "review": _reviewed,
    "import": _imported,
    "onboarding-session": _session_held,
    "student-emails": _devices_recorded,
    "go-live": _live,
}


def guide_progress(*, guide: HelpGuide, district: District, now: dt.datetime | None = None) -> dict[str, StepProgress]:
    """Each step of the guide, done, next or to do for the district: the next is the first step not done.

    Five queries whatever the district's size (see district_facts).
    """
    facts = district_facts(district=district, now=now)
    progress: dict[str, StepProgress] = {}
    next_found = False
    for step in guide.steps:
        rule = STEP_RULES.get(step.id)
        done, note = rule(facts) if rule else (False, "")
        if done:
            state = "done"
        elif not next_found:
            state, next_found = "next", True
        else:
            state = "todo"
        progress[step.id] = StepProgress(state=state, note=note)
    return progress
