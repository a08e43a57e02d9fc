"""Going live: the district's status, then one welcome email per person per school, never twice."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from onboarding.emails import email_queue, emails_send_queue
from onboarding.models import District, DistrictStatus, EmailKind
from onboarding.services.errors import ReviewError
from onboarding.workflow import district_transition


@transaction.atomic
def district_go_live(*, district: District, actor: AbstractBaseUser | None) -> District:
    """Take an imported district live and queue its welcome emails (one per person per school)."""
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


WELCOME_BATCH = 500


def welcome_emails_send(*, district: District) -> int:
    """Queue a welcome for every teacher and staff member of each school, and each district admin.

    Safe to run again: each email has a dedupe key, so a person gets one per school, ever. The people
    are read first and the emails sent in batches by worker tasks, so a district of any size is covered.
    """
    from rosters.models import Educator, EducatorSchool

    sign_in_url = f"{settings.PORTAL_BASE_URL}/accounts/login/"
    people = {e.pk: e for e in Educator.objects.filter(district=district, archived_at=None)}
    school_people = sorted(
        set(
            EducatorSchool.objects.filter(school__district=district, school__archived_at=None).values_list(
                "school__clever_id", "school__name", "educator_id"
            )
        )
    )  # a teacher who is also staff of a school is one (school, person) pair: one email there
    recipients = [
        (f"welcome:{school_id}:{people[pk].clever_id}", people[pk], school_name)
        for school_id, school_name, pk in school_people
        if pk in people
    ]
    recipients += [
        (f"welcome:district:{district.clever_id}:{admin.clever_id}", admin, f"every {district.name} school")
        for admin in people.values()
        if admin.is_district_admin
    ]
    log_ids = []
    for dedupe_key, person, school_name in recipients:
        log = email_queue(
            kind=EmailKind.WELCOME,
            to=person.email,
            district=district,
            context={"person": person, "school_name": school_name, "sign_in_url": sign_in_url},
            dedupe_key=dedupe_key,
            send=False,
        )
        if log is not None and log.status == "queued":
            log_ids.append(log.pk)
    with transaction.atomic():
        for start in range(0, len(log_ids), WELCOME_BATCH):
            emails_send_queue(log_ids=log_ids[start : start + WELCOME_BATCH])
    return len(log_ids)
