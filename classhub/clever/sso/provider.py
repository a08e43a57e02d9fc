"""Registers our Clever provider with allauth in place of its built-in one (same id, "clever")."""

from allauth.socialaccount.providers.clever.provider import CleverProvider

from classhub.clever.sso.views import ConfiguredCleverOAuth2Adapter


class ConfiguredCleverProvider(CleverProvider):
    """allauth's Clever provider, with URLs from settings and a tolerant role reading."""

    oauth2_adapter_class = ConfiguredCleverOAuth2Adapter

    def get_user_type(self, data):
        roles = (data.get("data") or {}).get("roles") or {}
        return next(iter(roles), "")

    def extract_common_fields(self, data):
        user = data.get("data") or {}
        name = user.get("name") or {}
        return {
            "first_name": (name.get("first") or "")[:150],
            "last_name": (name.get("last") or "")[:150],
            # No email: Clever does not verify it, and accounts are keyed on the Clever id.
            "username": None,
        }

    def get_default_scope(self):
        return []


provider_classes = [ConfiguredCleverProvider]
