"""Who Log in with Clever lets in, how they are tied to their roster record, and shared devices."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from classhub.clever.sso.access import roster_educator_for
from onboarding.models import District
from onboarding.selectors import districts_visible_to, portal_district_for
from rosters.models import Educator
from tests.sso.flows import instant_login, sign_in_with_clever, signed_in_uid, users_of

pytestmark = pytest.mark.django_db


def user_of(clever_user: dict):
    return get_user_model().objects.get(socialaccount__uid=clever_user["id"])


@pytest.mark.parametrize(
    "role, without",
    [("teacher", ("staff", "district_admin")), ("staff", ("teacher",)), ("district_admin", ("teacher",))],
)
def test_teachers_staff_and_district_admins_of_an_imported_district_get_in_linked_to_their_roster_record(
    client, sandbox, imported_a, district_ids, role, without
):
    person = users_of(sandbox, district_ids["a"], role, without=without)[0]
    landed = sign_in_with_clever(client, sandbox, person["id"])
    assert landed.status_code == 302 and signed_in_uid(client) == person["id"]
    educator = roster_educator_for(user_of(person))
    assert educator == Educator.objects.get(clever_id=person["id"]) and educator.district == imported_a
    expected_portal = imported_a if role == "district_admin" else None
    assert portal_district_for(user_of(person)) == expected_portal


def test_a_district_admin_of_a_connected_district_not_yet_imported_gets_into_its_portal(
    client, sandbox, demo_requests, district_ids, demo
):
    admin = users_of(sandbox, district_ids["b"], "district_admin")[0]
    assert sign_in_with_clever(client, sandbox, admin["id"]).status_code == 302
    page = client.get(reverse("portal:home"))
    assert page.status_code == 200 and demo["b"]["name"] in page.content.decode()
    assert roster_educator_for(user_of(admin)) is None  # nothing imported yet: no roster record to link


def test_teachers_of_a_district_not_yet_imported_are_told_to_wait(client, sandbox, demo_requests, district_ids):
    teacher = users_of(sandbox, district_ids["b"], "teacher", without=("district_admin",))[0]
    refused = sign_in_with_clever(client, sandbox, teacher["id"])
    assert refused.status_code == 403
    assert b"ClassHub is not ready for your district yet" in refused.content
    assert signed_in_uid(client) is None
    assert not get_user_model().objects.filter(socialaccount__uid=teacher["id"]).exists()


def test_a_teacher_no_longer_in_the_imported_roster_is_refused(client, sandbox, imported_a, district_ids):
    teacher = users_of(sandbox, district_ids["a"], "teacher", without=("district_admin",))[0]
    Educator.objects.filter(clever_id=teacher["id"]).update(archived_at=timezone.now())
    refused = sign_in_with_clever(client, sandbox, teacher["id"])
    assert refused.status_code == 403 and b"Your account is not set up in ClassHub" in refused.content
    assert signed_in_uid(client) is None


def test_students_are_refused_with_a_friendly_page(client, sandbox, imported_a, district_ids):
    student = users_of(sandbox, district_ids["a"], "student")[0]
    refused = sign_in_with_clever(client, sandbox, student["id"])
    assert refused.status_code == 403
    assert b"Students don't sign in here" in refused.content and b"sign in to your Chromebook" in refused.content
    assert signed_in_uid(client) is None


def test_people_of_districts_we_do_not_serve_are_refused(client, sandbox, demo_requests, district_ids):
    admin = users_of(sandbox, district_ids["c"], "district_admin")[0]
    District.objects.filter(clever_id=district_ids["c"]).delete()
    refused = sign_in_with_clever(client, sandbox, admin["id"])
    assert refused.status_code == 403 and b"doesn't use ClassHub yet" in refused.content
    assert signed_in_uid(client) is None


def test_a_clever_user_with_another_persons_email_gets_nothing_of_theirs(
    client, sandbox, imported_a, district_ids, demo
):
    """Linked by Clever id, never by email: Clever does not verify emails."""
    admin = users_of(sandbox, district_ids["a"], "district_admin", without=("teacher",))[0]
    teacher = users_of(sandbox, district_ids["a"], "teacher", without=("district_admin", "staff"))[0]
    elsewhere = users_of(sandbox, district_ids["b"], "district_admin")[0]
    for impostor in (teacher, elsewhere):
        sandbox.dataset.users[impostor["id"]]["email"] = admin["email"].upper()  # even with other casing

    assert sign_in_with_clever(client, sandbox, teacher["id"]).status_code == 302
    signed_in = user_of(teacher)
    assert portal_district_for(signed_in) is None and not districts_visible_to(signed_in).exists()
    assert client.get(reverse("portal:home")).status_code == 403
    assert client.get(reverse("api-districts")).json()["results"] == []
    assert roster_educator_for(signed_in).clever_id == teacher["id"]  # their own record, not the admin's

    client.logout()
    assert sign_in_with_clever(client, sandbox, elsewhere["id"]).status_code == 302
    page = client.get(reverse("portal:home")).content.decode()
    assert demo["b"]["name"] in page and demo["a"]["name"] not in page
    assert client.get(reverse("api-district", args=[district_ids["a"]])).status_code == 404
    assert roster_educator_for(user_of(elsewhere)) is None
    assert not get_user_model().objects.filter(socialaccount__uid=admin["id"]).exists()  # never signed in


def signed_in_as(client, sandbox, person: dict) -> str:
    """Sign in and leave something of this person's in the session; returns the session key."""
    assert sign_in_with_clever(client, sandbox, person["id"]).status_code == 302
    session = client.session
    session["left_by_previous_person"] = person["id"]
    session.save()
    return session.session_key


@pytest.mark.parametrize("how", ["button", "portal_launch"])
def test_a_new_sign_in_replaces_the_session_of_whoever_was_signed_in(client, sandbox, imported_a, district_ids, how):
    first = users_of(sandbox, district_ids["a"], "district_admin", without=("teacher",))[0]
    second = users_of(sandbox, district_ids["a"], "teacher", without=("district_admin",))[0]
    before = signed_in_as(client, sandbox, first)

    # The sign-in page stays reachable on a shared device, and says who is signed in.
    page = client.get(reverse("account_login"))
    assert page.status_code == 200 and b"On a shared computer" in page.content

    if how == "button":
        landed = sign_in_with_clever(client, sandbox, second["id"])
    else:
        _, landed = instant_login(client, sandbox, second["id"])
    assert landed.status_code == 302
    assert signed_in_uid(client) == second["id"]
    session = client.session
    assert session.session_key != before
    assert "left_by_previous_person" not in session
    assert client.get(reverse("portal:home")).status_code == 403  # the admin's portal is gone with them


def test_a_refused_sign_in_signs_out_whoever_was_signed_in(client, sandbox, imported_a, district_ids):
    admin = users_of(sandbox, district_ids["a"], "district_admin", without=("teacher",))[0]
    student = users_of(sandbox, district_ids["a"], "student")[0]
    signed_in_as(client, sandbox, admin)
    refused = sign_in_with_clever(client, sandbox, student["id"])
    assert refused.status_code == 403
    assert signed_in_uid(client) is None
    assert client.get(reverse("portal:home")).status_code == 302  # to the sign-in page


def test_connecting_a_second_clever_login_to_a_signed_in_user_is_refused(client, sandbox, imported_a, district_ids):
    """allauth's "connect" process would attach Clever user B to whoever is signed in (A) for good."""
    from allauth.socialaccount.models import SocialAccount

    from tests.sso.flows import choose_on_clever, local

    teacher, admin = (
        users_of(sandbox, district_ids["a"], "teacher")[0],
        users_of(sandbox, district_ids["a"], "district_admin")[0],
    )
    sign_in_with_clever(client, sandbox, teacher["id"])
    signed_in = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    start = client.post(reverse("clever_login") + "?process=connect")
    assert start.status_code == 302
    back = client.get(local(choose_on_clever(start["Location"], admin["id"])))
    assert back.status_code == 302 and back["Location"] == reverse("account_login")
    assert list(SocialAccount.objects.filter(user=signed_in).values_list("uid", flat=True)) == [teacher["id"]]
    # Clever user B still signs in as themself, never as A.
    client.logout()
    sign_in_with_clever(client, sandbox, admin["id"])
    assert signed_in_uid(client) == admin["id"]


def test_a_district_admin_removed_in_the_roster_loses_the_portal_at_the_next_request(
    client, sandbox, imported_a, district_ids
):
    admin = next(
        u for u in users_of(sandbox, district_ids["a"], "district_admin") if "teacher" not in (u.get("roles") or {})
    )
    sign_in_with_clever(client, sandbox, admin["id"])
    assert client.get(reverse("portal:home")).status_code == 200
    Educator.objects.filter(district=imported_a, clever_id=admin["id"]).update(is_district_admin=False)
    assert client.get(reverse("portal:home")).status_code == 403
    Educator.objects.filter(district=imported_a, clever_id=admin["id"]).update(
        is_district_admin=True, archived_at=timezone.now()
    )
    assert client.get(reverse("portal:home")).status_code == 403
    assert client.get(reverse("api-districts")).json()["results"] == []


@pytest.mark.parametrize("status", ["denied", "disconnected"])
def test_teachers_of_a_closed_district_are_told_so_not_to_wait(client, sandbox, imported_a, district_ids, status):
    District.objects.filter(pk=imported_a.pk).update(status=status)
    teacher = next(u for u in users_of(sandbox, district_ids["a"], "teacher") if "district_admin" not in u["roles"])
    refused = sign_in_with_clever(client, sandbox, teacher["id"])
    assert refused.status_code == 403
    assert b"ClassHub is not set up for your district" in refused.content
    assert b"setting it up with us" not in refused.content
