"""System checks of the devices app's settings: a bad value is reported at start-up, not on every request."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register


@register()
def identify_rate_check(app_configs, **kwargs) -> list[Error]:
    from devices.api_auth import parse_rate

    try:
        parse_rate(settings.DEVICE_IDENTIFY_RATE)
    except ValueError as exc:
        return [Error(str(exc), id="devices.E001")]
    return []
