"""Archive what a complete import did not see, unless it is so much that a rep should look first.

Records are never deleted: a record archived here comes back (``archived_at`` cleared by the upsert)
the next time Clever shares it. Only a complete, successful run archives; a failed one never does.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from onboarding.models import District
from rosters.models import Course, Educator, ImportRun, School, Section, Student, Term

ARCHIVED_KINDS: list[tuple[str, type[models.Model]]] = [
    ("schools", School),
    ("terms", Term),
    ("courses", Course),
    ("students", Student),
    ("educators", Educator),
    ("sections", Section),
]


def _unseen(model: type[models.Model], district: District, run: ImportRun):
    return model.objects.filter(district=district, archived_at=None).exclude(last_seen_run=run.pk)


def unseen_counts(*, district: District, run: ImportRun) -> dict[str, dict[str, int]]:
    """Per kind: how many active records the run did not see, out of how many are active."""
    counts = {}
    for kind, model in ARCHIVED_KINDS:
        unseen = _unseen(model, district, run).count()
        if unseen:
            active = model.objects.filter(district=district, archived_at=None).count()
            counts[kind] = {"unseen": unseen, "active": active}
    return counts


def kinds_to_hold(counts: dict[str, dict[str, int]]) -> list[str]:
    """The kinds where the run would archive more than ARCHIVE_HOLD_FRACTION of the active records."""
    fraction = settings.ARCHIVE_HOLD_FRACTION
    return [kind for kind, c in counts.items() if c["unseen"] > fraction * c["active"]]


@transaction.atomic
def archive_unseen(*, district: District, run: ImportRun) -> dict[str, int]:
    """Archive every active record of the district that the run did not see; returns how many per kind."""
    now = timezone.now()
    return {kind: _unseen(model, district, run).update(archived_at=now) for kind, model in ARCHIVED_KINDS}
