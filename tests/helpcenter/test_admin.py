"""Reps read the "Did this help?" answers in the admin: a read-only list, filtered and searched."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpcenter.models import HelpFeedback
from onboarding.models import DistrictStatus
from tests.helpcenter.builders import district_at

pytestmark = pytest.mark.django_db

LIST = reverse("admin:helpcenter_helpfeedback_changelist")


@pytest.fixture
def answers():
    district = district_at(DistrictStatus.IN_REVIEW, name="Lakeside USD")
    return [
        HelpFeedback.objects.create(
            page="connect-clever",
            step="share-by-schools",
            helpful=False,
            comment="Why not the whole district? Still confusing.",
            district=district,
        ),
        HelpFeedback.objects.create(page="connect-clever", step="", helpful=True, comment="Very clear."),
        HelpFeedback.objects.create(page="connect-clever", step="purchase", helpful=True, comment=""),
    ]


@pytest.mark.parametrize("who", ["group_rep", "rep", "support_user"])
def test_reps_and_support_see_the_answers(client, request, answers, who):
    client.force_login(request.getfixturevalue(who))
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    for text in [
        "Why not the whole district? Still confusing.",
        "Very clear.",
        "Lakeside USD",
        "Share by schools, not the whole district",
        "The whole page",
        "Connecting Clever to ClassHub",
    ]:
        assert text in html.replace("&#x27;", "'"), text


def test_the_list_filters_by_page_step_and_answer_and_searches_comments(client, group_rep, answers):
    client.force_login(group_rep)

    def shown(query: str) -> set[str]:
        page = client.get(f"{LIST}?{query}")
        assert page.status_code == 200
        return {a.comment for a in page.context["cl"].result_list}

    assert shown("helpful__exact=0") == {"Why not the whole district? Still confusing."}
    assert shown("helpful__exact=1") == {"Very clear.", ""}
    assert shown("page=connect-clever") == {a.comment for a in answers}
    assert shown("step=purchase") == {""}
    assert shown("q=confusing") == {"Why not the whole district? Still confusing."}


def test_the_answers_are_read_only_even_for_a_superuser(client, rep, group_rep, answers):
    feedback = answers[0]
    for user in (rep, group_rep):
        client.force_login(user)
        assert b"Add help page answer" not in client.get(LIST).content
        assert client.get(reverse("admin:helpcenter_helpfeedback_add")).status_code == 403
        detail = client.get(reverse("admin:helpcenter_helpfeedback_change", args=[feedback.pk]))
        assert detail.status_code == 200 and b'name="_save"' not in detail.content
        changed = client.post(
            reverse("admin:helpcenter_helpfeedback_change", args=[feedback.pk]),
            {"page": "connect-clever", "helpful": "on", "comment": "rewritten"},
        )
        assert changed.status_code == 403
        assert (
            client.post(
                reverse("admin:helpcenter_helpfeedback_delete", args=[feedback.pk]), {"post": "yes"}
            ).status_code
            == 403
        )
    feedback.refresh_from_db()
    assert feedback.comment == "Why not the whole district? Still confusing." and not feedback.helpful


def test_the_list_costs_the_same_queries_for_three_answers_or_thirty(client, group_rep, answers):
    client.force_login(group_rep)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    districts = [district_at(DistrictStatus.LIVE, name=f"District {n}") for n in range(27)]
    HelpFeedback.objects.bulk_create(
        HelpFeedback(page="connect-clever", step="review", helpful=bool(n % 2), comment=f"c{n}", district=d)
        for n, d in enumerate(districts)
    )
    with CaptureQueriesContext(connection) as many:
        client.get(LIST)
    assert len(many) == len(few)


def test_people_without_the_permission_do_not_see_the_answers(client, django_user_model, answers):
    staff = django_user_model.objects.create_user(username="staff-only", password="x-12345678", is_staff=True)
    client.force_login(staff)
    assert client.get(LIST).status_code == 403
