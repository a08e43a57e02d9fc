"""Connection discovery: new tokens open requests, vanished tokens disconnect and keep data."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from onboarding.models import AuditEvent, District, DistrictStatus, PurchaseStatus, SharingRequest
from onboarding.services import connections_sync
from rosters.models import School

pytestmark = pytest.mark.django_db


def test_each_new_token_becomes_a_district_with_a_request_waiting(sandbox, demo):
    result = connections_sync()
    assert sorted(result.new) == sorted(spec["clever_id"] for spec in demo.values())
    for spec in demo.values():
        district = District.objects.get(clever_id=spec["clever_id"])
        assert district.name == spec["name"]
        assert district.connected_at is not None
        assert district.contact_email  # the district contact Clever gives
        request = SharingRequest.objects.get(district=district)
        shared = {s["id"] for s in sandbox.dataset.visible(spec["clever_id"], "schools")}
        assert set(request.school_decisions.values_list("clever_school_id", flat=True)) == shared
    # With no purchase status recorded yet, requests wait for the rep to record it.
    assert set(District.objects.values_list("status", flat=True)) == {DistrictStatus.REQUESTED}


def test_a_second_poll_changes_nothing(sandbox):
    connections_sync()
    again = connections_sync()
    assert again.new == [] and len(again.unchanged) == 3
    assert SharingRequest.objects.count() == 3


def test_purchase_status_routes_to_review_or_sales(sandbox, demo):
    call_command("demo_setup")
    connections_sync()
    assert District.objects.get(clever_id=demo["a"]["clever_id"]).status == DistrictStatus.IN_REVIEW
    assert District.objects.get(clever_id=demo["b"]["clever_id"]).status == DistrictStatus.IN_REVIEW
    c = District.objects.get(clever_id=demo["c"]["clever_id"])
    assert c.purchase_status == PurchaseStatus.HAVENT_PURCHASED
    assert c.status == DistrictStatus.SALES_FOLLOW_UP


def test_rollout_plan_made_before_the_connection_matches_by_nces_id_or_name(sandbox, demo):
    call_command("demo_setup")
    connections_sync()
    request = SharingRequest.objects.get(district__clever_id=demo["a"]["clever_id"])
    planned = {s["name"] for s in demo["a"]["rollout_plan"]}
    assert set(request.school_decisions.filter(in_rollout_plan=True).values_list("school_name", flat=True)) == planned
    request_b = SharingRequest.objects.get(district__clever_id=demo["b"]["clever_id"])
    assert not request_b.school_decisions.filter(in_rollout_plan=True).exists()


def test_a_vanished_token_marks_the_district_disconnected_and_keeps_its_data(sandbox, demo):
    connections_sync()
    district = District.objects.get(clever_id=demo["a"]["clever_id"])
    School.objects.create(district=district, clever_id="f" * 24, name="Kept School")
    sandbox.revoke_token(district.clever_id)

    result = connections_sync()
    assert result.disconnected == [district.clever_id]
    district.refresh_from_db()
    assert district.status == DistrictStatus.DISCONNECTED
    assert district.disconnected_at is not None
    assert School.objects.filter(district=district).count() == 1
    assert AuditEvent.objects.filter(district=district, action="onboarding.connection.removed").exists()


def test_a_district_that_reconnects_gets_a_new_request(sandbox, demo):
    connections_sync()
    district_id = demo["b"]["clever_id"]
    sandbox.revoke_token(district_id)
    connections_sync()
    sandbox.connect(district_id)
    result = connections_sync()
    assert result.reconnected == [district_id]
    assert SharingRequest.objects.filter(district__clever_id=district_id).count() == 2
    assert District.objects.get(clever_id=district_id).status == DistrictStatus.REQUESTED


def test_one_failing_district_does_not_stop_the_others(sandbox, demo):
    sandbox.inject_fault(path_prefix=f"/v3.0/districts/{demo['a']['clever_id']}", status=404, count=1)
    result = connections_sync()
    assert list(result.failed) == [demo["a"]["clever_id"]]
    assert len(result.new) == 2
    assert connections_sync().new == [demo["a"]["clever_id"]]  # picked up on the next poll


def test_the_command_and_the_schedule_run_the_same_service(sandbox, capsys):
    from django_q.models import Schedule

    call_command("sync_clever_connections")
    assert "3 new" in capsys.readouterr().out
    schedule = Schedule.objects.get(name="clever-connections-sync")
    assert schedule.func == "onboarding.tasks.connections_sync_task"
    from onboarding.tasks import connections_sync_task

    assert "3 unchanged" in connections_sync_task()


def test_one_empty_token_list_does_not_disconnect_every_district(sandbox, demo):
    connections_sync()
    sandbox.inject_fault(path_prefix="/oauth/tokens", status=200, count=1, body={"data": [], "links": []})
    result = connections_sync()
    assert result.disconnected == []
    assert not District.objects.filter(status=DistrictStatus.DISCONNECTED).exists()
    assert SharingRequest.objects.count() == 3


def test_a_new_connection_supersedes_the_request_still_waiting(sandbox, demo):
    from onboarding.models import RequestStatus

    call_command("demo_setup")
    connections_sync()
    district_id = demo["b"]["clever_id"]
    old = SharingRequest.objects.get(district__clever_id=district_id)
    sandbox.revoke_token(district_id)
    connections_sync()
    sandbox.connect(district_id)
    connections_sync()
    old.refresh_from_db()
    assert old.status == RequestStatus.SUPERSEDED
    assert SharingRequest.objects.filter(district__clever_id=district_id, status=RequestStatus.PENDING).count() == 1
