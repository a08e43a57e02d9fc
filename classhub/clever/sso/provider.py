"""Registers our Clever provider with allauth in place of its built-in one (same id, "clever")."""

from allauth.socialaccount.providers.clever.provider import CleverProvider

from classhub.clever.parsing import mapping, person_name
from classhub.clever.sso.views import ConfiguredCleverOAuth2Adapter


class ConfiguredCleverProvider(CleverProvider):
    """allauth's Clever provider, with URLs from settings and a tolerant role reading."""

    oauth2_adapter_class = ConfiguredCleverOAuth2Adapter

    def get_user_type(self, data):
        roles = mapping(mapping(data).get("data")).get("roles")
        return next(iter(roles), "") if isinstance(roles, dict) else ""

    def extract_common_fields(self, data):
        # Clever data is messy: any field may be missing, null or of another type.
        name = person_name(mapping(mapping(data).get("data")))
        return {
            "first_name": name["first_name"][:150],
            "last_name": name["last_name"][:150],
            # No email: Clever does not verify it, and accounts are keyed on the Clever id.
            "username": None,
        }

    def get_default_scope(self):
        return []


provider_classes = [ConfiguredCleverProvider]
