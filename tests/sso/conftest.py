"""Fixtures for the sign-in tests: what the Clever sandbox received, and districts in known states."""

from __future__ import annotations

import pytest


@pytest.fixture
def received(sandbox, monkeypatch):
    """Every request the sandbox receives from now on: (method, path, headers, body)."""
    seen: list[tuple[str, str, dict, bytes]] = []
    handle = sandbox.handle

    def recording(method, raw_path, headers, body):
        seen.append((method, raw_path, dict(headers.items()), body))
        return handle(method, raw_path, headers, body)

    monkeypatch.setattr(sandbox, "handle", recording)
    return seen


@pytest.fixture
def district_ids(demo):
    """Clever ids of the demo districts: "a" is imported by imported_a; "b" and "c" stay connected only."""
    return {key: spec["clever_id"] for key, spec in demo.items()}
