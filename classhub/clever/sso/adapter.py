"""allauth adapters: sign-in is only through Clever (and the rep's password in the admin)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter


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
