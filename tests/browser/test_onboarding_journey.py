"""In a real browser: the rep approves Maple Grove and schedules its onboarding, then its district admin signs in
with Clever and watches the first import reach "Imported" (README, "Demo logins")."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from onboarding.management.commands.demo_setup import DEMO_PASSWORD, DEMO_REP_USERNAME
from onboarding.models import DistrictStatus, EmailKind, EmailLog, OnboardingSession
from tests.browser.helpers import sandbox_people, watch_import_progress

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_rep_approves_maple_grove_and_schedules_its_onboarding_in_the_admin(
    page, screenshot, demo, demo_requests, queued_tasks
):
    sharing_request = demo_requests["a"]
    district = sharing_request.district
    queued_tasks()  # the worker's part: the dry runs that discovering the connections queued

    page.goto("/admin/login/")
    page.get_by_label("Username").fill(DEMO_REP_USERNAME)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Districts, requests and imports")).to_be_visible()

    # 1. Sharing requests → Review with dry run on Maple Grove → Approve the checked schools.
    page.get_by_role("link", name="Sharing requests").first.click()
    page.get_by_role("row").filter(has_text=district.name).get_by_role("link", name="Review with dry run").click()
    expect(page.get_by_role("heading", name=f"Review: {district.name}")).to_be_visible()
    sharing_request.refresh_from_db()
    dry_run_schools = sharing_request.dry_run["schools"]
    for decision in sharing_request.school_decisions.all():
        row = page.get_by_role("row").filter(has_text=decision.school_name)
        expect(row).to_contain_text("In plan")
        expect(row.get_by_role("cell").nth(3)).to_have_text(str(dry_run_schools[decision.clever_school_id]["students"]))
        expect(row.get_by_role("checkbox")).to_be_checked()  # recommended: every school is in the rollout plan
    screenshot("1-rep-review-with-dry-run")
    page.get_by_role("button", name="Approve the checked schools").click()
    expect(page.locator(".messagelist")).to_contain_text(f"Approved 3 school(s) of {district.name}; import queued.")

    # 2. Districts → tick Maple Grove → Schedule onboarding session… (date, time, time zone, notes).
    page.locator("#nav-sidebar").get_by_role("link", name="Districts", exact=True).click()
    page.get_by_role("row").filter(has_text=district.name).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action:").select_option(label="Schedule onboarding session…")
    page.get_by_role("button", name="Go").click()
    day = timezone.localdate() + dt.timedelta(days=14)
    page.get_by_label("Date:", exact=True).fill(day.isoformat())
    page.get_by_label("Time:", exact=True).fill("10:30")
    page.get_by_label("Time zone:", exact=True).select_option("America/Chicago")
    page.get_by_label("Notes:", exact=True).fill("Bring the list of school admins.")
    screenshot("1-rep-schedule-onboarding-session")
    page.get_by_role("button", name="Yes, schedule onboarding session").click()
    expect(page.locator(".messagelist")).to_contain_text(
        f"Scheduled {district.name}'s onboarding session; {district.contact_email} gets the invite."
    )

    page.get_by_role("link", name=district.name, exact=True).click()
    expect(page.get_by_text("Bring the list of school admins.")).to_be_visible()
    screenshot("1-rep-district-after-scheduling")

    district.refresh_from_db()
    assert district.status == DistrictStatus.ONBOARDING_SCHEDULED
    session = OnboardingSession.objects.get(district=district)
    assert session.starts_at == dt.datetime.combine(day, dt.time(10, 30), tzinfo=ZoneInfo("America/Chicago"))
    assert session.time_zone == "America/Chicago"
    invite = EmailLog.objects.get(district=district, kind=EmailKind.ONBOARDING_SCHEDULED)
    assert invite.to == district.contact_email
    assert "BEGIN:VCALENDAR" in invite.ics


def test_district_admin_signs_in_with_clever_and_watches_the_import_reach_imported(
    page, screenshot, settings, sandbox, demo_requests, approve_demo, queued_tasks, background_worker
):
    queued_tasks()  # the dry runs first, as a worker would: they give the import an estimate to count against
    district = approve_demo("a")  # as the rep did in the admin: the first import waits in the queue
    admin = sandbox_people(sandbox, district.clever_id, "district_admin")[0]

    page.goto("/portal/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    screenshot("2-portal-sign-in")
    page.get_by_role("button", name="Log in with Clever").click()
    expect(page).to_have_title("Clever sandbox — sign in as…")
    screenshot("2-clever-sign-in-as", full_page=False)  # the sandbox lists every user of its districts
    # The sandbox's user chooser: pick this district admin of Maple Grove from the "District admins" list.
    district_admins = page.locator("h3:has-text('District admins') + ul")
    district_admins.locator(f"a[href*='sandbox_user={admin['id']}']").click()

    expect(page.get_by_role("heading", level=1, name=district.name)).to_be_visible()
    import_line = page.locator("#import-line")
    expect(import_line).to_contain_text("The import starts in a moment")
    expect(page.locator("#import-progress")).to_be_visible()
    screenshot("2-portal-import-queued")

    # Small pages from a slow Clever, so the import takes several seconds and the bar visibly moves.
    settings.CLEVER_PAGE_LIMIT = 10
    sandbox.inject_fault(path_prefix="/v3.0/users", status=None, delay_seconds=0.5, count=1000)
    running_screenshots = []

    def screenshot_once_running(view):
        if view.import_status == "Running" and view.percent and not running_screenshots:
            running_screenshots.append(screenshot("2-portal-import-running"))

    worker = background_worker()
    seen = watch_import_progress(
        page, until_district_status=DistrictStatus.IMPORTED.label, on_change=screenshot_once_running
    )
    worker.result(timeout=30)

    # The bar moved while the page was open: from empty, through a part, to done (the page reloads, bar gone).
    assert seen[0].import_status == "Queued" and not seen[0].percent, seen
    running = [view.percent for view in seen if view.import_status == "Running" and view.percent]
    assert running and all(0 < percent < 100 for percent in running) and running == sorted(running), seen
    assert any(view.text.startswith("Now importing") for view in seen), seen

    expect(page.locator("main p").filter(has_text="Status:").locator(".badge")).to_have_text("Imported")
    expect(import_line.locator(".badge")).to_have_text("Succeeded")
    expect(import_line).to_contain_text("Finished")
    expect(page.locator("#import-progress")).to_have_count(0)
    expect(page.locator("dl.counts")).to_contain_text("Students")
    screenshot("2-portal-imported")
