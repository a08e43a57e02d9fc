"""Device keys: create, rotate, revoke and list a district's keys for the device identify API.

A key is ``chk_`` and 43 URL-safe characters from ``secrets`` (256 bits). Only its SHA-256 is stored:
with that much entropy a plain hash cannot be reversed, and one indexed lookup finds the key on every
request (a slow password hash would cost more than the whole request). The plaintext is returned once,
by the service that made it, and never logged or audited; the prefix (its first 12 characters) tells
keys apart in lists.

Rotation makes a new key and schedules the old one's revocation: at once, or after a grace period so
the devices can be given the new key first (``revoked_at`` in the future means "stops working then").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from classhub.errors import ClassHubError
from devices.models import DeviceKey
from onboarding.audit import audit_record, known_actor
from onboarding.models import District

KEY_MARK = "chk_"
PREFIX_LENGTH = 12  # "chk_" and 8 random characters
# The longest grace period a rotation may give the old key.
MAX_ROTATION_GRACE = dt.timedelta(days=30)


class DeviceKeyError(ClassHubError):
    """A device key step the key's state does not allow."""


def device_key_hash(plaintext: str) -> str:
    """The stored form of a key: its SHA-256, hex."""
    return hashlib.sha256(plaintext.encode()).hexdigest()


def device_key_is_active(key: DeviceKey, *, now: dt.datetime | None = None) -> bool:
    """Whether the key still opens the identify API (not revoked, or revoked only from a later time)."""
    return key.revoked_at is None or key.revoked_at > (now or timezone.now())


def _audit_view(key: DeviceKey) -> dict:
    """What the audit trail keeps of a key: never the plaintext, never the hash."""
    return {
        "prefix": key.prefix,
        "name": key.name,
        "revoked_at": key.revoked_at.isoformat() if key.revoked_at else None,
    }


def _new_key(*, district: District, name: str, actor: AbstractBaseUser | None) -> tuple[DeviceKey, str]:
    plaintext = KEY_MARK + secrets.token_urlsafe(32)
    key = DeviceKey.objects.create(
        district=district,
        name=name.strip()[:100],
        prefix=plaintext[:PREFIX_LENGTH],
        key_hash=device_key_hash(plaintext),
        created_by=known_actor(actor),
    )
    return key, plaintext


def device_key_create(*, district: District, name: str, actor: AbstractBaseUser | None) -> tuple[DeviceKey, str]:
    """Make a new key for the district; returns it with its plaintext, which is never available again."""
    with transaction.atomic():
        key, plaintext = _new_key(district=district, name=name, actor=actor)
        audit_record(district=district, actor=actor, action="devices.key.created", subject=key, after=_audit_view(key))
    return key, plaintext


def device_key_rotate(
    *, key: DeviceKey, actor: AbstractBaseUser | None, grace: dt.timedelta = dt.timedelta(0)
) -> tuple[DeviceKey, str]:
    """Replace a key: a new key with the same name, and the old one revoked now or once ``grace`` has passed."""
    if grace < dt.timedelta(0) or grace > MAX_ROTATION_GRACE:
        raise DeviceKeyError(f"The grace period must be between none and {MAX_ROTATION_GRACE.days} days.")
    with transaction.atomic():
        old = DeviceKey.objects.select_for_update().get(pk=key.pk)
        now = timezone.now()
        if not device_key_is_active(old, now=now):
            raise DeviceKeyError(f"Key {old.prefix}… is revoked; create a new key instead of rotating it.")
        before = _audit_view(old)
        new, plaintext = _new_key(district=old.district, name=old.name, actor=actor)
        revoke_at = now + grace
        # A key already scheduled to stop earlier keeps its earlier end.
        old.revoked_at = min(revoke_at, old.revoked_at) if old.revoked_at else revoke_at
        old.save(update_fields=["revoked_at"])
        audit_record(
            district=old.district,
            actor=actor,
            action="devices.key.rotated",
            subject=old,
            before=before,
            after={**_audit_view(old), "replaced_by": new.prefix},
            reason=f"grace period {grace}" if grace else "",
        )
    key.revoked_at = old.revoked_at
    return new, plaintext


def device_key_revoke(*, key: DeviceKey, actor: AbstractBaseUser | None, reason: str = "") -> DeviceKey:
    """Stop a key now; device agents using it get 401 from then on."""
    with transaction.atomic():
        locked = DeviceKey.objects.select_for_update().get(pk=key.pk)
        now = timezone.now()
        if locked.revoked_at is not None and locked.revoked_at <= now:
            raise DeviceKeyError(f"Key {locked.prefix}… is already revoked.")
        before = _audit_view(locked)
        locked.revoked_at = now
        locked.save(update_fields=["revoked_at"])
        audit_record(
            district=locked.district,
            actor=actor,
            action="devices.key.revoked",
            subject=locked,
            before=before,
            after=_audit_view(locked),
            reason=reason,
        )
    key.revoked_at = locked.revoked_at
    return key


def device_keys_of(district: District) -> QuerySet[DeviceKey]:
    """The district's keys, newest first, revoked ones included."""
    return DeviceKey.objects.filter(district=district).select_related("created_by").order_by("-created_at", "-id")
