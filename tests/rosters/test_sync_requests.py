"""Sync now (portal and admin), the events and nightly schedules, and the progress a run shows while it works."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_q.models import Schedule

from rosters.management.commands.import_district import TerminalProgress
from rosters.models import DistrictSync, ImportRun, ImportStatus
from rosters.schedules import EVENTS_SCHEDULE_NAME, NIGHTLY_SCHEDULE_NAME
from rosters.services import district_sync_now, import_run_create, import_run_execute
from rosters.tasks import events_sync_all_task, nightly_full_sync_task
from tests.rosters.test_issue_exports import clever_district_admin

pytestmark = pytest.mark.django_db


def test_sync_now_on_the_portal_queues_one_full_sync_and_a_second_press_queues_nothing(
    client, imported_a, django_user_model, django_capture_on_commit_callbacks
):
    client.force_login(clever_district_admin(django_user_model, district_clever_id=imported_a.clever_id))
    assert b"Sync now" in client.get(reverse("portal:home")).content
    with django_capture_on_commit_callbacks(execute=True) as queued:
        first = client.post(reverse("portal:sync-now"), follow=True)
    assert b"A full sync with Clever has started" in first.content
    assert len(queued) == 1
    run = ImportRun.objects.filter(district=imported_a).first()
    assert run.status == ImportStatus.QUEUED and run.requested_by is not None

    second = client.post(reverse("portal:sync-now"), follow=True)
    assert b"already on its way" in second.content
    assert ImportRun.objects.filter(district=imported_a, status=ImportStatus.QUEUED).count() == 1
    # The queued run imports like any other: the same service, with progress against the last run.
    done = import_run_execute(run_id=run.pk)
    assert done.status == ImportStatus.SUCCEEDED and done.estimated_total


def test_sync_now_is_refused_before_the_first_import_and_for_anonymous_users(client, approve_demo, django_user_model):
    district = approve_demo("b")
    assert client.post(reverse("portal:sync-now")).status_code == 302  # sign in first
    client.force_login(clever_district_admin(django_user_model, district_clever_id=district.clever_id))
    page = client.post(reverse("portal:sync-now"), follow=True)
    assert b"once the first import has finished" in page.content


def test_the_admin_sync_now_action_goes_through_a_confirmation(client, group_rep, imported_a):
    client.force_login(group_rep)
    url = reverse("admin:onboarding_district_changelist")
    confirm = client.post(url, {"action": "sync_now", "_selected_action": [imported_a.pk]})
    assert b"Sync now" in confirm.content
    assert not ImportRun.objects.filter(district=imported_a, status=ImportStatus.QUEUED).exists()
    client.post(url, {"action": "sync_now", "_selected_action": [imported_a.pk], "confirm": "yes"})
    assert ImportRun.objects.filter(district=imported_a, status=ImportStatus.QUEUED).exists()


def test_migrate_creates_the_events_and_nightly_schedules(settings):
    events = Schedule.objects.get(name=EVENTS_SCHEDULE_NAME)
    assert (events.func, events.schedule_type, events.minutes) == (
        "rosters.tasks.events_sync_all_task",
        Schedule.MINUTES,
        settings.EVENTS_SYNC_MINUTES,
    )
    nightly = Schedule.objects.get(name=NIGHTLY_SCHEDULE_NAME)
    assert (nightly.func, nightly.schedule_type) == ("rosters.tasks.nightly_full_sync_task", Schedule.DAILY)
    assert nightly.next_run.hour == settings.NIGHTLY_SYNC_HOUR_UTC
    assert settings.Q_CLUSTER["catch_up"] is False  # a worker down for a week runs the nightly sync once


def test_the_nightly_task_queues_a_full_sync_per_synced_district_once(imported_a, approve_demo):
    approve_demo("b")  # approved, not imported yet: its first import is already queued
    assert nightly_full_sync_task() == "queued 1 nightly full sync(s)"
    assert nightly_full_sync_task() == "queued 0 nightly full sync(s)"  # the first one is still queued


def test_the_events_task_queues_one_sync_per_seeded_district(imported_a, queued_tasks):
    assert DistrictSync.objects.get(pk=imported_a.pk).events_cursor is not None
    assert events_sync_all_task() == "queued events sync for 1 district(s)"


def test_a_run_estimates_its_total_from_the_last_run_and_the_terminal_shows_a_bar(imported_a):
    last = ImportRun.objects.filter(district=imported_a, status=ImportStatus.SUCCEEDED).first()
    run = import_run_create(district=imported_a)
    assert run.estimated_total == last.total
    run.status, run.done, run.estimated_total = ImportStatus.RUNNING, 500, 1000
    line = TerminalProgress(io.StringIO()).line(run)
    assert "[############------------]  50%" in line and "left" in line
    assert run.percent == 50


def test_the_first_run_estimates_from_the_reviews_dry_run(approve_demo, demo_requests):
    request = demo_requests["a"]
    request.dry_run = {"schools": {"x": {"students": 90, "teachers": 5, "sections": 4, "school_admins": 1}}}
    request.save(update_fields=["dry_run"])
    district = approve_demo("a")
    ImportRun.objects.filter(district=district).delete()
    assert import_run_create(district=district).estimated_total == 101  # 100 people and sections, 1 school


def test_import_district_prints_progress_and_sync_events_applies_events(imported_a, sandbox, capsys):
    call_command("import_district", imported_a.clever_id)
    assert "records" in capsys.readouterr().err
    call_command("sync_events", imported_a.clever_id)
    assert "applied" in capsys.readouterr().out


def test_district_sync_now_returns_the_run_already_on_its_way(imported_a):
    first, queued = district_sync_now(district=imported_a)
    again, queued_again = district_sync_now(district=imported_a)
    assert queued and not queued_again and again.pk == first.pk


def test_a_running_import_shows_a_progress_bar_on_the_portal_and_in_the_admin(
    client, imported_a, django_user_model, rep
):
    from django.utils import timezone

    run = ImportRun.objects.filter(district=imported_a).first()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportStatus.RUNNING, phase="users", done=500, estimated_total=1000, started_at=timezone.now()
    )
    client.force_login(clever_district_admin(django_user_model, district_clever_id=imported_a.clever_id))
    portal = client.get(reverse("portal:home")).content.decode()
    assert 'id="import-progress" max="100" value="50"' in portal
    assert "500 records (schools, people, classes) read from Clever of about 1000" in portal
    assert "portal-progress.js" in portal  # it follows status.json without a reload
    client.force_login(rep)
    admin_page = client.get(reverse("admin:rosters_importrun_change", args=[run.pk])).content.decode()
    assert '<progress max="100" value="50">' in admin_page and "of about 1,000" in admin_page
