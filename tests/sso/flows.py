"""Signing in through the Clever sandbox by hand: the Django test client for ClassHub, requests for Clever.

Every redirect between the two hosts is followed explicitly, so a test sees each hop a browser makes.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import requests
from django.urls import reverse

from classhub.clever.sandbox.dataset import has_role

CALLBACK_URI = "http://testserver/accounts/clever/login/callback/"


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def local(url: str) -> str:
    """The path and query of a URL on ClassHub's own host (the test client's)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def start_clever_login(client, sandbox) -> str:
    """Press "Log in with Clever"; returns the sandbox authorize URL ClassHub sent the browser to."""
    start = client.post(reverse("clever_login"))
    assert start.status_code == 302, start.content[:300]
    assert start["Location"].startswith(f"{sandbox.url}/oauth/authorize?")
    assert query_of(start["Location"])["state"]
    return start["Location"]


def choose_on_clever(authorize_url: str, user_id: str, browser: requests.Session | None = None) -> str:
    """Pick a user on the sandbox's Clever page; returns the callback URL Clever redirects back to."""
    chosen = (browser or requests).get(
        authorize_url, params={"sandbox_user": user_id}, allow_redirects=False, timeout=5
    )
    assert chosen.status_code == 302, chosen.text[:300]
    return chosen.headers["Location"]


def sign_in_with_clever(client, sandbox, user_id: str):
    """The whole button flow; returns ClassHub's answer to Clever's callback."""
    callback = choose_on_clever(start_clever_login(client, sandbox), user_id)
    return client.get(local(callback))


def instant_login(client, sandbox, user_id: str):
    """A launch from the Clever Portal: a code with no state, the restart, then the callback with our state.

    Returns (restart response, final callback response).
    """
    browser = requests.Session()  # the person's browser as Clever's host sees it (Clever's session cookie)
    launch = browser.get(
        f"{sandbox.url}/sandbox/instant-login",
        params={"user_id": user_id, "redirect_uri": CALLBACK_URI},
        allow_redirects=False,
        timeout=5,
    )
    assert launch.status_code == 302
    assert set(query_of(launch.headers["Location"])) == {"code"}  # no state
    restart = client.get(local(launch.headers["Location"]))
    if restart.status_code != 302 or not restart["Location"].startswith(f"{sandbox.url}/oauth/authorize?"):
        return restart, restart
    again = browser.get(restart["Location"], allow_redirects=False, timeout=5)  # signed in to Clever: no chooser
    assert again.status_code == 302
    return restart, client.get(local(again.headers["Location"]))


def follow(client, response, limit: int = 5):
    """Follow ClassHub's own redirects by hand; returns the final response."""
    for _ in range(limit):
        if response.status_code not in (301, 302) or not response["Location"].startswith("/"):
            return response
        response = client.get(response["Location"])
    raise AssertionError("too many redirects")


def users_of(sandbox, district_id: str, role: str, *, without: tuple[str, ...] = ()) -> list[dict]:
    return [
        u
        for u in sandbox.dataset.visible(district_id, "users")
        if has_role(u, role) and not any(has_role(u, other) for other in without)
    ]


def signed_in_uid(client) -> str | None:
    """The Clever id of whoever the client's session is signed in as, or None."""
    from django.contrib.auth import get_user_model

    user_pk = client.session.get("_auth_user_id")
    if user_pk is None:
        return None
    account = get_user_model().objects.get(pk=user_pk).socialaccount_set.first()
    return account.uid if account else None
