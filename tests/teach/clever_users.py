"""Sign a Clever user in without the OAuth dance: a User, their Clever SocialAccount, and force_login.

The SocialAccount is what the real sign-in leaves behind (classhub/clever/sso/): ``uid`` is the Clever
user id and ``extra_data["data"]`` the Clever user record read from /v3.0/users/{id}. Reusable by any test.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model


def clever_user_record(
    *,
    clever_id: str,
    district: str,
    roles: Iterable[str] | Mapping[str, dict] = ("teacher",),
    email: str = "",
    first: str = "Pat",
    last: str = "Teacher",
) -> dict:
    """A Clever v3.0 user record; ``roles`` as names ("teacher", "district_admin") or Clever's role objects."""
    return {
        "id": clever_id,
        "district": district,
        "email": email,
        "name": {"first": first, "last": last},
        "roles": dict(roles) if isinstance(roles, Mapping) else {role: {} for role in roles},
    }


def clever_user(record: dict):
    """The User the sign-in would create for this Clever user record (keyed on its id, never its email)."""
    user = get_user_model().objects.create_user(username=f"clever-{record['id']}"[:150])
    SocialAccount.objects.create(user=user, provider="clever", uid=record["id"], extra_data={"data": record})
    return user


def sign_in_clever_user(client, record: dict):
    """Create the Clever user of this record and sign the test client in as them; returns the User."""
    user = clever_user(record)
    client.force_login(user)
    return user


def sign_in_as(client, *, clever_id: str, district: str, roles=("teacher",), **fields):
    """Shorthand: build the record and sign in."""
    return sign_in_clever_user(
        client, clever_user_record(clever_id=clever_id, district=district, roles=roles, **fields)
    )


def sign_in_through_sandbox(client, sandbox, user_id: str):
    """The real "Log in with Clever": our redirect, the sandbox's chooser picking this user, our callback.

    Returns the callback's response (a redirect to where the sign-in sends the person).
    """
    from urllib.parse import urlparse

    import requests
    from django.urls import reverse

    start = client.post(reverse("clever_login"))
    chosen = requests.get(start["Location"], params={"sandbox_user": user_id}, allow_redirects=False, timeout=5)
    callback = urlparse(chosen.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")
