"""django-q2 tasks of the devices app: thin, take primary keys, call one service."""

from __future__ import annotations

from devices.services import readiness_refresh
from onboarding.models import District


def readiness_refresh_task(district_id: int) -> str:
    """Readiness of a large district after a setup change (small ones are recomputed during the save)."""
    district = District.objects.filter(pk=district_id).first()
    if district is None:
        return f"district {district_id} no longer exists; nothing to do"
    counts = readiness_refresh(district=district)
    return f"{district.name}: {counts}"
