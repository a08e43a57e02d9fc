"""System checks that guard configuration, with stable ids."""

from __future__ import annotations

from urllib.parse import urlparse

from django.conf import settings
from django.core.checks import Error, Warning, register

SANDBOX_SECRET = "classhub-sandbox-secret"  # noqa: S105  (the sandbox's well-known default, not a secret)


@register("classhub")
def clever_settings_check(app_configs=None, **kwargs):
    problems = []
    for name in ("CLEVER_API_BASE", "CLEVER_OAUTH_BASE"):
        parsed = urlparse(getattr(settings, name, ""))
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            problems.append(Error(f"{name} must be a URL like https://api.clever.com.", id="classhub.E001", obj=name))
    if not settings.CLEVER_CLIENT_ID or not settings.CLEVER_CLIENT_SECRET:
        problems.append(
            Error(
                "Set CLEVER_CLIENT_ID and CLEVER_CLIENT_SECRET (from Clever's app dashboard).",
                id="classhub.E002",
            )
        )
    if settings.PRODUCTION and settings.CLEVER_CLIENT_SECRET == SANDBOX_SECRET:
        problems.append(
            Warning("Production uses the sandbox's Clever secret; set CLEVER_CLIENT_SECRET.", id="classhub.W001")
        )
    return problems


@register("classhub")
def redis_url_check(app_configs=None, **kwargs):
    if not settings.REDIS_URL:
        return []
    parsed = urlparse(settings.REDIS_URL)
    if parsed.scheme not in ("redis", "rediss", "unix") or (parsed.scheme != "unix" and not parsed.hostname):
        return [
            Error(
                "REDIS_URL cannot be parsed; use a URL like redis://127.0.0.1:6379/0.",
                id="classhub.E003",
                obj="REDIS_URL",
            )
        ]
    return []
