"""How the identify API knows the device agent: a district's device key, and a rate limit per key."""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.cache import caches
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from devices.keys import device_key_hash
from devices.models import DeviceKey
from onboarding.models import District, DistrictStatus

WWW_AUTHENTICATE = 'Bearer realm="ClassHub device identify API"'
# last_used_at is written at most this often per key (and per process): no write per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Districts whose keys stop working: they removed ClassHub in Clever, or ClassHub denied their data.
KEY_CLOSED_STATUSES = (DistrictStatus.DISCONNECTED.value, DistrictStatus.DENIED.value)


def presented_key(request: Request) -> str:
    """The key the agent sent: ``Authorization: Bearer <key>``, or ``X-Device-Key: <key>``."""
    scheme, _, value = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.META.get("HTTP_X_DEVICE_KEY", "").strip()


def _db_time(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


@cache
def _key_sql() -> str:
    # One lookup by the unique key_hash index; whether the key is active, and its last use stale, decided there.
    # A key of a district that left ClassHub in Clever (or was denied) no longer identifies anyone: its
    # students' data is not ours to serve any more.
    keys, districts = DeviceKey._meta.db_table, District._meta.db_table
    closed = ", ".join(f"'{status}'" for status in KEY_CLOSED_STATUSES)
    active = f"(k.revoked_at IS NULL OR k.revoked_at > %s) AND d.status NOT IN ({closed})"
    stale = "k.last_used_at IS NULL OR k.last_used_at <= %s"
    return (
        f"SELECT k.id, k.district_id, {active}, {stale} FROM {keys} k "  # noqa: S608
        f"JOIN {districts} d ON d.id = k.district_id WHERE k.key_hash = %s"
    )


class DeviceKeyAuthentication(BaseAuthentication):
    """One indexed lookup by the key's hash; a wrong, revoked or missing key is the same 401."""

    def authenticate(self, request: Request) -> tuple[AnonymousUser, DeviceKey]:
        plaintext = presented_key(request)
        if not plaintext or len(plaintext) > 200:
            raise AuthenticationFailed
        now = timezone.now()
        stale_before = now - LAST_USED_RESOLUTION
        with connection.cursor() as cursor:
            cursor.execute(_key_sql(), [_db_time(now), _db_time(stale_before), device_key_hash(plaintext)])
            row = cursor.fetchone()
        if row is None or not row[2]:
            raise AuthenticationFailed
        key_id, district_id, _, stale = row
        if stale:
            # Conditional, so two processes seeing the same stale time write once between them.
            DeviceKey.objects.filter(Q(last_used_at=None) | Q(last_used_at__lte=stale_before), pk=key_id).update(
                last_used_at=now
            )
        key = DeviceKey(pk=key_id, district_id=district_id)  # what the view and the throttle need
        return AnonymousUser(), key

    def authenticate_header(self, request: Request) -> str:
        return WWW_AUTHENTICATE


class HasDeviceKey(BasePermission):
    def has_permission(self, request: Request, view) -> bool:
        return isinstance(request.auth, DeviceKey)


PERIODS = {"s": 1, "sec": 1, "second": 1, "m": 60, "min": 60, "minute": 60, "h": 3600, "hour": 3600, "d": 86400}
PERIODS.update({"day": 86400, **{f"{name}s": seconds for name, seconds in PERIODS.items() if len(name) > 1}})


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/min" -> (600, 60); raises ValueError, naming the setting, for anything else."""
    number, _, period = rate.partition("/")
    try:
        limit, seconds = int(number), PERIODS[period.strip().lower()]
    except (KeyError, ValueError):
        raise ValueError(
            f"DEVICE_IDENTIFY_RATE={rate!r} is not a rate: write requests per period, e.g. 600/min "
            f"(periods: {', '.join(sorted(PERIODS))})."
        ) from None
    if limit < 1:
        raise ValueError(f"DEVICE_IDENTIFY_RATE={rate!r}: allow at least one request per period.")
    return limit, seconds


# How long a process may count a key's requests on its own before adding them to the shared count.
RATE_SYNC_SECONDS = 0.25


class _KeyWindow:
    """One process's view of a key's count in the current window."""

    __slots__ = ("window", "shared", "pending", "synced_at")

    def __init__(self, window: int):
        self.window, self.shared, self.pending, self.synced_at = window, 0, 0, 0.0


class DeviceKeyRateThrottle(BaseThrottle):
    """DEVICE_IDENTIFY_RATE requests per key per fixed window, counted in the shared cache.

    The cache is shared by every web process (files on one machine, Redis across machines), so the limit holds
    however many gunicorn workers serve the key. Each process adds its requests to the shared counter in
    batches: at once when the limit is near (within a batch of 1% of the limit) and otherwise every
    RATE_SYNC_SECONDS, so a busy key costs a few cache writes a second rather than one per request. What the
    other processes counted since their last batch is not seen yet: the limit may be passed by at most one
    batch per other process, never refused early. A fixed window costs one counter per key and window; its
    known edge is a burst of up to twice the rate across a window boundary.
    """

    _windows: dict[int, _KeyWindow] = {}
    _lock = threading.Lock()

    def allow_request(self, request: Request, view) -> bool:
        limit, period = parse_rate(settings.DEVICE_IDENTIFY_RATE)
        now = time.time()
        window = int(now // period)
        self.retry_at, self.now = (window + 1) * period, now
        key_id = request.auth.pk
        batch = max(1, limit // 100)
        with self._lock:
            state = self._windows.get(key_id)
            if state is None or state.window != window:
                state = self._windows[key_id] = _KeyWindow(window)
            state.pending += 1
            near = state.shared + state.pending + batch > limit
            if near or state.pending >= batch or now - state.synced_at >= RATE_SYNC_SECONDS:
                state.shared = self._add(f"devices:identify-rate:{key_id}:{period}:{window}", state.pending, period)
                state.pending, state.synced_at = 0, now
            return state.shared + state.pending <= limit

    @staticmethod
    def _add(counter: str, count: int, period: int) -> int:
        """Add to the shared counter; returns the total."""
        shared = caches["default"]
        try:
            return shared.incr(counter, count)
        except ValueError:  # the window's first batch (or the counter was evicted)
            return count if shared.add(counter, count, timeout=period + 1) else shared.incr(counter, count)

    @classmethod
    def forget(cls) -> None:
        """Drop this process's counts (tests)."""
        with cls._lock:
            cls._windows.clear()

    def wait(self) -> float:
        return max(1, math.ceil(self.retry_at - self.now))
