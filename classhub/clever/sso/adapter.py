"""allauth adapters: sign-in is only through Clever (and the rep's password in the admin)."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError
from django.contrib import messages
from django.shortcuts import redirect, render

from classhub.clever.parsing import mapping

logger = logging.getLogger(__name__)

SIGN_IN_EXPIRED = (
    "Sign-in with Clever did not finish: the sign-in link expired or was already used (this happens when a "
    "page is reloaded or opened twice). Please sign in again."
)
SIGN_IN_CANCELLED = "You cancelled the sign-in with Clever, so you are not signed in."


class ClassHubAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Nobody signs up with a password: district users arrive through Clever.
        return False


class CleverSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        # Usernames must be unique; the Clever id is, and it is what we key accounts on.
        user.username = f"clever-{sociallogin.account.uid}"[:150]
        user.email = ""
        return user

    def pre_social_login(self, request, sociallogin) -> None:
        """Refuse, with a page that says why, people the portal is not for."""
        from onboarding.models import District

        user = mapping(mapping(sociallogin.account.extra_data).get("data"))
        roles = mapping(user.get("roles"))
        staff_roles = {"teacher", "staff", "district_admin"} & set(roles)
        if "student" in roles or not staff_roles:
            reason = "student" if "student" in roles else "no_staff_role"
        elif not District.objects.filter(clever_id=str(user.get("district") or "")).exists():
            reason = "district_not_served"
        else:
            return
        logger.info("Refused Clever sign-in of %s: %s", sociallogin.account.uid, reason)
        raise ImmediateHttpResponse(render(request, "portal/sign_in_refused.html", {"reason": reason}, status=403))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """Send the person back to the sign-in page with a plain message instead of an error page."""
        logger.info("Clever sign-in failed: %s %r", error, exception)
        text = SIGN_IN_CANCELLED if error == AuthError.CANCELLED else SIGN_IN_EXPIRED
        messages.warning(request, text)
        raise ImmediateHttpResponse(redirect("account_login"))
