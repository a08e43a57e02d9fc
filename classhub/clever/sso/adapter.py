"""allauth adapters: district users sign in through Clever (contacts by an emailed code), reps in the admin."""

import logging
import math

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.base import AuthError, AuthProcess
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse

from classhub.clever.parsing import mapping
from classhub.clever.sso.access import clever_sign_in_refusal
from classhub.clever.sso.contacts import is_contact_user
from classhub.clever.sso.views import CleverUnavailable

logger = logging.getLogger(__name__)

SIGN_IN_EXPIRED = (
    "Sign-in with Clever did not finish: the sign-in link expired or was already used (this happens when a "
    "page is reloaded or opened twice). Please sign in again."
)
SIGN_IN_CANCELLED = "You cancelled the sign-in with Clever, so you are not signed in."
SIGN_IN_UNAVAILABLE = (
    "Sign-in with Clever did not finish: Clever did not answer ClassHub just now. Please try again in a few "
    "minutes; if it keeps happening, tell your ClassHub rep."
)


def login_code_minutes() -> int:
    """How long an emailed sign-in code works, in whole minutes (as the email and the page say)."""
    return max(1, math.ceil(account_settings.LOGIN_BY_CODE_TIMEOUT / 60))


class ClassHubAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        # Nobody signs up with a password: district users arrive through Clever.
        return False

    def get_login_redirect_url(self, request) -> str:
        # A contact signed in by code has exactly one page: their district's portal.
        if is_contact_user(request.user):
            return reverse("portal:home")
        # Straight to the person's home (portal, teacher home or review console), not through a redirect.
        from teach.views import home_url_for

        return home_url_for(request.user)

    def get_signup_redirect_url(self, request) -> str:
        # A first Clever sign-in creates the account ("signup"): the same home as every later sign-in.
        return self.get_login_redirect_url(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # allauth mails only the contacts' sign-in codes here. They go straight to Django's email backend,
        # not to the onboarding email log (onboarding/emails.py): a code must never be kept or resent.
        context = {**context, "code_minutes": login_code_minutes()}
        super().send_mail(template_prefix, email, context)


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
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # Only sign-in: "connect" would attach this Clever login to whoever is signed in on this browser
            # (a shared device, a rep's session), and from then on sign that Clever user in as them.
            logger.warning("Refused a Clever %r (not a sign-in) for %s", sociallogin.state.get("process"), request.user)
            messages.warning(request, SIGN_IN_EXPIRED)
            raise ImmediateHttpResponse(redirect("account_login"))
        record = mapping(mapping(sociallogin.account.extra_data).get("data"))
        reason = clever_sign_in_refusal(record=record)
        if reason is None:
            return
        logger.info("Refused Clever sign-in of %s: %s", sociallogin.account.uid, reason)
        # A shared device: whoever was signed in before does not stay signed in behind a refused person.
        if request.user.is_authenticated:
            logout(request)
        raise ImmediateHttpResponse(render(request, "portal/sign_in_refused.html", {"reason": reason}, status=403))

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        """Send the person back to the sign-in page with a plain message instead of an error page."""
        # Clever down or refusing ClassHub's credentials is for operators to see; a stale code is not.
        log = logger.warning if isinstance(exception, CleverUnavailable) else logger.info
        log("Clever sign-in failed: %s %r", error, exception)
        if error == AuthError.CANCELLED:
            text = SIGN_IN_CANCELLED
        elif isinstance(exception, CleverUnavailable):
            text = SIGN_IN_UNAVAILABLE
        else:
            text = SIGN_IN_EXPIRED
        messages.warning(request, text)
        raise ImmediateHttpResponse(redirect("account_login"))
