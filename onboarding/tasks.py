"""django-q2 tasks of the onboarding app: thin, each calls one service."""

from __future__ import annotations

from onboarding.services import connections_sync


def connections_sync_task() -> str:
    return connections_sync().summary()
