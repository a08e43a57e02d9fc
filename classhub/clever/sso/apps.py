from django.apps import AppConfig


class CleverSSOConfig(AppConfig):
    """Log in with Clever: allauth's Clever provider, pointed at the configured Clever hosts."""

    name = "classhub.clever.sso"
    label = "clever_sso"
    verbose_name = "Log in with Clever"
