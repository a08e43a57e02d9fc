"""Writes of the rosters app: queueing and running district imports."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from classhub.clever.client import CleverClient
from classhub.clever.errors import CleverError, CleverNotFound, CleverTokenRevoked
from classhub.errors import ClassHubError
from onboarding.audit import audit_record, known_actor
from onboarding.models import District, DistrictStatus, SharingRequest
from onboarding.notifications import notify_needs_attention
from onboarding.services import district_disconnect
from onboarding.workflow import can_transition, district_transition
from rosters.events import event_id, events_apply, events_cursor_latest, events_scope_load
from rosters.importer import ImportContext, import_all_kinds
from rosters.importer.pending import kinds_to_hold, pending_apply, pending_discard
from rosters.lease import LeaseKeeper, LeaseLost, lease_acquire, lease_release, lease_wait, new_holder
from rosters.models import (
    DistrictSync,
    ImportPhase,
    ImportRun,
    ImportStatus,
)
from rosters.selectors import approved_school_ids, roster_counts, shared_school_ids

logger = logging.getLogger(__name__)

# What a district must share for ClassHub to work, and how to fix each gap.
# Districts whose roster ClassHub keeps in sync (events, nightly, Sync now) once the first import is in.
SYNCED_STATUSES = [DistrictStatus.IMPORTED, DistrictStatus.LIVE, DistrictStatus.NEEDS_ATTENTION]

WHO_FIXES = "Your district's Clever admin can fix this"
REQUIRED_DATA = [
    ("schools", f"No schools were imported. {WHO_FIXES}: in Clever, share the approved schools with ClassHub."),
    (
        "students",
        f"No students were shared. {WHO_FIXES}: in Clever, share the students of the approved schools with ClassHub.",
    ),
    (
        "teachers",
        f"No teachers were shared. {WHO_FIXES}: in Clever, share the teachers of the approved schools with ClassHub.",
    ),
    (
        "sections",
        f"No sections were shared. {WHO_FIXES}: ask Clever Support to create sections (for elementary schools, "
        "homeroom sections) so teachers see their students.",
    ),
]
NO_ADMIN_FIX = (
    f"No district or school admin was shared. {WHO_FIXES}: in Clever, share at least one district admin "
    "or school admin with ClassHub."
)


class ImportError_(ClassHubError):  # noqa: N801  (avoid shadowing the builtin ImportError)
    """An import that cannot start as asked."""


def import_run_active(*, district: District) -> ImportRun | None:
    """The district's import that is queued or running now, if any (a dead worker's run does not count)."""
    run = ImportRun.objects.filter(district=district, status__in=[ImportStatus.QUEUED, ImportStatus.RUNNING]).first()
    if run is None:
        return None
    if run.status == ImportStatus.QUEUED:
        # A queued task is handed to another worker after Q_CLUSTER["retry"]; older than that, it is lost.
        fresh = run.created_at > timezone.now() - dt.timedelta(seconds=settings.Q_CLUSTER["retry"])
        return run if fresh else None
    lease = DistrictSync.objects.filter(pk=district.pk).values("lease_holder", "lease_expires_at").first()
    alive = lease and lease["lease_holder"] and lease["lease_expires_at"] and lease["lease_expires_at"] > timezone.now()
    return run if alive else None


def import_run_create(*, district: District, requested_by: AbstractBaseUser | None = None) -> ImportRun:
    """Create a queued import run for the district's approved schools."""
    district = District.objects.get(pk=district.pk)  # decide on the current status, not a caller's stale copy
    if not approved_school_ids(district=district):
        raise ImportError_(f"{district.name} has no approved schools yet: approve its sharing request first.")
    if not can_transition(district.status, DistrictStatus.IMPORTING):
        raise ImportError_(
            f"{district.name} is {district.get_status_display().lower()}, so it cannot be imported now."
            + (" It removed ClassHub in Clever." if district.status == DistrictStatus.DISCONNECTED else "")
        )
    return ImportRun.objects.create(
        district=district, requested_by=known_actor(requested_by), estimated_total=_estimated_total(district)
    )


def _estimated_total(district: District) -> int | None:
    """How many records the run will read: the last complete run's count, or the dry run's."""
    last = (
        ImportRun.objects.filter(district=district, status__in=[ImportStatus.SUCCEEDED, ImportStatus.HELD])
        .exclude(total=None)
        .values_list("total", flat=True)
        .first()
    )
    if last:
        return last
    dry_run = (
        SharingRequest.objects.filter(district=district, dry_run__isnull=False)
        .order_by("-created_at")
        .values_list("dry_run", flat=True)
        .first()
    ) or {}
    schools = dry_run.get("schools") or {}
    estimate = sum(
        sum(int(school.get(k) or 0) for k in ("students", "teachers", "sections", "school_admins")) + 1
        for school in schools.values()
        if isinstance(school, dict)
    ) + int(dry_run.get("district_admins") or 0)
    return estimate or None


def import_run_queue(*, district: District, requested_by: AbstractBaseUser | None = None) -> ImportRun:
    """Create an import run and hand it to a worker once the surrounding transaction commits."""
    run = import_run_create(district=district, requested_by=requested_by)
    run_id = run.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("rosters.tasks.import_run_task", run_id, task_name=f"import-run-{run_id}", group="imports")

    transaction.on_commit(enqueue)
    return run


def district_sync_now(*, district: District, requested_by: AbstractBaseUser | None = None) -> tuple[ImportRun, bool]:
    """A full sync on request (Sync now, the nightly schedule, a stale events cursor).

    Returns (run, queued): when a sync of the district is already queued or running, that run is
    returned and nothing new is queued, so pressing the button twice never imports twice.
    """
    with transaction.atomic():
        District.objects.select_for_update().get(pk=district.pk)  # two presses at once: one waits for the other
        active = import_run_active(district=district)
        if active is not None:
            return active, False
        run = import_run_queue(district=district, requested_by=requested_by)
        audit_record(district=district, actor=requested_by, action="rosters.sync.requested", subject=run)
        return run, True


def missing_required_data(counts: dict[str, int]) -> list[str]:
    """Plain statements of what is missing and how to fix it; empty when all is there."""
    problems = [fix for kind, fix in REQUIRED_DATA if not counts.get(kind)]
    if not counts.get("staff") and not counts.get("district_admins"):
        problems.append(NO_ADMIN_FIX)
    return problems


def import_run_execute(
    *,
    run_id: int,
    client: CleverClient | None = None,
    on_progress: Callable[[ImportRun], None] | None = None,
) -> ImportRun:
    """Run one import to its end; a finished run is left as it is, so running twice is safe."""
    run = ImportRun.objects.select_related("district").get(pk=run_id)
    if run.status in (ImportStatus.SUCCEEDED, ImportStatus.FAILED, ImportStatus.HELD):
        return run
    district = run.district
    holder = new_holder(f"import-{run.pk}")
    if lease_wait(district, holder, seconds=settings.SYNC_LEASE_WAIT_SECONDS) is None:
        _import_fail(
            run,
            f"Another sync of {district.name} was still running, so this import did not start. "
            "It can be run again once that one has finished.",
            needs_attention=False,
        )
        return run
    try:
        return _import_with_lease(run, holder, client, on_progress)
    finally:
        lease_release(district, holder)


def _import_with_lease(run: ImportRun, holder: str, client, on_progress) -> ImportRun:
    district = run.district
    approved = approved_school_ids(district=district)
    try:
        _import_start(run)
    except ClassHubError as exc:
        # The district moved on while the run waited (e.g. it disconnected): close the run, explain why.
        _import_fail(run, str(exc), needs_attention=False)
        return run
    try:
        client = client or CleverClient.from_settings()
        api = client.for_district(district.clever_id)  # network: outside any transaction
        # Seed the events cursor first: whatever changes during the import is applied by the next events sync.
        run.events_cursor = events_cursor_latest(api)
        run.save(update_fields=["events_cursor"])
        ctx = ImportContext(
            district=district,
            api=api,
            approved_school_ids=approved,
            shared_school_ids=shared_school_ids(district=district),
            run=run,
            page_limit=settings.CLEVER_PAGE_LIMIT,
            on_progress=on_progress,
            on_page=LeaseKeeper(district, holder),
        )
        import_all_kinds(ctx)
        ctx.progress_save()
    except CleverTokenRevoked as exc:
        _import_fail(run, str(exc), needs_attention=False)
        district_disconnect(district=district)
        return run
    except CleverError as exc:
        _import_fail(run, f"Clever could not be read ({str(exc).rstrip('.')}). The import can be run again safely.")
        return run
    except LeaseLost as exc:
        _import_fail(run, str(exc), needs_attention=False)
        return run
    except Exception as exc:
        _import_fail(run, f"Unexpected error: {exc.__class__.__name__}: {exc}")
        raise
    changes = {kind: stats.as_dict() for kind, stats in ctx.stats.items()}
    held = kinds_to_hold(changes)
    if not held:
        pending_apply(run, on_chunk=ctx.on_page)  # in chunks, each its own short transaction; lease renewed
    run = _import_finish(run, ctx, changes, held)
    if _anything_changed(changes):
        # Readiness depends on students, their schools and the setups only. Whatever else changes them (events,
        # a sharing change, a setup change) refreshes it too, so a sync that changed nothing leaves it be.
        _readiness_refresh(district)
    return run


def _anything_changed(changes: dict[str, dict[str, int]]) -> bool:
    return any(found.get(key) for found in changes.values() for key in ("new", "changed", "restored", "unseen"))


def _readiness_refresh(district: District) -> None:
    """Device readiness follows every sync. It is a report: a failure there is logged, never fails the sync."""
    from devices.services import readiness_refresh

    try:
        readiness_refresh(district=district)
    except Exception:
        logger.exception("Device readiness of %s could not be refreshed after a sync", district.name)


@transaction.atomic
def _import_start(run: ImportRun) -> None:
    district = District.objects.select_for_update().get(pk=run.district_id)
    # Holding the lease, any other running import of the district belongs to a worker that died.
    for dead in ImportRun.objects.filter(district=district, status=ImportStatus.RUNNING).exclude(pk=run.pk):
        dead.status = ImportStatus.FAILED
        dead.error = f"The worker running this import stopped before it finished; import #{run.pk} took over."
        dead.finished_at = timezone.now()
        dead.save(update_fields=["status", "error", "finished_at"])
    # A held run's staged changes are stale once Clever is read again: this run finds them afresh.
    for stale in ImportRun.objects.filter(district=district, status=ImportStatus.HELD).exclude(pk=run.pk):
        stale.pending_changes.all().delete()
        stale.status = ImportStatus.FAILED
        stale.error = f"Replaced by import #{run.pk}, which reads Clever again; decide on that one if it is held."
        stale.finished_at = stale.finished_at or timezone.now()
        stale.save(update_fields=["status", "error", "finished_at"])
    run.status = ImportStatus.RUNNING
    run.phase = ImportPhase.DISTRICT
    run.started_at = timezone.now()
    run.done = 0  # a run restarted after a dead worker counts again from zero
    run.error = ""
    run.save(update_fields=["status", "phase", "started_at", "done", "error"])
    run.issues.all().delete()
    run.pending_changes.all().delete()
    if district.status == DistrictStatus.LIVE:
        audit_record(district=district, actor=run.requested_by, action="rosters.import.started", subject=run)
    elif district.status != DistrictStatus.IMPORTING:
        district_transition(
            district=district,
            to=DistrictStatus.IMPORTING,
            actor=run.requested_by,
            action="rosters.import.started",
            details={"import_run": run.pk},
        )
    run.district = district


def _events_cursor_save(run: ImportRun) -> None:
    """After a complete run, incremental sync resumes from the cursor seeded when the run began."""
    DistrictSync.objects.update_or_create(
        district_id=run.district_id,
        defaults={"events_cursor": run.events_cursor, "events_applied": 0, "events_error": ""},
    )


@transaction.atomic
def _import_finish(run: ImportRun, ctx: ImportContext, changes: dict, held: dict[str, str]) -> ImportRun:
    district = District.objects.select_for_update().get(pk=run.district_id)
    counts = roster_counts(district=district)
    counts["issues"] = ctx.counts["issues"]
    problems = missing_required_data(counts)
    run.status = ImportStatus.HELD if held else ImportStatus.SUCCEEDED
    run.phase = ImportPhase.DONE
    run.total = run.done
    run.counts = counts
    run.changes = changes
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "phase", "total", "counts", "changes", "finished_at"])
    if held:
        audit_record(
            district=district,
            actor=None,
            action="rosters.import.held",
            subject=run,
            after={"changes": changes},
            reason="The sync " + "; ".join(held.values()) + ". A ClassHub rep reviews this before it is applied.",
        )
    else:
        _events_cursor_save(run)
    if problems:
        notify_needs_attention(district=district, problems=problems, run_id=run.pk)
    action = "rosters.import.needs_attention" if problems else "rosters.import.succeeded"
    details = {"import_run": run.pk, "counts": counts}
    if district.status == DistrictStatus.IMPORTING:
        district_transition(
            district=district,
            to=DistrictStatus.NEEDS_ATTENTION if problems else DistrictStatus.IMPORTED,
            actor=None,
            action=action,
            reason="\n".join(problems),
            details=details,
        )
    else:
        # A live district stays live while its roster is refreshed; the run and the audit say how it went.
        audit_record(
            district=district, actor=None, action=action, subject=run, reason="\n".join(problems), after=details
        )
    return run


@transaction.atomic
def _import_fail(run: ImportRun, message: str, *, needs_attention: bool = True) -> None:
    logger.warning("Import run %s failed: %s", run.pk, message)
    run.status = ImportStatus.FAILED
    run.error = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])
    run.pending_changes.all().delete()  # a run that did not finish changes and archives nothing
    district = District.objects.select_for_update().get(pk=run.district_id)
    if needs_attention and district.status == DistrictStatus.IMPORTING:
        district_transition(
            district=district,
            to=DistrictStatus.NEEDS_ATTENTION,
            actor=None,
            action="rosters.import.failed",
            # The district reads the reason on its timeline; the technical detail stays on the run.
            reason="The import could not finish; ClassHub will run it again.",
            details={"import_run": run.pk, "error": message},
        )


def import_run_hold_release(*, run: ImportRun, actor: AbstractBaseUser | None, apply: bool) -> ImportRun:
    """A rep's decision on a held run: apply what it found (changes and archiving), or discard it.

    Decided under the district's sync lease, so two decisions (or a decision and a sync) never overlap.
    """
    district = run.district
    holder = new_holder(f"release-{run.pk}")
    if lease_wait(district, holder, seconds=settings.SYNC_LEASE_WAIT_SECONDS) is None:
        raise ImportError_(f"A sync of {district.name} is running; decide once it has finished.")
    try:
        with transaction.atomic():
            run = ImportRun.objects.select_for_update().select_related("district").get(pk=run.pk)
            if run.status != ImportStatus.HELD:
                raise ImportError_(f"Import #{run.pk} is {run.get_status_display().lower()}, not held for review.")
            newer = ImportRun.objects.filter(district=run.district, created_at__gt=run.created_at).exists()
            if apply and newer:
                raise ImportError_(f"A newer import of {run.district.name} exists; decide on that one instead.")
        applied = pending_apply(run, on_chunk=LeaseKeeper(district, holder)) if apply else {}
        pending_discard(run)
        with transaction.atomic():
            run.status = ImportStatus.SUCCEEDED
            run.counts = {**roster_counts(district=run.district), "issues": run.counts.get("issues", 0)}
            run.save(update_fields=["status", "counts"])
            _events_cursor_save(run)
            audit_record(
                district=run.district,
                actor=actor,
                action="rosters.import.changes_applied" if apply else "rosters.import.changes_discarded",
                subject=run,
                after={"applied": applied, "found": run.changes},
            )
        if apply:
            _readiness_refresh(district)
    finally:
        lease_release(district, holder)
    return run


@dataclass
class EventsSyncResult:
    status: str  # applied | not_seeded | held | busy | resync | failed | disconnected
    applied: int = 0
    pages: int = 0
    message: str = ""


def events_sync(*, district: District, client: CleverClient | None = None) -> EventsSyncResult:
    """Apply the district's new Clever events, page by page, saving the cursor with each page.

    A cursor Clever no longer knows (older than its 30 days, or unknown) starts a full sync instead.
    """
    state = DistrictSync.objects.filter(pk=district.pk).first()
    if state is None or state.events_cursor is None:
        return EventsSyncResult("not_seeded", message="No full import has finished yet; nothing to resume from.")
    latest = ImportRun.objects.filter(district=district).first()
    if latest is not None and latest.status == ImportStatus.HELD:
        return EventsSyncResult("held", message=f"Import #{latest.pk} is held for review; events wait for it.")
    holder = new_holder("events")
    if lease_acquire(district, holder) is None:
        return EventsSyncResult("busy", message="Another sync of this district is running; events wait for it.")
    try:
        return _events_sync_with_lease(district, state.events_cursor, holder, client)
    finally:
        lease_release(district, holder)


def _events_sync_with_lease(district: District, cursor: str, holder: str, client) -> EventsSyncResult:
    result = EventsSyncResult("applied")
    try:
        client = client or CleverClient.from_settings()
        api = client.for_district(district.clever_id)
        ctx = ImportContext(
            district=district,
            api=api,
            approved_school_ids=approved_school_ids(district=district),
            shared_school_ids=shared_school_ids(district=district),
            on_page=LeaseKeeper(district, holder),
        )
        events_scope_load(ctx)
        limit = settings.CLEVER_PAGE_LIMIT
        while True:
            params = {"limit": limit, **({"starting_after": cursor} if cursor else {})}
            page = api.page("events", **params)  # network: outside the transaction
            if not page:
                break
            with transaction.atomic():
                applied = events_apply(ctx, page)
                cursor = next((i for i in map(event_id, reversed(page)) if i), cursor)
                DistrictSync.objects.filter(pk=district.pk).update(
                    events_cursor=cursor,
                    events_applied=F("events_applied") + applied,
                    events_synced_at=timezone.now(),
                    events_error="",
                )
                ctx.page_done(len(page))
            result.applied += applied
            result.pages += 1
            if len(page) < limit:
                break
        if result.applied:
            _readiness_refresh(district)
    except CleverNotFound:
        # Clever no longer knows the cursor (a gap longer than its 30 days of events): start over fully.
        DistrictSync.objects.filter(pk=district.pk).update(
            events_cursor=None, events_error="The events cursor expired; a full sync was queued."
        )
        try:
            district_sync_now(district=district)
        except ImportError_ as exc:
            return EventsSyncResult("failed", result.applied, result.pages, str(exc))
        return EventsSyncResult("resync", result.applied, result.pages, "The events cursor expired; full sync queued.")
    except CleverTokenRevoked as exc:
        district_disconnect(district=district)
        return EventsSyncResult("disconnected", result.applied, result.pages, str(exc))
    except (CleverError, LeaseLost) as exc:
        DistrictSync.objects.filter(pk=district.pk).update(events_error=str(exc)[:1000])
        return EventsSyncResult("failed", result.applied, result.pages, str(exc))
    return result
