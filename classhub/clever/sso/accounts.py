"""The Clever account a sign-in left on a user: the one reader the portal, the teacher home and the sign-in
rules share."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.models import AbstractBaseUser

_NOT_LOOKED_UP = object()


def clever_account(user: AbstractBaseUser) -> SocialAccount | None:
    """The user's Clever account (its uid is the Clever user id), or None; read once per request.

    Cached on the user object, which lives as long as the request, so the page and the navigation share one query.
    """
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_clever_account", _NOT_LOOKED_UP)
    if cached is _NOT_LOOKED_UP:
        cached = SocialAccount.objects.filter(user=user, provider="clever").only("uid", "extra_data").first()
        user._clever_account = cached
    return cached
