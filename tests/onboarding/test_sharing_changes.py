"""A district changes what it shares in Clever: a review of just the change; unshared schools archived."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from onboarding.models import AuditEvent, District, DistrictStatus, RequestStatus, SharedSchool, SharingRequest
from onboarding.services import connections_sync, sharing_request_approve, sharing_request_deny
from onboarding.services.review import WHOLE_DISTRICT_REASON
from rosters.models import School
from rosters.selectors import approved_school_ids
from rosters.services import import_run_create, import_run_execute

pytestmark = pytest.mark.django_db


def all_school_ids(sandbox, district_id):
    return sorted(s_id for s_id, s in sandbox.dataset.schools.items() if s.get("district") == district_id)


def test_sharing_one_more_school_opens_a_review_of_just_that_school(imported_a, sandbox, rep):
    shared = set(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    extra = next(s for s in all_school_ids(sandbox, imported_a.clever_id) if s not in shared)
    sandbox.share(imported_a.clever_id, sorted(shared | {extra}))

    result = connections_sync()
    assert result.sharing_changed == [imported_a.clever_id]
    imported_a.refresh_from_db()
    assert imported_a.status == DistrictStatus.IMPORTED  # the district carries on; only the new school waits
    change = SharingRequest.objects.get(district=imported_a, status=RequestStatus.PENDING)
    assert change.is_change
    assert list(change.school_decisions.values_list("clever_school_id", flat=True)) == [extra]
    assert connections_sync().sharing_changed == []  # noticed once

    from onboarding.selectors import district_overview

    shown = {d.clever_school_id: d.decision for d in district_overview(district=imported_a)["decisions"]}
    assert shown == {**{school: "approved" for school in shared}, extra: "pending"}  # earlier decisions stay shown

    sharing_request_approve(request=change, school_ids=[extra], actor=rep)
    assert approved_school_ids(district=imported_a) == shared | {extra}  # earlier approvals still stand
    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)
    assert run.counts["schools"] == 4


def test_a_school_no_longer_shared_is_archived_not_deleted_and_comes_back_if_shared_again(imported_a, sandbox):
    shared = sorted(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    dropped = shared[0]
    sandbox.share(imported_a.clever_id, shared[1:])
    connections_sync()

    school = School.objects.get(clever_id=dropped)
    assert school.archived_at is not None
    assert SharedSchool.objects.get(clever_school_id=dropped).unshared_at is not None
    assert dropped not in approved_school_ids(district=imported_a)
    event = AuditEvent.objects.get(district=imported_a, action="onboarding.sharing.schools_unshared")
    assert event.after == {"archived_schools": 1}
    imported_a.refresh_from_db()
    assert imported_a.status == DistrictStatus.IMPORTED  # nothing to review when a district shares less

    sandbox.share(imported_a.clever_id, shared)  # shared again: reviewed again, like any added school
    connections_sync()
    change = SharingRequest.objects.get(district=imported_a, status=RequestStatus.PENDING)
    assert list(change.school_decisions.values_list("clever_school_id", flat=True)) == [dropped]


def test_a_denied_district_that_changes_its_sharing_gets_a_fresh_review(sandbox, demo, rep):
    call_command("demo_setup")
    connections_sync()
    request_b = SharingRequest.objects.get(district__clever_id=demo["b"]["clever_id"])
    sharing_request_deny(request=request_b, actor=rep, reason=WHOLE_DISTRICT_REASON)
    schools = all_school_ids(sandbox, demo["b"]["clever_id"])
    sandbox.share(demo["b"]["clever_id"], schools[:1])  # as the denial asked: share by schools

    connections_sync()
    district = District.objects.get(clever_id=demo["b"]["clever_id"])
    assert district.status == DistrictStatus.IN_REVIEW
    assert district.sharing_type == "unknown"  # no longer the whole district, as recorded before
    fresh = SharingRequest.objects.get(district=district, status=RequestStatus.PENDING)
    assert list(fresh.school_decisions.values_list("clever_school_id", flat=True)) == schools[:1]


def test_the_sandbox_changes_sharing_while_running_through_its_control_endpoint(sandbox, demo):
    import requests

    district_id = demo["a"]["clever_id"]
    school = all_school_ids(sandbox, district_id)[0]
    response = requests.post(
        f"{sandbox.url}/sandbox/districts/{district_id}/sharing", json={"school_ids": [school]}, timeout=5
    )
    assert response.status_code == 200
    assert [s["id"] for s in sandbox.dataset.visible(district_id, "schools")] == [school]


def test_denying_a_change_denies_only_the_added_schools_and_a_live_district_stays_live(imported_a, sandbox, rep):
    from onboarding.services import district_go_live

    district_go_live(district=imported_a, actor=rep)
    shared = set(SharedSchool.objects.filter(district=imported_a).values_list("clever_school_id", flat=True))
    extra = next(s for s in all_school_ids(sandbox, imported_a.clever_id) if s not in shared)
    sandbox.share(imported_a.clever_id, sorted(shared | {extra}))
    connections_sync()
    imported_a.refresh_from_db()
    assert imported_a.status == DistrictStatus.LIVE
    change = SharingRequest.objects.get(district=imported_a, status=RequestStatus.PENDING)
    sharing_request_deny(request=change, actor=rep, reason="Not part of this year's rollout.")
    imported_a.refresh_from_db()
    assert imported_a.status == DistrictStatus.LIVE
    assert approved_school_ids(district=imported_a) == shared
    assert AuditEvent.objects.filter(district=imported_a, action="onboarding.request.denied").exists()

    run = import_run_execute(run_id=import_run_create(district=imported_a).pk)  # a live district's re-import
    assert run.status == "succeeded"
    imported_a.refresh_from_db()
    assert imported_a.status == DistrictStatus.LIVE  # stays live while its roster is refreshed


def test_the_sandbox_overview_lists_every_school_so_one_can_be_picked_to_share(sandbox, demo):
    import requests

    overview = requests.get(f"{sandbox.url}/sandbox/?format=json", timeout=5).json()
    a = next(d for d in overview["districts"] if d["id"] == demo["a"]["clever_id"])
    assert len(a["all_schools"]) == 4 and sum(s["shared"] for s in a["all_schools"]) == 3
