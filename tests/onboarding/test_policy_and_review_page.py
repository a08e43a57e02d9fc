"""The review policy as recommendations, and the review page with its dry run (which writes nothing)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from classhub.clever.sandbox.dataset import has_role
from onboarding.models import District, DistrictStatus, RequestStatus, SchoolDecision, SharingRequest, SharingType
from onboarding.policy import NOT_IN_PLAN_REASON, WHOLE_DISTRICT_REASON, recommend
from onboarding.services import connections_sync
from rosters.models import Educator, ImportRun, School, Section, Student

pytestmark = pytest.mark.django_db


def request_with(*, sharing_type: str, in_plan: list[bool]) -> SharingRequest:
    district = District.objects.create(clever_id=f"{len(in_plan):024x}", name="Policy District", status="in_review")
    request = SharingRequest.objects.create(district=district, sharing_type=sharing_type)
    for n, planned in enumerate(in_plan):
        SchoolDecision.objects.create(
            request=request, clever_school_id=f"{n:024x}", school_name=f"School {n}", in_rollout_plan=planned
        )
    return request


def test_whole_district_sharing_with_no_plan_confirming_it_is_denied_with_the_reason():
    rec = recommend(request=request_with(sharing_type=SharingType.WHOLE_DISTRICT, in_plan=[False, False]))
    assert rec.outcome == "deny" and not rec.approve
    assert rec.deny_reason == WHOLE_DISTRICT_REASON
    assert "shared all district data without prior confirmation" in WHOLE_DISTRICT_REASON
    assert "Share by schools" in WHOLE_DISTRICT_REASON  # what to do instead


def test_whole_district_sharing_that_the_plan_confirms_is_judged_school_by_school():
    rec = recommend(request=request_with(sharing_type=SharingType.WHOLE_DISTRICT, in_plan=[True, False]))
    assert rec.outcome == "partly_approve" and rec.approve == {f"{0:024x}"}


def test_schools_outside_the_plan_are_denied_one_by_one_and_plan_schools_approved():
    rec = recommend(request=request_with(sharing_type=SharingType.BY_SCHOOLS, in_plan=[True, True, False]))
    assert rec.outcome == "partly_approve"
    assert rec.approve == {f"{0:024x}", f"{1:024x}"}
    assert rec.reasons[f"{2:024x}"] == NOT_IN_PLAN_REASON


def test_all_plan_schools_are_approved_and_no_plan_school_means_deny():
    assert (
        recommend(request=request_with(sharing_type=SharingType.BY_SCHOOLS, in_plan=[True, True])).outcome == "approve"
    )
    none = recommend(request=request_with(sharing_type=SharingType.UNKNOWN, in_plan=[False]))
    assert none.outcome == "deny" and none.deny_reason == NOT_IN_PLAN_REASON


@pytest.fixture
def waiting(sandbox, demo, deliver):
    call_command("demo_setup")
    with deliver():  # the worker computes each new request's dry run
        connections_sync()
    return {k: SharingRequest.objects.get(district__clever_id=v["clever_id"]) for k, v in demo.items()}


def test_the_review_page_shows_the_dry_run_per_school_and_writes_nothing(client, group_rep, waiting, sandbox, demo):
    request_a = waiting["a"]
    client.force_login(group_rep)
    page = client.get(reverse("admin:onboarding_sharingrequest_review", args=[request_a.pk]))
    assert page.status_code == 200
    rows = page.context["rows"]
    users = sandbox.dataset.visible(demo["a"]["clever_id"], "users")
    sections = sandbox.dataset.visible(demo["a"]["clever_id"], "sections")
    for row in rows:
        school_id = row["decision"].clever_school_id
        expected_students = sum(
            1
            for u in users
            if has_role(u, "student")
            and school_id in set(u["roles"]["student"].get("schools") or []) | {u["roles"]["student"].get("school")}
        )
        assert row["dry_run"]["students"] == expected_students
        assert row["dry_run"]["sections"] == sum(1 for s in sections if s["school"] == school_id)
        assert row["recommended"]  # every shared school of (a) is in its plan
    no_sections = [row for row in rows if row["dry_run"]["sections"] == 0]
    assert no_sections and any("No sections" in p for p in no_sections[0]["dry_run"]["problems"])
    assert any("without an email" in p for row in rows for p in row["dry_run"]["problems"])
    assert b"Approve every school." in page.content
    # The dry run only read Clever.
    assert not School.objects.exists() and not Student.objects.exists()
    assert not Educator.objects.exists() and not Section.objects.exists() and not ImportRun.objects.exists()


def test_the_review_page_recommends_denying_whole_district_sharing_and_the_rep_can_do_it(client, group_rep, waiting):
    request_b = waiting["b"]
    client.force_login(group_rep)
    url = reverse("admin:onboarding_sharingrequest_review", args=[request_b.pk])
    page = client.get(url)
    assert page.context["recommendation"].outcome == "deny"
    assert WHOLE_DISTRICT_REASON.encode() in page.content  # pre-filled as the reason
    done = client.post(url, {"decision": "deny", "reason": WHOLE_DISTRICT_REASON})
    assert done.status_code == 302
    request_b.refresh_from_db()
    assert request_b.status == RequestStatus.DENIED and request_b.district.status == DistrictStatus.DENIED
    assert set(request_b.school_decisions.values_list("reason", flat=True)) == {WHOLE_DISTRICT_REASON}


def test_the_review_page_approves_a_subset(client, group_rep, waiting):
    request_a = waiting["a"]
    ids = sorted(request_a.school_decisions.values_list("clever_school_id", flat=True))
    client.force_login(group_rep)
    url = reverse("admin:onboarding_sharingrequest_review", args=[request_a.pk])
    assert client.post(url, {"decision": "approve", "schools": ids[:1], "reason": ""}).status_code == 302
    request_a.refresh_from_db()
    assert request_a.status == RequestStatus.PARTLY_APPROVED
    assert (
        list(request_a.school_decisions.filter(decision="approved").values_list("clever_school_id", flat=True))
        == ids[:1]
    )


def test_the_review_page_still_works_when_clever_is_down(client, group_rep, waiting, sandbox, settings, deliver):
    settings.CLEVER_MAX_RETRIES = 0
    sandbox.inject_fault(path_prefix="/v3.0/users", status=503, count=5)
    client.force_login(group_rep)
    url = reverse("admin:onboarding_sharingrequest_review", args=[waiting["a"].pk])
    with deliver():
        assert client.post(url, {"decision": "refresh"}).status_code == 302
    page = client.get(url)
    assert page.status_code == 200 and b"You can still decide" in page.content
    assert page.context["rows"][0]["dry_run"] is not None  # the last good dry run is kept


def test_a_new_request_shows_its_dry_run_is_on_the_way(client, group_rep, sandbox, demo):
    call_command("demo_setup")
    connections_sync()  # no worker has run yet
    request_a = SharingRequest.objects.get(district__clever_id=demo["a"]["clever_id"])
    client.force_login(group_rep)
    page = client.get(reverse("admin:onboarding_sharingrequest_review", args=[request_a.pk]))
    assert b"being computed in the background" in page.content
    assert b"Approve the checked schools" in page.content  # the rep need not wait for it to decide
