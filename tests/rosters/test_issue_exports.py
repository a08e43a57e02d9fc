"""Import issues as CSV: reps in the admin, a district admin for their own district only."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from onboarding.models import District
from rosters.models import ImportIssue, ImportRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def runs():
    mine = District.objects.create(clever_id="a" * 24, name="Mine")
    theirs = District.objects.create(clever_id="b" * 24, name="Theirs")
    run = ImportRun.objects.create(district=mine, status="succeeded", counts={"issues": 2})
    ImportIssue.objects.create(
        run=run, kind="users", clever_id="1" * 24, field="roles", message="No roles.", suggested_fix="Ask the district."
    )
    ImportIssue.objects.create(
        run=run, kind="sections", clever_id="2" * 24, field="school", message="=HYPERLINK(x)", suggested_fix=""
    )
    other = ImportRun.objects.create(district=theirs, status="succeeded")
    return run, other


def clever_district_admin(django_user_model, *, district_clever_id: str):
    """A user as a Clever sign-in leaves them: a Clever account whose record says district admin."""
    from allauth.socialaccount.models import SocialAccount

    user = django_user_model.objects.create_user(username="clever-admin")
    SocialAccount.objects.create(
        user=user,
        provider="clever",
        uid="9" * 24,
        extra_data={"data": {"id": "9" * 24, "district": district_clever_id, "roles": {"district_admin": {}}}},
    )
    return user


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_a_rep_downloads_a_runs_issues_from_the_admin(client, group_rep, runs):
    run, _ = runs
    client.force_login(group_rep)
    page = client.get(reverse("admin:rosters_importrun_change", args=[run.pk]))
    assert b"Download the issues (CSV)" in page.content
    response = client.get(reverse("admin:rosters_importrun_issues_csv", args=[run.pk]))
    assert response["Content-Type"].startswith("text/csv")
    rows = rows_of(response)
    assert rows[0] == ["kind", "clever_id", "field", "message", "suggested_fix"]
    assert rows[1] == ["users", "1" * 24, "roles", "No roles.", "Ask the district."]
    assert rows[2][3] == "'=HYPERLINK(x)"  # never a live formula in a spreadsheet


def test_a_district_admin_gets_only_their_own_districts_issues(client, django_user_model, runs):
    run, other = runs
    user = clever_district_admin(django_user_model, district_clever_id="a" * 24)
    client.force_login(user)
    assert reverse("portal:import-issues-csv", args=[run.pk]).encode() in client.get(reverse("portal:home")).content
    assert len(rows_of(client.get(reverse("portal:import-issues-csv", args=[run.pk])))) == 3
    assert client.get(reverse("portal:import-issues-csv", args=[other.pk])).status_code == 404
    client.logout()
    assert client.get(reverse("portal:import-issues-csv", args=[run.pk])).status_code == 302  # sign in first


def test_the_portal_status_endpoint_reports_the_own_districts_import_progress(client, django_user_model, runs):
    run, _ = runs
    ImportRun.objects.filter(pk=run.pk).update(
        status="running",
        phase="users",
        done=1200,
        estimated_total=4800,
        started_at=timezone.now() - dt.timedelta(seconds=60),
    )
    user = clever_district_admin(django_user_model, district_clever_id="a" * 24)
    assert client.get(reverse("portal:import-status")).status_code == 302  # sign in first
    client.force_login(user)
    body = client.get(reverse("portal:import-status")).json()
    assert 180 <= body["import"].pop("seconds_left") < 200  # a quarter read in a minute: about three to go
    assert body["import"] == {
        "id": run.pk,
        "status": "running",
        "status_label": "Running",
        "phase": "users",
        "phase_label": "Students, teachers and admins",
        "done": 1200,
        "estimated_total": 4800,
        "percent": 25,
        "finished": False,
    }
    page = client.get(reverse("portal:home"))
    assert b"portal-progress.js" in page.content  # the page polls while the import runs
