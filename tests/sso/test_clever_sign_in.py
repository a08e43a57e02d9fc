"""Log in with Clever against the sandbox: the code exchange, Portal launches, and every way it can fail."""

from __future__ import annotations

import base64
import time
from urllib.parse import parse_qsl

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.urls import reverse

from classhub.clever.sso.adapter import SIGN_IN_CANCELLED, SIGN_IN_EXPIRED, SIGN_IN_UNAVAILABLE
from tests.sso.flows import (
    CALLBACK_URI,
    choose_on_clever,
    follow,
    instant_login,
    local,
    query_of,
    sign_in_with_clever,
    signed_in_uid,
    start_clever_login,
    users_of,
)

pytestmark = pytest.mark.django_db


def test_the_code_exchange_uses_http_basic_auth_and_roles_come_from_the_user_record(
    client, sandbox, demo_requests, district_ids, received
):
    admin = users_of(sandbox, district_ids["b"], "district_admin")[0]
    landed = sign_in_with_clever(client, sandbox, admin["id"])
    assert landed.status_code == 302 and signed_in_uid(client) == admin["id"]

    exchanges = [
        (headers, body) for method, path, headers, body in received if (method, path) == ("POST", "/oauth/tokens")
    ]
    assert len(exchanges) == 1
    headers, body = exchanges[0]
    scheme, _, credentials = headers["Authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(credentials).decode() == f"{settings.CLEVER_CLIENT_ID}:{settings.CLEVER_CLIENT_SECRET}"
    form = dict(parse_qsl(body.decode()))
    assert form["grant_type"] == "authorization_code" and form["redirect_uri"] == CALLBACK_URI
    assert "client_secret" not in form and "client_id" not in form  # the secret travels only in the header

    reads = [path for method, path, _, _ in received if method == "GET" and path.startswith("/v3.0/")]
    assert reads == ["/v3.0/me", f"/v3.0/users/{admin['id']}"]
    # /me carries no roles: the district admin role that let them in was read from /v3.0/users/{id}.
    stored = SocialAccount.objects.get(uid=admin["id"]).extra_data["data"]
    assert "district_admin" in stored["roles"] and stored["district"] == district_ids["b"]


def test_the_sandbox_refuses_client_credentials_in_the_body(sandbox, demo_requests, district_ids):
    """Why the sign-ins here prove Basic auth: the sandbox, like Clever, takes client credentials no other way."""
    teacher = users_of(sandbox, district_ids["b"], "teacher")[0]
    callback = choose_on_clever(
        f"{sandbox.url}/oauth/authorize?response_type=code&client_id={settings.CLEVER_CLIENT_ID}"
        f"&redirect_uri={CALLBACK_URI}",
        teacher["id"],
    )
    refused = requests.post(
        f"{sandbox.url}/oauth/tokens",
        data={
            "grant_type": "authorization_code",
            "code": query_of(callback)["code"][0],
            "redirect_uri": CALLBACK_URI,
            "client_id": settings.CLEVER_CLIENT_ID,
            "client_secret": settings.CLEVER_CLIENT_SECRET,
        },
        timeout=5,
    )
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"


@pytest.mark.parametrize("role", ["teacher", "district_admin"])
def test_a_clever_portal_launch_without_state_restarts_with_a_fresh_state_and_signs_in(
    client, sandbox, imported_a, district_ids, received, role
):
    person = users_of(sandbox, district_ids["a"], role)[0]
    restart, done = instant_login(client, sandbox, person["id"])
    # The restart asks Clever again, with a state this browser's session holds.
    state = query_of(restart["Location"])["state"][0]
    assert state and query_of(restart["Location"])["redirect_uri"] == [CALLBACK_URI]
    callbacks = [path for method, path, _, _ in received if path.startswith("/oauth/authorize")]
    assert len(callbacks) == 1 and f"state={state}" in callbacks[0]
    home = reverse("teach:home") if role == "teacher" else reverse("portal:home")
    assert done.status_code == 302 and done["Location"] == home  # straight to the person's own home
    assert signed_in_uid(client) == person["id"]
    # Only the restarted sign-in's code is exchanged; the launch's own code (no state to check) never is.
    assert [p for m, p, _, _ in received if (m, p) == ("POST", "/oauth/tokens")] == ["/oauth/tokens"]


def ends_on_the_sign_in_page(client, response, message: str) -> None:
    """A failed sign-in: a redirect to the sign-in page, which says what happened in plain words."""
    assert response.status_code == 302, (response.status_code, response.content[:300])
    assert response["Location"] == reverse("account_login")
    page = follow(client, response)
    assert page.status_code == 200
    html = page.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert "Log in with Clever" in html
    assert "Traceback" not in html and "Exception" not in html
    assert signed_in_uid(client) is None and not page.wsgi_request.user.is_authenticated


def test_a_code_used_twice_ends_on_the_sign_in_page(client, sandbox, demo_requests, district_ids):
    admin = users_of(sandbox, district_ids["b"], "district_admin")[0]
    first = choose_on_clever(start_clever_login(client, sandbox), admin["id"])
    assert client.get(local(first)).status_code == 302
    client.logout()
    # The same code again, under a state this browser really holds: Clever answers invalid_grant.
    code = query_of(first)["code"][0]
    fresh_state = query_of(start_clever_login(client, sandbox))["state"][0]
    again = client.get(reverse("clever_callback"), {"code": code, "state": fresh_state})
    ends_on_the_sign_in_page(client, again, SIGN_IN_EXPIRED)


def test_an_expired_code_ends_on_the_sign_in_page(client, sandbox, demo_requests, district_ids):
    admin = users_of(sandbox, district_ids["b"], "district_admin")[0]
    sandbox.code_ttl = 0.05
    callback = choose_on_clever(start_clever_login(client, sandbox), admin["id"])
    time.sleep(0.1)
    ends_on_the_sign_in_page(client, client.get(local(callback)), SIGN_IN_EXPIRED)


def test_denied_consent_ends_on_the_sign_in_page(client, sandbox, demo_requests):
    state = query_of(start_clever_login(client, sandbox))["state"][0]
    denied = client.get(reverse("clever_callback"), {"error": "access_denied", "state": state})
    ends_on_the_sign_in_page(client, denied, SIGN_IN_CANCELLED)


def test_a_callback_with_a_state_this_browser_never_had_ends_on_the_sign_in_page(client, sandbox, demo_requests):
    forged = client.get(reverse("clever_callback"), {"code": "abc", "state": "not-ours"})
    ends_on_the_sign_in_page(client, forged, SIGN_IN_EXPIRED)


@pytest.mark.parametrize(
    "path, status, body",
    [
        ("/oauth/tokens", 401, {"error": "invalid_client", "error_description": "client authentication failed"}),
        ("/oauth/tokens", 500, None),
        ("/oauth/tokens", 200, "<html>not json</html>"),
        ("/oauth/tokens", 200, {"token_type": "bearer"}),  # no access token
        ("/v3.0/me", 503, None),
        ("/v3.0/me", 200, {"data": "not an object"}),
        ("/v3.0/users/", 500, "<html><body>Internal error</body></html>"),
        ("/v3.0/users/", 200, {"data": {"id": "someone-else"}}),
    ],
)
def test_clever_failing_ends_on_the_sign_in_page_never_on_an_error_page(
    client, sandbox, demo_requests, district_ids, path, status, body
):
    admin = users_of(sandbox, district_ids["b"], "district_admin")[0]
    callback = choose_on_clever(start_clever_login(client, sandbox), admin["id"])
    sandbox.inject_fault(path_prefix=path, status=status, body=body)
    ends_on_the_sign_in_page(client, client.get(local(callback)), SIGN_IN_UNAVAILABLE)
    assert not SocialAccount.objects.filter(uid=admin["id"]).exists()


def test_clever_unreachable_ends_on_the_sign_in_page(client, sandbox, demo_requests, district_ids, settings):
    admin = users_of(sandbox, district_ids["b"], "district_admin")[0]
    callback = choose_on_clever(start_clever_login(client, sandbox), admin["id"])
    settings.CLEVER_OAUTH_BASE = "http://127.0.0.1:9"  # nothing listens there
    ends_on_the_sign_in_page(client, client.get(local(callback)), SIGN_IN_UNAVAILABLE)
