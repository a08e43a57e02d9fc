"""The rep's review console v1: approve and deny, each behind a confirmation page."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from onboarding.models import (
    AuditEvent,
    DistrictStatus,
    RequestStatus,
    SchoolDecisionStatus,
)
from onboarding.services import WHOLE_DISTRICT_REASON, ReviewError, connections_sync, sharing_request_approve
from onboarding.workflow import IllegalTransition, can_transition, district_transition
from rosters.models import ImportRun

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:onboarding_sharingrequest_changelist"


def test_approve_page_lists_shared_schools_with_plan_schools_checked(client, rep, demo_requests):
    request_a = demo_requests["a"]
    client.force_login(rep)
    page = client.post(reverse(CHANGELIST), {"action": "approve_requests", "_selected_action": [request_a.pk]})
    assert page.status_code == 200
    html = page.content.decode()
    for decision in request_a.school_decisions.all():
        assert decision.school_name in html
        assert f'value="{decision.clever_school_id}" checked' in html
    request_a.refresh_from_db()
    assert request_a.status == RequestStatus.PENDING  # nothing happens before the confirmation


def test_partial_approval_denies_the_rest_and_queues_the_import_after_commit(
    client, rep, demo_requests, django_capture_on_commit_callbacks
):
    from tests.helpers import admin_approve

    request_b = demo_requests["b"]
    decisions = list(request_b.school_decisions.all())
    chosen = [decisions[0].clever_school_id]
    client.force_login(rep)
    with django_capture_on_commit_callbacks() as callbacks:
        _page, confirmed = admin_approve(client, request_b, chosen, reason="Pilot school first")
    assert confirmed.status_code == 302
    assert len(callbacks) == 2  # the decision email and the import go out only once the approval commits

    request_b.refresh_from_db()
    assert request_b.status == RequestStatus.PARTLY_APPROVED
    assert request_b.decided_by == rep and request_b.decided_at is not None
    assert request_b.district.status == DistrictStatus.PARTLY_APPROVED
    denied = request_b.school_decisions.exclude(clever_school_id=chosen[0])
    assert {d.decision for d in denied} == {SchoolDecisionStatus.DENIED}
    assert {d.reason for d in denied} == {WHOLE_DISTRICT_REASON}  # it shared the whole district, no plan
    assert ImportRun.objects.filter(district=request_b.district).count() == 1
    event = AuditEvent.objects.get(district=request_b.district, action="onboarding.request.partly_approved")
    assert event.actor == rep and event.before == {"status": "in_review"}


def test_a_rolled_back_approval_queues_nothing(demo_requests, rep, django_capture_on_commit_callbacks):
    request_a = demo_requests["a"]
    ids = list(request_a.school_decisions.values_list("clever_school_id", flat=True))
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        sharing_request_approve(request=request_a, school_ids=ids, actor=rep)
        raise RuntimeError("the rep's transaction failed")
    assert callbacks == []
    assert not ImportRun.objects.exists()


def test_deny_needs_a_reason_and_tells_the_district(client, rep, demo_requests):
    request_b = demo_requests["b"]
    client.force_login(rep)
    url = reverse(CHANGELIST)
    base = {"action": "deny_requests", "_selected_action": [request_b.pk]}
    assert b"Reason (required)" in client.post(url, base).content
    empty = client.post(url, {**base, "confirm": "yes", "reason": "  "})
    assert empty.status_code == 200 and b"Write the reason" in empty.content
    request_b.refresh_from_db()
    assert request_b.status == RequestStatus.PENDING

    reason = "Shared all district data without prior confirmation: share by schools instead."
    done = client.post(url, {**base, "confirm": "yes", "reason": reason})
    assert done.status_code == 302
    request_b.refresh_from_db()
    assert request_b.status == RequestStatus.DENIED and request_b.reason == reason
    assert request_b.district.status == DistrictStatus.DENIED
    assert set(request_b.school_decisions.values_list("reason", flat=True)) == {reason}
    assert not ImportRun.objects.exists()


def test_a_request_in_sales_follow_up_cannot_be_approved(demo_requests, rep):
    request_c = demo_requests["c"]
    ids = list(request_c.school_decisions.values_list("clever_school_id", flat=True))
    with pytest.raises(ReviewError, match="not in review"):
        sharing_request_approve(request=request_c, school_ids=ids, actor=rep)


def test_a_decided_request_cannot_be_decided_again(demo_requests, rep):
    request_a = demo_requests["a"]
    ids = list(request_a.school_decisions.values_list("clever_school_id", flat=True))
    sharing_request_approve(request=request_a, school_ids=ids, actor=rep)
    with pytest.raises(ReviewError, match="already approved"):
        sharing_request_approve(request=request_a, school_ids=ids, actor=rep)


def test_approving_nothing_or_a_foreign_school_is_refused(demo_requests, rep):
    with pytest.raises(ReviewError, match="at least one school"):
        sharing_request_approve(request=demo_requests["a"], school_ids=[], actor=rep)
    with pytest.raises(ReviewError, match="not part of this request"):
        sharing_request_approve(request=demo_requests["a"], school_ids=["0" * 24], actor=rep)


def test_admin_shows_the_error_instead_of_failing(client, rep, demo_requests):
    request_c = demo_requests["c"]
    client.force_login(rep)
    response = client.post(
        reverse(CHANGELIST),
        {
            "action": "approve_requests",
            "_selected_action": [request_c.pk],
            "confirm": "yes",
            f"schools-{request_c.pk}": list(request_c.school_decisions.values_list("clever_school_id", flat=True)),
        },
        follow=True,
    )
    assert b"not in review" in response.content


def test_illegal_steps_raise_a_domain_error_that_names_the_states(demo_requests):
    district = demo_requests["a"].district
    assert not can_transition(DistrictStatus.IN_REVIEW, DistrictStatus.LIVE)
    with pytest.raises(IllegalTransition, match="in review; it cannot become live"):
        district_transition(district=district, to=DistrictStatus.LIVE, actor=None, action="test.illegal")
    assert can_transition(DistrictStatus.LIVE, DistrictStatus.DISCONNECTED)  # from any state


def test_mark_purchased_moves_sales_follow_up_into_review_with_an_audit_row(client, rep, demo_requests):
    request_c = demo_requests["c"]
    client.force_login(rep)
    url = reverse(CHANGELIST)
    page = client.post(url, {"action": "mark_purchased", "_selected_action": [request_c.pk]})
    assert page.status_code == 200 and b"Yes, mark purchased" in page.content
    request_c.district.refresh_from_db()
    assert request_c.district.status == DistrictStatus.SALES_FOLLOW_UP  # nothing before the confirmation

    done = client.post(url, {"action": "mark_purchased", "_selected_action": [request_c.pk], "confirm": "yes"})
    assert done.status_code == 302
    request_c.refresh_from_db()
    assert request_c.district.status == DistrictStatus.IN_REVIEW
    assert request_c.purchase_status == "already_purchased"
    event = AuditEvent.objects.get(district=request_c.district, action="onboarding.purchase.recorded")
    assert event.actor == rep and event.before == {"purchase_status": "havent_purchased"}
    ids = list(request_c.school_decisions.values_list("clever_school_id", flat=True))
    sharing_request_approve(request=request_c, school_ids=ids, actor=rep)  # now it can be decided


def test_mark_not_purchased_sends_an_unrecorded_request_to_sales(rep, sandbox, demo):
    from onboarding.models import District
    from onboarding.services import district_purchase_record

    connections_sync()  # no demo_setup: purchase status unknown, the district waits as "requested"
    district = District.objects.get(clever_id=demo["a"]["clever_id"])
    assert district.status == DistrictStatus.REQUESTED
    district_purchase_record(district=district, purchase_status="havent_purchased", actor=rep)
    district.refresh_from_db()
    assert district.status == DistrictStatus.SALES_FOLLOW_UP


def test_a_bulk_action_skips_and_reports_districts_where_the_step_is_not_allowed(client, rep, demo_requests):
    request_a = demo_requests["a"]
    ids = list(request_a.school_decisions.values_list("clever_school_id", flat=True))
    sharing_request_approve(request=request_a, school_ids=ids, actor=rep)
    client.force_login(rep)
    response = client.post(
        reverse(CHANGELIST),
        {"action": "mark_purchased", "_selected_action": [request_a.pk, demo_requests["c"].pk], "confirm": "yes"},
        follow=True,
    )
    text = response.content.decode()
    assert "Skipped" in text and "can no longer change" in text
    assert "Silver Creek Charter Schools is marked already purchased" in text


def test_a_superseded_request_cannot_be_approved(demo_requests, rep, sandbox, demo):
    request_b = demo_requests["b"]
    sandbox.revoke_token(demo["b"]["clever_id"])
    connections_sync()
    sandbox.connect(demo["b"]["clever_id"])
    connections_sync()
    ids = list(request_b.school_decisions.values_list("clever_school_id", flat=True))
    with pytest.raises(ReviewError, match="replaced by a newer request"):
        sharing_request_approve(request=request_b, school_ids=ids, actor=rep)
