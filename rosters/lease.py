"""One sync of a district at a time, on SQLite and PostgreSQL alike: a renewable lease in a table.

A holder takes the lease when it is free or expired and renews it as it works. A worker that dies
stops renewing, so its lease simply runs out and the next sync takes over — no lock outlives its
process, and nothing depends on database-specific advisory locks.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from onboarding.models import District
from rosters.models import DistrictSync


def new_holder(what: str) -> str:
    """A name unique to one attempt, e.g. "import-12-3f9a…", so a retry never mistakes itself for the holder."""
    return f"{what}-{uuid.uuid4().hex[:12]}"


def _expiry() -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.SYNC_LEASE_SECONDS)


def lease_acquire(district: District, holder: str) -> str | None:
    """Take the district's lease; returns the previous holder whose lease had expired ("" if free),
    or None when someone else holds a live lease."""
    now = timezone.now()
    with transaction.atomic():
        state = DistrictSync.objects.filter(pk=district.pk).first()
        if state is None:
            try:
                with transaction.atomic():
                    DistrictSync.objects.create(district=district, lease_holder=holder, lease_expires_at=_expiry())
                return ""
            except IntegrityError:
                return None  # another process created it first and holds it
        previous = state.lease_holder
        taken = (
            DistrictSync.objects.filter(pk=district.pk)
            .filter(Q(lease_holder="") | Q(lease_expires_at__lt=now) | Q(lease_expires_at=None))
            .update(lease_holder=holder, lease_expires_at=_expiry())
        )
        return previous if taken else None


def lease_wait(district: District, holder: str, *, seconds: float) -> str | None:
    """Like lease_acquire, but wait up to ``seconds`` for a busy lease to be released or to expire."""
    deadline = time.monotonic() + seconds
    while True:
        previous = lease_acquire(district, holder)
        if previous is not None or time.monotonic() >= deadline:
            return previous
        time.sleep(min(1.0, max(0.05, deadline - time.monotonic())))


def lease_renew(district: District, holder: str) -> bool:
    """Extend a held lease; False when it was lost (expired and taken by another sync)."""
    return bool(DistrictSync.objects.filter(pk=district.pk, lease_holder=holder).update(lease_expires_at=_expiry()))


def lease_release(district: District, holder: str) -> None:
    DistrictSync.objects.filter(pk=district.pk, lease_holder=holder).update(lease_holder="", lease_expires_at=None)


class LeaseLost(Exception):  # noqa: N818
    """The lease ran out while this sync was still working, and another sync took it over."""


class LeaseKeeper:
    """Renews a lease from a sync's page loop, at most every few seconds."""

    def __init__(self, district: District, holder: str) -> None:
        self.district = district
        self.holder = holder
        self.every = min(5.0, settings.SYNC_LEASE_SECONDS / 3)
        self._last = time.monotonic()

    def __call__(self) -> None:
        now = time.monotonic()
        if now - self._last < self.every:
            return
        self._last = now
        if not lease_renew(self.district, self.holder):
            raise LeaseLost(f"Another sync of {self.district.name} took over; this one stops without finishing.")
