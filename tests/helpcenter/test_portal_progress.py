"""The help guide inside the portal: each step done, next or to do for the signed-in admin's own district."""

from __future__ import annotations

import re
from html import unescape

import pytest
from allauth.socialaccount.models import SocialAccount
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from helpcenter.content import CONNECT_CLEVER
from helpcenter.selectors import guide_progress
from onboarding.models import DistrictStatus, PurchaseStatus, SharingType
from rosters.models import ImportStatus
from tests.helpcenter.builders import (
    clever_district_admin,
    device_setup,
    district_at,
    finished_import,
    onboarding_session,
)

pytestmark = pytest.mark.django_db

S = DistrictStatus
# add-classhub, purchase, share-by-schools, what-to-share, review, import, onboarding-session, student-emails, go-live
STEPS = CONNECT_CLEVER.step_ids


def states_on(page) -> dict[str, str]:
    return dict(re.findall(r'<li id="([\w-]+)" class="card help-step state-(\w+)"', page.content.decode()))


def marks(*, done: tuple[str, ...], next_step: str | None) -> dict[str, str]:
    return {step: "done" if step in done else "next" if step == next_step else "todo" for step in STEPS}


def open_portal_help(client, django_user_model, district):
    client.force_login(clever_district_admin(django_user_model, district_clever_id=district.clever_id))
    return client.get(reverse("portal:help"))


def _requested():
    return district_at(S.REQUESTED, purchase=PurchaseStatus.UNKNOWN, sharing=SharingType.UNKNOWN)


def _sales_follow_up():
    return district_at(S.SALES_FOLLOW_UP, purchase=PurchaseStatus.HAVENT_PURCHASED)


def _in_review():
    return district_at(S.IN_REVIEW)


def _in_review_whole_district():
    return district_at(S.IN_REVIEW, sharing=SharingType.WHOLE_DISTRICT, shared_schools=12)


def _denied():
    return district_at(S.DENIED)


def _approved():
    return district_at(S.APPROVED)


def _importing():
    district = district_at(S.IMPORTING)
    finished_import(district, status=ImportStatus.RUNNING)
    return district


def _needs_attention_no_sections():
    district = district_at(S.NEEDS_ATTENTION)
    finished_import(district, sections=0)
    return district


def _imported_session_ahead():
    district = district_at(S.IMPORTED)
    finished_import(district)
    onboarding_session(district, days_from_now=7)
    return district


def _imported_session_held_devices_set_up():
    district = district_at(S.IMPORTED)
    finished_import(district)
    onboarding_session(district, days_from_now=-2)
    device_setup(district)
    return district


def _live_without_device_setup():
    district = district_at(S.LIVE)
    finished_import(district)
    onboarding_session(district, days_from_now=-30)
    return district


def _live_and_set_up():
    district = _live_without_device_setup()
    device_setup(district)
    return district


def _disconnected():
    district = district_at(S.DISCONNECTED)
    finished_import(district)
    return district


FIRST_FOUR = ("add-classhub", "purchase", "share-by-schools", "what-to-share")
UP_TO_IMPORT = (*FIRST_FOUR, "review", "import")

CASES = [
    # (district builder, done, next, a note shown on the next step)
    (_requested, ("add-classhub", "share-by-schools", "what-to-share"), "purchase", "records your purchase"),
    (_sales_follow_up, ("add-classhub", "share-by-schools", "what-to-share"), "purchase", "sales will contact you"),
    (_in_review, FIRST_FOUR, "review", "checking the schools you shared"),
    (
        _in_review_whole_district,
        ("add-classhub", "purchase", "what-to-share"),
        "share-by-schools",
        "shares the whole district",
    ),
    (_denied, FIRST_FOUR, "review", "ClassHub denied the request"),
    (_approved, (*FIRST_FOUR, "review"), "import", "imports the approved schools next"),
    (_importing, (*FIRST_FOUR, "review"), "import", "Importing now: 1,234 records"),
    (
        _needs_attention_no_sections,
        ("add-classhub", "purchase", "share-by-schools", "review"),
        "what-to-share",
        "No sections were shared",
    ),
    (_imported_session_ahead, UP_TO_IMPORT, "onboarding-session", "Scheduled for"),
    (_imported_session_held_devices_set_up, (*UP_TO_IMPORT, "onboarding-session", "student-emails"), "go-live", ""),
    (
        _live_without_device_setup,
        (*UP_TO_IMPORT, "onboarding-session", "go-live"),
        "student-emails",
        "Record your students' devices",
    ),
    (_live_and_set_up, tuple(STEPS), None, ""),
    (_disconnected, (*FIRST_FOUR[1:], "review", "import"), "add-classhub", "no longer connected"),
]


@pytest.mark.parametrize(("build", "done", "next_step", "note"), CASES, ids=[c[0].__name__.strip("_") for c in CASES])
def test_each_step_is_marked_for_the_districts_status(client, django_user_model, build, done, next_step, note):
    district = build()
    page = open_portal_help(client, django_user_model, district)
    assert page.status_code == 200
    assert states_on(page) == marks(done=done, next_step=next_step)
    html = unescape(page.content.decode())
    assert district.name in html
    if next_step is None:
        assert "Every step is done." in html and "aria-current" not in html
        return
    title = CONNECT_CLEVER.step(next_step).title
    # Marked in words, not only by style: "Next: <step>" at the top and on the step; done steps say "Done".
    assert f'<strong>Next: <a href="#{next_step}">{title}</a></strong>' in html
    assert f'class="help-badge next">Next: {title}</strong>' in html
    assert html.count('class="help-badge done">Done<') == len(done)
    assert html.count('aria-current="step"') == 1
    assert note in html


def test_another_districts_admin_sees_only_their_own_district(client, django_user_model):
    theirs = district_at(S.LIVE, name="Hillcrest Unified")
    finished_import(theirs)
    onboarding_session(theirs, days_from_now=-3)
    device_setup(theirs)
    mine = district_at(S.IN_REVIEW, name="Riverside County Schools", shared_schools=1)

    page = open_portal_help(client, django_user_model, mine)
    html = page.content.decode()
    assert "Riverside County Schools" in html and "Hillcrest" not in html
    assert states_on(page)["review"] == "next" and states_on(page)["go-live"] == "todo"
    assert "shares 1 school with ClassHub" in html  # its own count, not the other district's
    assert "Held on" not in html and "recorded its devices" not in html


def test_people_without_a_district_get_the_portals_refusal_and_visitors_sign_in(client, django_user_model, rep):
    assert client.get(reverse("portal:help"))["Location"].startswith(reverse("account_login"))

    client.force_login(rep)  # ClassHub staff have no district of their own
    refused = client.get(reverse("portal:help"))
    assert refused.status_code == 403
    assert b"This portal is for district admins" in refused.content

    district_at(S.IN_REVIEW)
    client.force_login(clever_district_admin(django_user_model, district_clever_id="f" * 24))  # unknown district
    assert client.get(reverse("portal:help")).status_code == 403
    assert client.post(reverse("portal:help"), {"page": "connect-clever", "helpful": "yes"}).status_code == 403


def test_the_portal_page_costs_the_same_few_queries_however_far_the_district_is(
    client, django_user_model, django_assert_num_queries
):
    bare = district_at(S.REQUESTED, shared_schools=0)
    full = _imported_session_held_devices_set_up()
    for n in range(30):  # many runs, schools and a session: still one query each
        finished_import(full, status=ImportStatus.SUCCEEDED if n % 2 else ImportStatus.FAILED)
    for district in (bare, full):
        # The guide's own reads: the session date, the shared schools, the last import, a device setup.
        with django_assert_num_queries(5):
            guide_progress(guide=CONNECT_CLEVER, district=district)

    admin = clever_district_admin(django_user_model, district_clever_id=bare.clever_id)
    client.force_login(admin)
    page_queries = []
    for district in (bare, full):
        SocialAccount.objects.filter(user=admin).update(
            extra_data={"data": {"id": "9" * 24, "district": district.clever_id, "roles": {"district_admin": {}}}}
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("portal:help")).status_code == 200
        page_queries.append(len(queries))
    # Signing in and finding the district (session, user, Clever account, district), the guide's four reads,
    # and whatever the shared page header reads: the same for both districts.
    assert page_queries[0] == page_queries[1] <= 12, page_queries


def test_the_portal_home_links_to_the_help(client, django_user_model):
    district = district_at(S.IN_REVIEW)
    client.force_login(clever_district_admin(django_user_model, district_clever_id=district.clever_id))
    assert reverse("portal:help").encode() in client.get(reverse("portal:home")).content


def test_after_a_real_import_the_guide_points_at_the_onboarding_session(client, django_user_model, imported_a):
    """Demo district (a) approved and imported from the Clever sandbox: everything up to the import is done."""
    page = open_portal_help(client, django_user_model, imported_a)
    states = states_on(page)
    assert imported_a.status == S.IMPORTED
    assert [states[step] for step in UP_TO_IMPORT] == ["done"] * len(UP_TO_IMPORT)
    assert states["onboarding-session"] == "next" and states["go-live"] == "todo"
    assert b"The last import found schools, students, teachers, sections and an admin." in page.content


def test_a_paused_district_is_judged_on_its_records(client, django_user_model):
    district = district_at(S.PAUSED)
    finished_import(district)
    page = open_portal_help(client, django_user_model, district)
    assert states_on(page) == marks(done=UP_TO_IMPORT, next_step="onboarding-session")
    assert b"Onboarding is paused" in page.content


def test_messy_records_never_break_the_page(client, django_user_model):
    district = district_at(S.NEEDS_ATTENTION, sharing="something_new")
    district.purchase_confirmed_by_district = "maybe_later"  # a value this code does not know
    district.purchase_status = "something_else"
    district.save()
    finished_import(district, status="held")
    district.import_runs.update(counts={})  # a run that counted nothing
    session = onboarding_session(district, days_from_now=1)
    session.time_zone = "Mars/Olympus_Mons"
    session.save()

    page = open_portal_help(client, django_user_model, district)
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "No sections were shared." in html and "No district or school admin was shared." in html
    assert "(UTC)" in html  # the session's time, in UTC since its time zone is unknown
    assert states_on(page)["what-to-share"] in ("next", "todo")
