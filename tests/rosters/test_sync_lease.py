"""One sync of a district at a time: a lease in the database, renewed while working, expiring if the worker dies."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from rosters.lease import LeaseKeeper, LeaseLost, lease_acquire, lease_release, lease_renew
from rosters.models import DistrictSync, ImportRun, ImportStatus
from rosters.services import import_run_create, import_run_execute

pytestmark = pytest.mark.django_db


def test_a_held_lease_refuses_a_second_holder_until_released(imported_a):
    assert lease_acquire(imported_a, "first") == ""  # free: nobody held it before
    assert lease_acquire(imported_a, "second") is None
    lease_release(imported_a, "first")
    assert lease_acquire(imported_a, "second") == ""


def test_an_expired_lease_is_taken_over_and_its_old_holder_learns_it_lost(imported_a, settings):
    settings.SYNC_LEASE_SECONDS = 3
    lease_acquire(imported_a, "dead-worker")
    DistrictSync.objects.filter(pk=imported_a.pk).update(lease_expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert lease_acquire(imported_a, "next") == "dead-worker"
    assert not lease_renew(imported_a, "dead-worker")
    keeper = LeaseKeeper(imported_a, "dead-worker")
    keeper._last -= 10  # due for renewal
    with pytest.raises(LeaseLost):
        keeper()


def test_an_import_does_not_start_while_another_sync_holds_the_lease(imported_a, settings):
    settings.SYNC_LEASE_WAIT_SECONDS = 0.2
    lease_acquire(imported_a, "events-in-another-worker")
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.status == ImportStatus.FAILED
    assert "Another sync of" in run.error and "can be run again" in run.error
    imported_a.refresh_from_db()
    assert imported_a.status == "imported"  # the district is not put in needs attention for this


def test_a_run_left_running_by_a_dead_worker_is_closed_by_the_next_one(imported_a):
    dead = ImportRun.objects.create(district=imported_a, status=ImportStatus.RUNNING, started_at=timezone.now())
    DistrictSync.objects.filter(pk=imported_a.pk).update(
        lease_holder=f"import-{dead.pk}-0", lease_expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.status == ImportStatus.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and f"import #{run.pk} took over" in dead.error
    assert DistrictSync.objects.get(pk=imported_a.pk).lease_holder == ""  # released at the end
