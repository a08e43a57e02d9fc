"""Going live: the district's status, then one welcome email per person per school, never twice."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from onboarding.emails import email_queue
from onboarding.models import District, DistrictStatus, EmailKind
from onboarding.services.errors import ReviewError
from onboarding.workflow import district_transition


@transaction.atomic
def district_go_live(*, district: District, actor: AbstractBaseUser | None) -> District:
    """Take an imported district live and queue its welcome emails."""
    district = District.objects.select_for_update().get(pk=district.pk)
    if district.status != DistrictStatus.IMPORTED:
        raise ReviewError(
            f"{district.name} is {district.get_status_display().lower()}; a district goes live once its "
            "rosters are imported with nothing missing."
        )
    district_transition(district=district, to=DistrictStatus.LIVE, actor=actor, action="onboarding.district.live")
    district_id = district.pk

    def enqueue() -> None:
        from django_q.tasks import async_task

        async_task("onboarding.tasks.welcome_emails_task", district_id, task_name=f"welcome-{district_id}")

    transaction.on_commit(enqueue)
    return district


def welcome_emails_send(*, district: District) -> int:
    """Queue a welcome for every teacher and staff member of each school, and each district admin.

    Safe to run again: each email has a dedupe key, so people only ever get one per school.
    """
    from rosters.models import Educator, EducatorSchool

    sign_in_url = f"{settings.PORTAL_BASE_URL}/accounts/login/"
    queued = 0
    links = (
        EducatorSchool.objects.filter(school__district=district, school__archived_at=None, educator__archived_at=None)
        .select_related("educator", "school")
        .order_by("school_id", "educator_id")
    )
    seen: set[tuple[int, int]] = set()  # a teacher who is also staff of a school gets one email there
    for link in links.iterator(chunk_size=2000):
        key = (link.school_id, link.educator_id)
        if key in seen:
            continue
        seen.add(key)
        with transaction.atomic():
            queued += bool(
                email_queue(
                    kind=EmailKind.WELCOME,
                    to=link.educator.email,
                    district=district,
                    context={"person": link.educator, "school_name": link.school.name, "sign_in_url": sign_in_url},
                    dedupe_key=f"welcome:{link.school.clever_id}:{link.educator.clever_id}",
                )
            )
    for admin in Educator.objects.filter(district=district, is_district_admin=True, archived_at=None).iterator():
        with transaction.atomic():
            queued += bool(
                email_queue(
                    kind=EmailKind.WELCOME,
                    to=admin.email,
                    district=district,
                    context={
                        "person": admin,
                        "school_name": f"every {district.name} school",
                        "sign_in_url": sign_in_url,
                    },
                    dedupe_key=f"welcome:district:{district.clever_id}:{admin.clever_id}",
                )
            )
    return queued
