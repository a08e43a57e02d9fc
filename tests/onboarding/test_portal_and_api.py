"""The district portal and the districts API: staff see all, a district admin only their own."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from classhub.clever.sandbox.dataset import has_role
from onboarding.services import connections_sync
from onboarding.timeline import journey_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def connected(sandbox, demo):
    call_command("demo_setup")
    connections_sync()
    return demo


def sign_in_with_clever(client, sandbox, user_id: str):
    """Log in with Clever through the sandbox: our redirect, the sandbox's chooser, the callback."""
    start = client.post(reverse("clever_login"))
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(f"{sandbox.url}/oauth/authorize?")
    chosen = requests.get(authorize, params={"sandbox_user": user_id}, allow_redirects=False, timeout=5)
    assert chosen.status_code == 302
    callback = urlparse(chosen.headers["Location"])
    assert parse_qs(callback.query)["state"]
    return client.get(f"{callback.path}?{callback.query}")


def district_admin_of(sandbox, district_id: str) -> dict:
    return next(u for u in sandbox.dataset.visible(district_id, "users") if has_role(u, "district_admin"))


def test_anonymous_visitors_are_sent_to_sign_in(client, connected):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]
    assert client.get(reverse("api-districts")).status_code == 403
    login_page = client.get(reverse("account_login"))
    assert b"Log in with Clever" in login_page.content


def test_a_district_admin_signs_in_with_clever_and_sees_only_their_district(client, sandbox, connected):
    district_a = connected["a"]["clever_id"]
    admin = district_admin_of(sandbox, district_a)
    landed = sign_in_with_clever(client, sandbox, admin["id"])
    assert landed.status_code == 302 and landed["Location"] == reverse("portal:home")

    page = client.get(reverse("portal:home"))
    assert page.status_code == 200
    html = page.content.decode()
    assert connected["a"]["name"] in html
    assert connected["b"]["name"] not in html
    for school in connected["a"]["rollout_plan"]:
        assert school["name"] in html
    assert "Your district connected ClassHub in Clever." in html  # the timeline, in plain words
    assert "Checking the schools you shared" in html  # and who acts next

    listing = client.get(reverse("api-districts")).json()["results"]
    assert [d["clever_id"] for d in listing] == [district_a]
    own = client.get(reverse("api-district", args=[district_a]))
    assert own.status_code == 200 and own.json()["status"] == "in_review"
    other = client.get(reverse("api-district", args=[connected["b"]["clever_id"]]))
    assert other.status_code == 404

    user = User.objects.get(socialaccount__uid=admin["id"])
    assert user.username == f"clever-{admin['id']}"


def test_a_clever_user_is_keyed_on_the_clever_id_not_the_email(client, sandbox, connected):
    admin = district_admin_of(sandbox, connected["a"]["clever_id"])
    impostor = User.objects.create_user(username="someone", email=admin.get("email") or "x@example.org")
    sign_in_with_clever(client, sandbox, admin["id"])
    assert not impostor.socialaccount_set.exists()
    assert User.objects.get(socialaccount__uid=admin["id"]).pk != impostor.pk


def test_a_teacher_is_not_a_district_admin_on_the_portal(client, sandbox, imported_a):
    teacher = next(
        u
        for u in sandbox.dataset.visible(imported_a.clever_id, "users")
        if has_role(u, "teacher") and not has_role(u, "district_admin")
    )
    landed = sign_in_with_clever(client, sandbox, teacher["id"])
    assert landed["Location"] == reverse("teach:home")  # a teacher lands on their own home
    page = client.get(reverse("portal:home"))
    assert page.status_code == 403
    assert b"This portal is for district admins" in page.content
    assert reverse("teach:home").encode() in page.content  # and is pointed to it
    assert client.get(reverse("api-districts")).json()["results"] == []


def test_staff_see_every_district_in_the_api(client, rep, connected):
    client.force_login(rep)
    listing = client.get(reverse("api-districts")).json()["results"]
    assert sorted(d["clever_id"] for d in listing) == sorted(spec["clever_id"] for spec in connected.values())
    detail = client.get(reverse("api-district", args=[connected["a"]["clever_id"]])).json()
    assert set(detail) == {"clever_id", "name", "status", "schools", "last_import"}
    assert {s["decision"] for s in detail["schools"]} == {"pending"}
    assert detail["last_import"] is None


def test_the_api_list_does_not_grow_queries_with_districts(client, rep, connected, django_assert_max_num_queries):
    client.force_login(rep)
    with django_assert_max_num_queries(8):
        client.get(reverse("api-districts"))


@pytest.mark.parametrize(
    "query",
    # (a code with no state is a Clever Portal launch: it restarts, tested below)
    ["code=bogus&state=made-up", "error=access_denied&state=made-up", "error=access_denied"],
)
def test_a_failed_clever_sign_in_leads_back_to_sign_in_with_a_plain_message(client, connected, query):
    response = client.get(f"/accounts/clever/login/callback/?{query}", follow=True)
    assert response.redirect_chain[-1][0] == reverse("account_login")
    text = response.content.decode()
    assert "Log in with Clever" in text
    assert "did not finish" in text or "cancelled" in text


def test_a_reused_code_leads_back_to_sign_in(client, sandbox, connected):
    admin = district_admin_of(sandbox, connected["a"]["clever_id"])
    start = client.post(reverse("clever_login"))
    chosen = requests.get(start["Location"], params={"sandbox_user": admin["id"]}, allow_redirects=False, timeout=5)
    callback = urlparse(chosen.headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 302
    client.logout()
    again = client.get(f"{callback.path}?{callback.query}", follow=True)
    assert again.redirect_chain[-1][0] == reverse("account_login")
    assert b"did not finish" in again.content
    assert not again.wsgi_request.user.is_authenticated


def test_students_and_contacts_are_refused_with_a_page_that_says_why(client, sandbox, connected):
    users = sandbox.dataset.visible(connected["a"]["clever_id"], "users")
    student = next(u for u in users if has_role(u, "student"))
    refused = sign_in_with_clever(client, sandbox, student["id"])
    assert refused.status_code == 403
    assert b"Students don't sign in here" in refused.content
    assert not User.objects.filter(socialaccount__uid=student["id"]).exists()
    assert not refused.wsgi_request.user.is_authenticated

    contact = next(u for u in users if has_role(u, "contact"))
    start = client.post(reverse("clever_login"))
    typed = requests.get(start["Location"], params={"sandbox_login": contact["id"]}, allow_redirects=False, timeout=5)
    callback = urlparse(typed.headers["Location"])
    response = client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 403 and b"teachers and district staff" in response.content


def test_people_of_districts_we_do_not_serve_are_refused(client, sandbox, connected):
    from onboarding.models import District

    admin = district_admin_of(sandbox, connected["b"]["clever_id"])
    District.objects.filter(clever_id=connected["b"]["clever_id"]).delete()
    response = sign_in_with_clever(client, sandbox, admin["id"])
    assert response.status_code == 403
    assert b"doesn't use ClassHub yet" in response.content
    assert not User.objects.filter(socialaccount__uid=admin["id"]).exists()


def test_staff_on_the_front_door_go_to_the_review_console(client, rep):
    client.force_login(rep)
    assert client.get("/")["Location"] == reverse("admin:index")
    page = client.get(reverse("portal:home"))
    assert b"review console" in page.content


def test_sign_in_survives_clever_names_of_the_wrong_type(client, sandbox, connected):
    admin = district_admin_of(sandbox, connected["a"]["clever_id"])
    sandbox.dataset.users[admin["id"]]["name"] = {"first": 12345, "last": ["x"]}
    landed = sign_in_with_clever(client, sandbox, admin["id"])
    assert landed.status_code == 302
    assert User.objects.get(socialaccount__uid=admin["id"]).first_name == "12345"
    sandbox.dataset.users[admin["id"]]["name"] = "Just A String"
    client.logout()
    assert sign_in_with_clever(client, sandbox, admin["id"]).status_code == 302


@pytest.mark.parametrize(
    "path", ["/accounts/password/set/", "/accounts/email/", "/accounts/3rdparty/", "/accounts/signup/"]
)
def test_no_local_password_email_or_account_linking_pages_exist(client, rep, path):
    client.force_login(rep)
    assert client.get(path).status_code == 404


def test_sign_out_works_and_its_page_renders(client, rep):
    client.force_login(rep)
    assert client.get(reverse("account_logout")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302
    assert not client.get(reverse("account_login")).wsgi_request.user.is_authenticated


def test_the_district_admin_answers_the_purchase_question_on_the_first_step(client, sandbox, connected):
    from onboarding.models import AuditEvent, District

    admin = district_admin_of(sandbox, connected["c"]["clever_id"])  # (c) waits in sales follow-up
    sign_in_with_clever(client, sandbox, admin["id"])
    page = client.get(reverse("portal:home"))
    assert b"Has your district purchased ClassHub?" in page.content
    bad = client.post(reverse("portal:purchase-confirm"), {"purchase_status": "maybe"}, follow=True)
    assert b"Choose one of the two answers" in bad.content
    client.post(reverse("portal:purchase-confirm"), {"purchase_status": "already_purchased"})
    district = District.objects.get(clever_id=connected["c"]["clever_id"])
    assert district.purchase_confirmed_by_district == "already_purchased"
    assert district.status == "sales_follow_up"  # the rep's record of Clever's notice decides
    assert AuditEvent.objects.filter(district=district, action="onboarding.purchase.confirmed_by_district").exists()
    # The same answer again is no news: one event, however often it is sent.
    client.post(reverse("portal:purchase-confirm"), {"purchase_status": "already_purchased"})
    assert AuditEvent.objects.filter(district=district, action="onboarding.purchase.confirmed_by_district").count() == 1
    # Past the first step the question is closed.
    District.objects.filter(pk=district.pk).update(status="imported")
    client.post(reverse("portal:purchase-confirm"), {"purchase_status": "havent_purchased"})
    district.refresh_from_db()
    assert district.purchase_confirmed_by_district == "already_purchased"


def test_the_queues_show_counts_per_state(client, group_rep, connected):
    client.force_login(group_rep)
    page = client.get(reverse("admin:onboarding_district_changelist"))
    html = page.content.decode()
    assert "In review (2)" in html and "Sales follow-up (1)" in html


@pytest.mark.parametrize(
    ("status", "current_title"),
    [
        ("requested", "Purchase confirmed"),
        ("sales_follow_up", "Purchase confirmed"),
        ("in_review", "Review of the shared schools"),
        ("denied", "Review of the shared schools"),
        ("importing", "Roster import and onboarding session"),
        ("imported", "Go live"),
        ("live", None),
    ],
)
def test_the_journey_names_the_step_in_progress_and_who_acts(status, current_title):
    from onboarding.timeline import journey_steps

    steps = journey_steps(status=status, has_session=False)
    current = [s.title for s in steps if s.state == "current"]
    assert current == ([current_title] if current_title else [])
    first_open = next((i for i, s in enumerate(steps) if s.state != "done"), len(steps))
    assert all(s.state == "done" for s in steps[:first_open])
    assert all(s.who for s in steps)


def test_after_a_denial_the_steps_say_the_district_acts_next():
    from onboarding.timeline import journey_steps

    current = next(s for s in journey_steps(status="denied", has_session=False) if s.state == "current")
    assert current.who == "Your district" and "denied" in current.detail


def test_an_instant_login_without_state_restarts_with_a_fresh_state_and_signs_in(client, sandbox, connected):
    admin = district_admin_of(sandbox, connected["a"]["clever_id"])
    clever = requests.Session()  # the person's browser, as Clever's host sees it
    callback_uri = "http://testserver/accounts/clever/login/callback/"
    launch = clever.get(
        f"{sandbox.url}/sandbox/instant-login",
        params={"user_id": admin["id"], "redirect_uri": callback_uri},
        allow_redirects=False,
        timeout=5,
    )
    landing = urlparse(launch.headers["Location"])
    assert "state" not in parse_qs(landing.query)  # a Clever Portal launch carries no state

    restart = client.get(f"{landing.path}?{landing.query}")
    assert restart.status_code == 302 and restart["Location"].startswith(f"{sandbox.url}/oauth/authorize?")
    assert parse_qs(urlparse(restart["Location"]).query)["state"]  # a state we issued

    again = clever.get(restart["Location"], allow_redirects=False, timeout=5)  # signed in to Clever already
    back = urlparse(again.headers["Location"])
    assert parse_qs(back.query)["state"]
    done = client.get(f"{back.path}?{back.query}")
    assert done.status_code == 302 and done["Location"] == reverse("portal:home")
    assert client.get(reverse("portal:home")).status_code == 200


def test_the_import_and_session_step_stays_current_until_the_session_has_taken_place():
    waiting = journey_steps(status="imported", has_session=True, session_over=False)
    assert [s.state for s in waiting[3:]] == ["current", "todo"]
    assert "your onboarding session with Clever is scheduled" in waiting[3].detail
    held = journey_steps(status="imported", has_session=True, session_over=True)
    assert [s.state for s in held[3:]] == ["done", "current"]


def test_sales_follow_up_says_sales_contacts_the_district_not_that_a_purchase_is_recorded():
    step = journey_steps(status="sales_follow_up", has_session=False)[1]
    assert step.state == "current" and "Our sales team contacts you" in step.detail


def test_a_timeline_event_without_a_label_never_shows_its_code():
    from onboarding.models import AuditEvent
    from onboarding.timeline import event_label

    assert (
        event_label(AuditEvent(action="devices.key.created")) == "A device key was made for ClassHub's device agents."
    )
    assert "." not in event_label(AuditEvent(action="some.new.action")).rstrip(".")


def test_school_staff_are_told_there_is_nothing_for_them_here(client, sandbox, imported_a):
    staff = next(
        u
        for u in sandbox.dataset.visible(imported_a.clever_id, "users")
        if has_role(u, "staff") and not has_role(u, "teacher") and not has_role(u, "district_admin")
    )
    landed = sign_in_with_clever(client, sandbox, staff["id"])
    page = client.get(landed["Location"])
    assert page.status_code == 403
    assert b"You are signed in as school staff" in page.content
    assert b"can take up to ten minutes" not in page.content
