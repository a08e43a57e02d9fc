"""District contacts sign in with a one-time code emailed to the contact email Clever gave (allauth's login by code)."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from classhub.clever.sso.access import roster_educator_for
from classhub.clever.sso.contact_views import CODE_NOT_VALID
from onboarding.models import District, DistrictStatus
from onboarding.selectors import clever_identity, districts_visible_to, portal_district_for
from tests.sso.flows import sign_in_with_clever, users_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact_district(demo_requests, district_ids):
    """District (b), connected, whose contact email Clever sent with stray spaces and capitals."""
    district = District.objects.get(clever_id=district_ids["b"])
    district.contact_email = f"  {district.contact_email.upper()} "
    district.save(update_fields=["contact_email"])
    return district


def contact_email_of(district: District) -> str:
    return district.contact_email.strip().lower()


def request_code(client, email: str):
    return client.post(reverse("account_request_login_code"), {"email": email})


def code_in(message) -> str:
    found = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE)
    assert found, message.body
    return found.group(1)


def enter_code(client, code: str):
    return client.post(reverse("account_confirm_login_code"), {"code": code, "action": "verify"})


def page_text(response, email: str) -> str:
    """A page with the typed email and the per-session CSRF token blanked, to compare two answers."""
    html = response.content.decode().replace(email.strip().lower(), "EMAIL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def signed_in_user(client):
    user_pk = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_pk) if user_pk else None


def test_the_sign_in_page_offers_the_code_under_log_in_with_clever(client):
    html = client.get(reverse("account_login")).content.decode()
    clever = html.index("Log in with Clever")
    code_link = html.index("Sign in with a one-time code (district contacts)")
    assert clever < code_link
    assert f'href="{reverse("account_request_login_code")}"' in html


def test_the_district_contact_gets_a_code_and_it_opens_their_districts_portal_only(client, contact_district, demo):
    typed = f" {contact_email_of(contact_district).title()} "  # trimmed and compared case-insensitively
    asked = request_code(client, typed)
    assert asked.status_code == 302 and asked["Location"] == reverse("account_confirm_login_code")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [contact_email_of(contact_district)] and message.subject == "ClassHub: Your sign-in code"
    assert "works once, within 10 minutes" in message.body

    confirmed = enter_code(client, code_in(message))
    assert confirmed.status_code == 302 and confirmed["Location"] == reverse("portal:home")
    page = client.get(reverse("portal:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert demo["b"]["name"] in html and demo["a"]["name"] not in html

    contact = signed_in_user(client)
    assert portal_district_for(contact) == contact_district
    assert list(districts_visible_to(contact)) == [contact_district]
    assert [d["clever_id"] for d in client.get(reverse("api-districts")).json()["results"]] == [
        contact_district.clever_id
    ]
    assert client.get(reverse("api-district", args=[demo["a"]["clever_id"]])).status_code == 404
    # Never a teacher: no Clever identity, no roster record, whoever else uses this email.
    assert clever_identity(contact) == {} and roster_educator_for(contact) is None
    assert client.get(reverse("teach:home")).status_code == 403
    assert not contact.has_usable_password() and not contact.is_staff


@pytest.mark.parametrize(
    "email",
    [
        "stranger@example.org",
        "teacher-email",  # a Clever teacher's email (filled in the test)
        "rep-email",  # a rep's email (filled in the test)
    ],
)
def test_any_other_email_gets_the_same_answer_and_no_email(client, contact_district, sandbox, rep, email):
    if email == "teacher-email":
        email = next(u["email"] for u in users_of(sandbox, contact_district.clever_id, "teacher") if u.get("email"))
    elif email == "rep-email":
        rep.email = email = "rep@classhub.example"
        rep.save(update_fields=["email"])
    asked = request_code(client, email)
    answer = page_text(client.get(asked["Location"]), email)

    other = type(client)()
    contact_asked = request_code(other, contact_email_of(contact_district))
    contact_answer = page_text(other.get(contact_asked["Location"]), contact_email_of(contact_district))

    assert asked.status_code == contact_asked.status_code == 302
    assert asked["Location"] == contact_asked["Location"]
    assert answer == contact_answer and "If EMAIL is your district" in answer
    assert [m.to for m in mail.outbox] == [[contact_email_of(contact_district)]]  # only the contact's
    assert enter_code(client, "ABCDEF").status_code == 200  # whatever is typed, nobody signs in
    assert signed_in_user(client) is None


def test_an_email_that_is_the_contact_of_several_districts_gets_no_code(client, contact_district, district_ids):
    District.objects.filter(clever_id=district_ids["c"]).update(contact_email=contact_district.contact_email)
    request_code(client, contact_email_of(contact_district))
    assert mail.outbox == []


def test_a_disconnected_districts_contact_gets_no_code(client, contact_district):
    District.objects.filter(pk=contact_district.pk).update(status=DistrictStatus.DISCONNECTED)
    request_code(client, contact_email_of(contact_district))
    assert mail.outbox == []


def test_a_code_works_once(client, contact_district):
    request_code(client, contact_email_of(contact_district))
    code = code_in(mail.outbox[0])
    assert enter_code(client, code)["Location"] == reverse("portal:home")
    client.post(reverse("account_logout"))

    again = enter_code(client, code)
    assert again.status_code == 302 and again["Location"] == reverse("account_request_login_code")
    assert CODE_NOT_VALID in client.get(again["Location"]).content.decode().replace("&#x27;", "'")
    assert signed_in_user(client) is None


def test_a_code_expires(client, contact_district, settings):
    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 1
    request_code(client, contact_email_of(contact_district))
    assert "works once, within 1 minute." in mail.outbox[0].body
    time.sleep(1.2)
    expired = enter_code(client, code_in(mail.outbox[0]))
    assert expired.status_code == 302 and expired["Location"] == reverse("account_request_login_code")
    assert signed_in_user(client) is None


def test_three_wrong_codes_end_the_attempt(client, contact_district):
    request_code(client, contact_email_of(contact_district))
    code = code_in(mail.outbox[0])
    for _ in range(2):
        wrong = enter_code(client, "WRONG1")
        assert wrong.status_code == 200 and b"Incorrect code" in wrong.content
    assert enter_code(client, "WRONG1")["Location"] == reverse("account_request_login_code")
    assert enter_code(client, code).status_code == 302 and signed_in_user(client) is None


def test_a_contact_replaced_in_clever_loses_the_portal_at_the_next_request(client, contact_district):
    request_code(client, contact_email_of(contact_district))
    enter_code(client, code_in(mail.outbox[0]))
    assert client.get(reverse("portal:home")).status_code == 200
    District.objects.filter(pk=contact_district.pk).update(contact_email="new.contact@example.org")
    assert client.get(reverse("portal:home")).status_code == 403
    assert client.get(reverse("api-districts")).json()["results"] == []


def test_a_replaced_contact_stays_out_when_the_new_contact_asks_for_a_code(client, contact_district):
    from django.test import Client

    request_code(client, contact_email_of(contact_district))
    enter_code(client, code_in(mail.outbox[0]))
    District.objects.filter(pk=contact_district.pk).update(contact_email="new.contact@example.org")
    assert client.get(reverse("portal:home")).status_code == 403
    request_code(Client(), "new.contact@example.org")  # anyone, anywhere, types the new contact's email
    assert len(mail.outbox) == 2
    assert client.get(reverse("portal:home")).status_code == 403  # the old contact's session stays out
    assert client.get(reverse("portal:devices-csv")).status_code == 404


def test_a_code_sign_in_replaces_whoever_was_signed_in(client, sandbox, contact_district, district_ids):
    admin = users_of(sandbox, district_ids["c"], "district_admin")[0]
    assert sign_in_with_clever(client, sandbox, admin["id"]).status_code == 302
    before = client.session.session_key
    request_code(client, contact_email_of(contact_district))
    assert signed_in_user(client) is None  # signed out as soon as someone else asks for a code here
    enter_code(client, code_in(mail.outbox[0]))
    contact = signed_in_user(client)
    assert contact is not None and portal_district_for(contact) == contact_district
    assert client.session.session_key != before


def test_finding_the_portal_district_costs_one_query_for_a_contact_and_three_for_a_clever_admin(
    contact_district, django_user_model, django_assert_num_queries
):
    """portal_district_for runs on every portal request: a contact costs one query; a Clever admin three (their
    Clever record, the district, and their roster record, which may have lost the role since)."""
    from allauth.socialaccount.models import SocialAccount

    from classhub.clever.sso.contacts import contact_user_for

    contact = contact_user_for(contact_district)
    admin = django_user_model.objects.create_user(username="clever-admin-b")
    SocialAccount.objects.create(
        user=admin,
        provider="clever",
        uid="ab" * 12,
        extra_data={"data": {"id": "ab" * 12, "district": contact_district.clever_id, "roles": {"district_admin": {}}}},
    )
    with django_assert_num_queries(1):
        assert portal_district_for(contact) == contact_district
    with django_assert_num_queries(3):
        assert portal_district_for(admin) == contact_district
