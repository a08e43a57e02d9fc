"""Districts at a given point of their journey, built straight in the database, and their signed-in admin."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from devices.models import DeviceSetup
from onboarding.models import District, OnboardingSession, PurchaseStatus, SharedSchool, SharingType
from rosters.models import ImportRun, ImportStatus
from tests.rosters.test_issue_exports import clever_district_admin  # a user as a Clever sign-in leaves them

__all__ = ["clever_district_admin", "district_at", "finished_import", "onboarding_session", "device_setup"]

_ids = itertools.count(1)

# What a complete import of a small district counts (rosters.selectors.roster_counts, plus issues).
FULL_COUNTS = {
    "schools": 2,
    "students": 40,
    "teachers": 4,
    "staff": 1,
    "district_admins": 1,
    "sections": 8,
    "enrollments": 80,
    "teachers_without_sections": 0,
    "issues": 0,
}


def district_at(
    status: str,
    *,
    name: str = "Lakeside USD",
    purchase: str = PurchaseStatus.ALREADY_PURCHASED,
    sharing: str = SharingType.BY_SCHOOLS,
    shared_schools: int = 2,
) -> District:
    district = District.objects.create(
        clever_id=f"{0x4E1000 + next(_ids):024x}",
        name=name,
        status=status,
        purchase_status=purchase,
        sharing_type=sharing,
    )
    for n in range(shared_schools):
        SharedSchool.objects.create(
            district=district, clever_school_id=f"{district.pk:012x}{n:012x}", name=f"School {n}"
        )
    return district


def finished_import(district: District, *, status: str = ImportStatus.SUCCEEDED, **count_changes) -> ImportRun:
    now = timezone.now()
    return ImportRun.objects.create(
        district=district,
        status=status,
        phase="done",
        done=1234,
        counts={**FULL_COUNTS, **count_changes},
        started_at=now - dt.timedelta(minutes=5),
        finished_at=now,
    )


def onboarding_session(district: District, *, days_from_now: float) -> OnboardingSession:
    return OnboardingSession.objects.create(
        district=district,
        starts_at=timezone.now() + dt.timedelta(days=days_from_now),
        time_zone="America/Chicago",
    )


def device_setup(district: District) -> DeviceSetup:
    return DeviceSetup.objects.create(district=district, platforms=["chromebook"])
