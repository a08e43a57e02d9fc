"""Writes of the rosters app: queueing and running district imports."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from classhub.clever.client import CleverClient
from classhub.clever.errors import CleverError, CleverTokenRevoked
from classhub.errors import ClassHubError
from onboarding.audit import audit_record, known_actor
from onboarding.models import District, DistrictStatus
from onboarding.notifications import notify_needs_attention
from onboarding.services import district_disconnect
from onboarding.workflow import can_transition, district_transition
from rosters.archive import archive_unseen, kinds_to_hold, unseen_counts
from rosters.importer import ImportContext, import_all_kinds
from rosters.models import (
    Educator,
    EducatorSchool,
    ImportPhase,
    ImportRun,
    ImportStatus,
    School,
    Section,
    Student,
    StudentSchool,
)
from rosters.selectors import approved_school_ids, roster_counts

logger = logging.getLogger(__name__)

# What a district must share for ClassHub to work, and how to fix each gap.
REQUIRED_DATA = [
    ("schools", "No schools were imported: share the approved schools in Clever."),
    ("students", "No students were shared: in Clever, share the students of the approved schools."),
    ("teachers", "No teachers were shared: in Clever, share the teachers of the approved schools."),
    (
        "sections",
        "No sections were shared: ask Clever Support to create sections (for elementary schools, "
        "homeroom sections) so teachers see their students.",
    ),
]
NO_ADMIN_FIX = "No district or school admin was shared: in Clever, share at least one district or school admin."


class ImportError_(ClassHubError):  # noqa: N801  (avoid shadowing the builtin ImportError)
    """An import that cannot start as asked."""


def schools_archive(*, district: District, clever_school_ids: list[str]) -> int:
    """Archive schools a district stopped sharing, with their sections and the people who belong to no
    other active school. Nothing is deleted; the next import restores whatever is shared again."""
    now = timezone.now()
    schools = School.objects.filter(district=district, clever_id__in=clever_school_ids, archived_at__isnull=True)
    school_pks = list(schools.values_list("pk", flat=True))
    archived = schools.update(archived_at=now)
    Section.objects.filter(school_id__in=school_pks, archived_at=None).update(archived_at=now)
    other_school = StudentSchool.objects.filter(student=OuterRef("pk"), school__archived_at=None)
    Student.objects.filter(
        pk__in=StudentSchool.objects.filter(school_id__in=school_pks).values("student_id"), archived_at=None
    ).exclude(Exists(other_school)).update(archived_at=now)
    other_post = EducatorSchool.objects.filter(educator=OuterRef("pk"), school__archived_at=None)
    Educator.objects.filter(
        pk__in=EducatorSchool.objects.filter(school_id__in=school_pks).values("educator_id"),
        archived_at=None,
        is_district_admin=False,  # district admins work district-wide
    ).exclude(Exists(other_post)).update(archived_at=now)
    return archived


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
    return ImportRun.objects.create(district=district, requested_by=known_actor(requested_by))


def import_run_queue(*, district: District, requested_by: AbstractBaseUser | None = None) -> ImportRun:
    """Create an import run and hand it to a worker once the surrounding transaction commits."""
    run = import_run_create(district=district, requested_by=requested_by)
    run_id = run.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("rosters.tasks.import_run_task", run_id, task_name=f"import-run-{run_id}", group="imports")

    transaction.on_commit(enqueue)
    return run


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
        ctx = ImportContext(
            run=run,
            api=api,
            approved_school_ids=approved,
            page_limit=settings.CLEVER_PAGE_LIMIT,
            on_progress=on_progress,
        )
        import_all_kinds(ctx)
    except CleverTokenRevoked as exc:
        _import_fail(run, str(exc), needs_attention=False)
        district_disconnect(district=district)
        return run
    except CleverError as exc:
        _import_fail(run, f"Clever could not be read ({str(exc).rstrip('.')}). The import can be run again safely.")
        return run
    except Exception as exc:
        _import_fail(run, f"Unexpected error: {exc.__class__.__name__}: {exc}")
        raise
    return _import_finish(run, ctx)


@transaction.atomic
def _import_start(run: ImportRun) -> None:
    district = District.objects.select_for_update().get(pk=run.district_id)  # serialises starts per district
    running = (
        ImportRun.objects.filter(district=district, status=ImportStatus.RUNNING)
        .exclude(pk=run.pk)
        .filter(started_at__gt=timezone.now() - dt.timedelta(seconds=settings.Q_TASK_TIMEOUT))
        .first()
    )
    if running is not None:
        # One import of a district at a time; a run older than the task timeout belongs to a dead worker.
        raise ImportError_(f"Import #{running.pk} of {district.name} is still running; this one was not started.")
    run.status = ImportStatus.RUNNING
    run.phase = ImportPhase.DISTRICT
    run.started_at = timezone.now()
    run.done = 0  # a run restarted after a dead worker counts again from zero
    run.error = ""
    run.save(update_fields=["status", "phase", "started_at", "done", "error"])
    run.issues.all().delete()
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


@transaction.atomic
def _import_finish(run: ImportRun, ctx: ImportContext) -> ImportRun:
    district = District.objects.select_for_update().get(pk=run.district_id)
    unseen = unseen_counts(district=district, run=run)
    held = kinds_to_hold(unseen)
    if held:
        run.pending_archive = unseen  # a rep applies or discards it from the admin
    else:
        archive_unseen(district=district, run=run)
        run.pending_archive = {}
    counts = roster_counts(district=district)
    counts["issues"] = ctx.counts["issues"]
    problems = missing_required_data(counts)
    run.status = ImportStatus.HELD if held else ImportStatus.SUCCEEDED
    run.phase = ImportPhase.DONE
    run.total = run.done
    run.counts = counts
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "phase", "total", "counts", "pending_archive", "finished_at"])
    if held:
        audit_record(
            district=district,
            actor=None,
            action="rosters.import.archive_held",
            subject=run,
            after={"pending_archive": unseen},
            reason=f"The import would archive more than {settings.ARCHIVE_HOLD_FRACTION:.0%} of the "
            f"{', '.join(held)}; a ClassHub rep reviews this before anything is archived.",
        )
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


@transaction.atomic
def import_run_hold_release(*, run: ImportRun, actor: AbstractBaseUser | None, apply: bool) -> ImportRun:
    """A rep's decision on a held run: archive what it did not see (apply), or archive nothing (discard)."""
    run = ImportRun.objects.select_for_update().select_related("district").get(pk=run.pk)
    if run.status != ImportStatus.HELD:
        raise ImportError_(f"Import #{run.pk} is {run.get_status_display().lower()}, not held for review.")
    newer = ImportRun.objects.filter(district=run.district, created_at__gt=run.created_at).exists()
    if apply and newer:
        raise ImportError_(f"A newer import of {run.district.name} exists; decide on that one instead.")
    archived = archive_unseen(district=run.district, run=run) if apply else {}
    run.status = ImportStatus.SUCCEEDED
    run.pending_archive = {}
    run.counts = {**roster_counts(district=run.district), "issues": run.counts.get("issues", 0)}
    run.save(update_fields=["status", "pending_archive", "counts"])
    audit_record(
        district=run.district,
        actor=actor,
        action="rosters.import.archive_applied" if apply else "rosters.import.archive_discarded",
        subject=run,
        after={"archived": archived},
    )
    return run
