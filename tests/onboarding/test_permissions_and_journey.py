"""Who may do what in the console, every transition of the journey, and the demo districts' three paths."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from onboarding.models import AuditEvent, District, DistrictStatus, RequestStatus
from onboarding.policy import WHOLE_DISTRICT_REASON
from onboarding.services import district_go_live, welcome_emails_send
from onboarding.workflow import ALLOWED_TRANSITIONS, FROM_ANY_STATE, IllegalTransition, district_transition
from rosters.models import EducatorSchool

pytestmark = pytest.mark.django_db

REQUESTS = "admin:onboarding_sharingrequest_changelist"
DISTRICTS = "admin:onboarding_district_changelist"


@pytest.mark.parametrize(("current", "target"), list(itertools.product(DistrictStatus.values, DistrictStatus.values)))
def test_each_transition_is_allowed_or_refused_exactly_as_the_map_says(current, target):
    district = District.objects.create(clever_id="c" * 24, name="Map District", status=current)
    allowed = target in FROM_ANY_STATE or target in ALLOWED_TRANSITIONS.get(current, set())
    if allowed:
        district_transition(district=district, to=target, actor=None, action="test.step", reason="because")
        district.refresh_from_db()
        assert district.status == target
        event = AuditEvent.objects.get(district=district)
        assert (event.before, event.after["status"], event.reason, event.actor) == (
            {"status": current},
            target,
            "because",
            None,
        )
    else:
        with pytest.raises(IllegalTransition):
            district_transition(district=district, to=target, actor=None, action="test.step")
        district.refresh_from_db()
        assert district.status == current and not AuditEvent.objects.exists()


def action_names(page) -> set[str]:
    form = page.context["action_form"]
    return set(dict(form.fields["action"].choices)) if form else set()


def test_a_rep_in_the_reps_group_works_without_being_superuser(client, group_rep, demo_requests):
    assert not group_rep.is_superuser
    client.force_login(group_rep)
    page = client.get(reverse(REQUESTS))
    assert page.status_code == 200
    actions = dict(page.context["action_form"].fields["action"].choices)
    assert {"approve_requests", "deny_requests", "mark_purchased"} <= set(actions)
    district_actions = dict(client.get(reverse(DISTRICTS)).context["action_form"].fields["action"].choices)
    assert {"schedule_onboarding", "sync_now", "go_live"} <= set(district_actions)

    request_c = demo_requests["c"]
    client.post(reverse(REQUESTS), {"action": "mark_purchased", "_selected_action": [request_c.pk], "confirm": "yes"})
    request_c.district.refresh_from_db()
    assert request_c.district.status == DistrictStatus.IN_REVIEW


def test_support_can_look_but_not_act(client, support_user, demo_requests):
    client.force_login(support_user)
    page = client.get(reverse(REQUESTS))
    assert page.status_code == 200
    assert not action_names(page) & {"approve_requests", "deny_requests", "mark_purchased", "mark_not_purchased"}
    assert not action_names(client.get(reverse(DISTRICTS))) & {"schedule_onboarding", "sync_now", "go_live"}
    request_a = demo_requests["a"]
    ids = list(request_a.school_decisions.values_list("clever_school_id", flat=True))
    # Posting an action they do not have does nothing.
    client.post(
        reverse(REQUESTS),
        {
            "action": "approve_requests",
            "_selected_action": [request_a.pk],
            "confirm": "yes",
            f"schools-{request_a.pk}": ids,
        },
    )
    review_url = reverse("admin:onboarding_sharingrequest_review", args=[request_a.pk])
    assert client.get(review_url).status_code == 200  # they may read the review and its dry run
    assert client.post(review_url, {"decision": "approve", "schools": ids}).status_code == 403
    request_a.refresh_from_db()
    assert request_a.status == RequestStatus.PENDING
    assert client.get(reverse("admin:onboarding_district_change", args=[request_a.district_id])).status_code == 200
    assert (
        client.post(
            reverse("admin:onboarding_district_change", args=[request_a.district_id]), {"name": "x"}
        ).status_code
        == 403
    )


def test_the_demo_districts_each_take_their_path(client, group_rep, demo_requests, deliver, demo):
    """(a) approved and scheduled, (b) denied with the district-wide reason, (c) sales follow-up until purchased."""
    client.force_login(group_rep)
    a, b, c = demo_requests["a"], demo_requests["b"], demo_requests["c"]

    review_a = reverse("admin:onboarding_sharingrequest_review", args=[a.pk])
    recommended = [r["decision"].clever_school_id for r in client.get(review_a).context["rows"] if r["recommended"]]
    with deliver():
        client.post(review_a, {"decision": "approve", "schools": recommended})
    district_a = District.objects.get(pk=a.district_id)
    assert district_a.status == DistrictStatus.NEEDS_ATTENTION or district_a.status == DistrictStatus.IMPORTED
    with deliver() as outbox:
        client.post(
            reverse(DISTRICTS),
            {
                "action": "schedule_onboarding",
                "_selected_action": [district_a.pk],
                "confirm": "yes",
                "date": "2027-03-02",
                "time": "10:00",
                "time_zone": "America/Los_Angeles",
                "duration_minutes": 60,
                "notes": "Kickoff",
            },
        )
    assert any(m.attachments and m.to == [district_a.contact_email] for m in outbox)
    assert district_a.onboarding_session.time_zone == "America/Los_Angeles"

    review_b = reverse("admin:onboarding_sharingrequest_review", args=[b.pk])
    assert client.get(review_b).context["recommendation"].deny_reason == WHOLE_DISTRICT_REASON
    client.post(review_b, {"decision": "deny", "reason": WHOLE_DISTRICT_REASON})
    b.refresh_from_db()
    assert b.status == RequestStatus.DENIED and "without prior confirmation" in b.reason

    district_c = District.objects.get(pk=c.district_id)
    assert district_c.status == DistrictStatus.SALES_FOLLOW_UP
    client.post(reverse(REQUESTS), {"action": "mark_purchased", "_selected_action": [c.pk], "confirm": "yes"})
    district_c.refresh_from_db()
    assert district_c.status == DistrictStatus.IN_REVIEW


def test_going_live_sends_one_welcome_per_person_per_school_never_twice(demo_requests, group_rep, deliver):
    from onboarding.services import sharing_request_approve
    from rosters.services import import_run_create, import_run_execute

    request_a = demo_requests["a"]
    district = District.objects.get(pk=request_a.district_id)
    # Approve the two schools with sections so nothing is missing, then import.
    with_sections = [d.clever_school_id for d in request_a.school_decisions.all() if "Elementary" not in d.school_name]
    sharing_request_approve(request=request_a, school_ids=with_sections, actor=group_rep)
    import_run_execute(run_id=import_run_create(district=district).pk)
    district.refresh_from_db()
    assert district.status == DistrictStatus.IMPORTED

    with deliver() as outbox:
        district_go_live(district=district, actor=group_rep)
    district.refresh_from_db()
    assert district.status == DistrictStatus.LIVE
    welcomes = [m for m in outbox if "is live" in m.subject]
    pairs = {
        (link.school.name, link.educator.email)
        for link in EducatorSchool.objects.filter(school__district=district).select_related("school", "educator")
        if link.educator.email
    }
    school_welcomes = {
        (m.subject.removeprefix("ClassHub is live at "), m.to[0]) for m in welcomes if "every" not in m.subject
    }
    assert school_welcomes == pairs
    assert len(school_welcomes) == len([m for m in welcomes if "every" not in m.subject])  # one each
    assert any("every" in m.subject for m in welcomes)  # district admins get one for the district
    assert all("Clever Portal" in m.body for m in welcomes)

    with deliver() as again:
        assert welcome_emails_send(district=district) == 0
    assert len(again) == len(outbox)
