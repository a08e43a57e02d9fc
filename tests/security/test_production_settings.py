"""Production settings (CLASSHUB_ENV=production): secure cookies, HSTS, HTTPS only, and a clean `check --deploy`."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOST = "portal.classhub.example"

PROBE = f"""
import json, os
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "classhub.settings"
django.setup()
from django.conf import settings
from django.test import Client

client = Client()
plain = client.get("/accounts/login/", HTTP_HOST="{HOST}")
secure = client.get("/no-such-page/", HTTP_HOST="{HOST}", secure=True)
print(json.dumps({{
    "debug": settings.DEBUG,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "session_cookie_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "hsts_seconds": settings.SECURE_HSTS_SECONDS,
    "http_status": plain.status_code,
    "http_location": plain.get("Location"),
    "hsts_header": secure.get("Strict-Transport-Security"),
}}))
"""


def production_env(tmp_path, **extra) -> dict[str, str]:
    """What README.md says production needs, and nothing of this machine's Clever or database settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "REDIS_URL", "CLEVER_", "DJANGO_"))}
    env.update(
        CLASSHUB_ENV="production",
        CLASSHUB_DATA_DIR=str(tmp_path / "data"),
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        CLEVER_CLIENT_ID="classhub-production-client",
        CLEVER_CLIENT_SECRET=secrets.token_urlsafe(32),
        **extra,
    )
    return env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )


def test_check_deploy_reports_no_issues_with_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_production_cookies_are_secure_and_plain_http_is_redirected_with_hsts(tmp_path):
    result = run(["-c", PROBE], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    conf = json.loads(result.stdout.strip().splitlines()[-1])
    assert conf["debug"] is False
    assert conf["session_cookie_secure"] and conf["session_cookie_httponly"] and conf["csrf_cookie_secure"]
    assert conf["ssl_redirect"] and conf["hsts_seconds"] >= 31536000
    assert conf["http_status"] == 301 and conf["http_location"] == f"https://{HOST}/accounts/login/"
    assert conf["hsts_header"] == "max-age=31536000; includeSubDomains; preload"


def test_production_refuses_to_start_without_its_secret_key(tmp_path):
    env = production_env(tmp_path)
    env.pop("DJANGO_SECRET_KEY")
    result = run(["manage.py", "check", "--deploy"], env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr
