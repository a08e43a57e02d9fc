"""Settings from the environment: the embedded default, and scale-out by configuration only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, django, os
os.environ["DJANGO_SETTINGS_MODULE"] = "classhub.settings"
django.setup()
from django.conf import settings
from django.core.checks import run_checks
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"], "name": str(db["NAME"]),
    "options": {k: str(v) for k, v in db.get("OPTIONS", {}).items()},
    "conn_max_age": db.get("CONN_MAX_AGE"), "q": {k: str(v) for k, v in settings.Q_CLUSTER.items()},
    "email_backend": settings.EMAIL_BACKEND, "email_path": str(settings.EMAIL_FILE_PATH),
    "clever": [settings.CLEVER_API_BASE, settings.CLEVER_OAUTH_BASE],
    "checks": [m.id for m in run_checks(tags=["classhub"])],
}))
"""


def settings_with(tmp_path, **env) -> dict:
    """Load the settings module in a fresh process with exactly these variables set."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CLEVER_"))}
    clean.update(CLASSHUB_DATA_DIR=str(tmp_path / "data"), **env)
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", PROBE], env=clean, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_nothing_set_means_sqlite_in_wal_with_orm_broker_and_file_email(tmp_path):
    conf = settings_with(tmp_path)
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["name"] == str(tmp_path / "data" / "classhub.sqlite3")
    assert conf["options"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in conf["options"]["init_command"]
    assert "busy_timeout" in conf["options"]["init_command"]
    assert conf["q"]["orm"] == "default" and "redis" not in conf["q"]
    assert conf["email_backend"].endswith("filebased.EmailBackend")
    assert conf["email_path"] == str(tmp_path / "data" / "mail")
    assert conf["clever"] == ["https://api.clever.com", "https://clever.com"]
    assert conf["checks"] == []


def test_database_and_redis_urls_switch_to_postgresql_and_redis(tmp_path):
    conf = settings_with(
        tmp_path, DATABASE_URL="postgres://postgres@127.0.0.1:5432/test", REDIS_URL="redis://127.0.0.1:6379/0"
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["conn_max_age"] == 600
    assert conf["q"]["redis"] == "redis://127.0.0.1:6379/0" and "orm" not in conf["q"]


def test_an_unparseable_redis_url_is_a_system_check_error(tmp_path):
    assert settings_with(tmp_path, REDIS_URL="not a url")["checks"] == ["classhub.E003"]


def test_unusable_clever_settings_are_system_check_errors(tmp_path):
    assert settings_with(tmp_path, CLEVER_API_BASE="api.clever.com")["checks"] == ["classhub.E001"]
    assert settings_with(tmp_path, CLEVER_CLIENT_ID="")["checks"] == ["classhub.E002"]


def test_clever_hosts_come_from_the_environment(tmp_path):
    conf = settings_with(tmp_path, CLEVER_API_BASE="http://127.0.0.1:9/", CLEVER_OAUTH_BASE="http://127.0.0.1:9")
    assert conf["clever"] == ["http://127.0.0.1:9", "http://127.0.0.1:9"]


def test_a_task_is_never_handed_to_a_second_worker_while_it_may_still_run():
    q = settings.Q_CLUSTER
    assert q["retry"] > q["timeout"]
    assert q["max_attempts"] >= 1


@pytest.mark.django_db
def test_the_live_sqlite_connection_uses_wal_and_a_busy_timeout():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite-only pragmas")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"


@pytest.mark.django_db
def test_the_configured_broker_carries_a_task_round_trip():
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage

    broker = get_broker()
    broker.enqueue(SignedPackage.dumps({"id": "probe", "func": "math.floor", "args": (2.5,), "kwargs": {}}))
    batch = []
    for _ in range(3):
        batch = broker.dequeue() or []
        if batch:
            break
    assert batch
    ack_id, payload = batch[0]
    assert SignedPackage.loads(payload)["func"] == "math.floor"
    broker.acknowledge(ack_id)
