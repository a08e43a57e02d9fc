"""Device keys: the services, `manage.py device_key`, the district admin's portal pages and the reps' admin."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from devices.keys import (
    DeviceKeyError,
    device_key_create,
    device_key_is_active,
    device_key_revoke,
    device_key_rotate,
    device_keys_of,
)
from devices.models import DeviceKey
from onboarding.models import AuditEvent
from tests.devices import identify_data as data
from tests.rosters.test_issue_exports import clever_district_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def district():
    return data.district("Lincoln USD")


def all_audit_text() -> str:
    return json.dumps(list(AuditEvent.objects.values("action", "before", "after", "reason", "subject_id")))


def test_a_new_key_is_stored_as_a_hash_and_audited_without_its_plaintext(district, rep):
    key, plaintext = device_key_create(district=district, name="  Chrome extension ", actor=rep)
    assert plaintext.startswith("chk_") and len(plaintext) >= 40
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert key.prefix == plaintext[:12]
    assert key.name == "Chrome extension" and key.created_by == rep
    assert plaintext not in json.dumps(list(DeviceKey.objects.values()), default=str)
    event = AuditEvent.objects.get(action="devices.key.created")
    assert event.district == district and event.actor == rep and event.after["prefix"] == key.prefix
    assert plaintext not in all_audit_text() and key.key_hash not in all_audit_text()
    assert device_key_create(district=district, name="", actor=rep)[1] != plaintext


def test_rotation_makes_a_new_key_and_revokes_the_old_now_or_after_a_grace_period(district, rep):
    old, _ = device_key_create(district=district, name="Windows agent", actor=rep)
    new, plaintext = device_key_rotate(key=old, actor=rep)
    old.refresh_from_db()
    assert not device_key_is_active(old) and device_key_is_active(new)
    assert new.name == "Windows agent" and new.district == district
    event = AuditEvent.objects.get(action="devices.key.rotated")
    assert event.after["replaced_by"] == new.prefix and plaintext not in all_audit_text()
    with pytest.raises(DeviceKeyError, match="revoked"):
        device_key_rotate(key=old, actor=rep)

    later, _ = device_key_rotate(key=new, actor=rep, grace=dt.timedelta(hours=24))
    new.refresh_from_db()
    assert device_key_is_active(new) and new.revoked_at > timezone.now() + dt.timedelta(hours=23)
    assert not device_key_is_active(new, now=timezone.now() + dt.timedelta(hours=25))
    with pytest.raises(DeviceKeyError, match="grace period"):
        device_key_rotate(key=later, actor=rep, grace=dt.timedelta(days=31))


def test_revoking_is_audited_and_only_once(district, rep):
    key, _ = device_key_create(district=district, name="", actor=rep)
    device_key_revoke(key=key, actor=rep, reason="laptop lost")
    assert AuditEvent.objects.get(action="devices.key.revoked").reason == "laptop lost"
    with pytest.raises(DeviceKeyError, match="already revoked"):
        device_key_revoke(key=key, actor=rep)
    other = data.district("Other")
    device_key_create(district=other, name="", actor=rep)
    assert list(device_keys_of(district)) == [key]


# ----- manage.py device_key ------------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command("device_key", *args, stdout=out)
    return out.getvalue()


def test_the_command_creates_lists_rotates_and_revokes(district):
    created = run("create", district.clever_id, "--name", "Chrome extension")
    plaintext = created.strip().splitlines()[-1]
    key = DeviceKey.objects.get(district=district)
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    listing = run("list", district.clever_id)
    assert key.prefix in listing and "active" in listing and "Chrome extension" in listing
    assert plaintext not in listing
    rotated = run("rotate", district.clever_id, "--key-prefix", key.prefix, "--grace-hours", "2")
    new = DeviceKey.objects.filter(district=district).exclude(pk=key.pk).get()
    assert rotated.strip().splitlines()[-1].startswith(new.prefix)
    assert "expiring" in run("list", district.clever_id)
    run("revoke", district.clever_id, "--key-prefix", new.prefix + "…")
    new.refresh_from_db()
    assert not device_key_is_active(new)


def test_the_command_explains_what_is_wrong(district):
    with pytest.raises(CommandError, match="No district with Clever id 'nope'"):
        run("list", "nope")
    assert "no device keys" in run("list", district.clever_id)
    with pytest.raises(CommandError, match="--key-prefix"):
        run("revoke", district.clever_id)
    with pytest.raises(CommandError, match="no active device key"):
        run("revoke", district.clever_id, "--key-prefix", "chk_missing")
    device_key_create(district=district, name="", actor=None)
    device_key_create(district=district, name="", actor=None)
    with pytest.raises(CommandError, match="2 active keys"):
        run("revoke", district.clever_id, "--key-prefix", "chk_")


# ----- the portal ----------------------------------------------------------------------------------------


@pytest.fixture
def admin_client(district, django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clever_district_admin(django_user_model, district_clever_id=district.clever_id))
    return client


def csrf_post(client: Client, url: str, data: dict | None = None):
    page = client.get(reverse("portal:device-keys"))
    token = page.cookies["csrftoken"].value
    return client.post(url, {**(data or {}), "csrfmiddlewaretoken": token})


def test_a_district_admin_makes_a_key_and_sees_it_once(admin_client, district):
    page = admin_client.get(reverse("portal:device-keys"))
    assert page.status_code == 200 and b"No device keys yet" in page.content
    shown = csrf_post(admin_client, reverse("portal:device-key-create"), {"name": "Chrome extension"})
    assert shown.status_code == 200
    assert shown["Cache-Control"] == "no-store"
    key = DeviceKey.objects.get(district=district)
    html = shown.content.decode()
    plaintext = html.split('id="device-key" type="text" readonly value="')[1].split('"')[0]
    assert key.key_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    assert "shown only this once" in html and "device-key-copy.js" in html
    listing = admin_client.get(reverse("portal:device-keys")).content.decode()
    assert key.prefix in listing and "Chrome extension" in listing and plaintext not in listing
    assert AuditEvent.objects.get(action="devices.key.created").actor is not None


def test_a_district_admin_rotates_and_revokes_their_keys(admin_client, district):
    key, _ = device_key_create(district=district, name="Windows agent", actor=None)
    shown = csrf_post(admin_client, reverse("portal:device-key-rotate", args=[key.pk]), {"grace_hours": "24"})
    assert shown.status_code == 200 and b"shown only this once" in shown.content
    key.refresh_from_db()
    assert device_key_is_active(key) and key.revoked_at > timezone.now()
    new = DeviceKey.objects.exclude(pk=key.pk).get()
    revoked = csrf_post(admin_client, reverse("portal:device-key-revoke", args=[new.pk]))
    assert revoked.status_code == 302
    new.refresh_from_db()
    assert not device_key_is_active(new)
    listing = admin_client.get(reverse("portal:device-keys")).content.decode()
    assert "Revoked" in listing and "Stops" in listing


def test_the_portal_pages_need_csrf_post_and_the_own_district(admin_client, district, client, django_user_model):
    key, _ = device_key_create(district=district, name="", actor=None)
    other = data.district("Other USD")
    theirs, _ = device_key_create(district=other, name="", actor=None)
    # No CSRF token: refused, nothing changes.
    assert admin_client.post(reverse("portal:device-key-revoke", args=[key.pk])).status_code == 403
    assert admin_client.get(reverse("portal:device-key-revoke", args=[key.pk])).status_code == 405
    # Another district's key: not found, and untouched.
    assert csrf_post(admin_client, reverse("portal:device-key-revoke", args=[theirs.pk])).status_code == 404
    assert csrf_post(admin_client, reverse("portal:device-key-rotate", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert theirs.prefix not in admin_client.get(reverse("portal:device-keys")).content.decode()
    # Signed out: sign in first; a signed-in teacher or a user of no district: not found.
    assert client.get(reverse("portal:device-keys")).status_code == 302
    client.force_login(django_user_model.objects.create_user(username="nobody"))
    assert client.get(reverse("portal:device-keys")).status_code == 404


# ----- the admin -----------------------------------------------------------------------------------------


def test_a_rep_makes_a_key_in_the_admin_and_sees_it_once(client, rep, district):
    client.force_login(rep)
    url = reverse("admin:devices_devicekey_add")
    assert b"Clever id" in client.get(url).content
    assert b"No district has the Clever id" in client.post(url, {"district": "nope", "name": "x"}).content
    shown = client.post(url, {"district": district.clever_id, "name": "Chrome extension"})
    assert shown.status_code == 200 and b"shown only this once" in shown.content
    key = DeviceKey.objects.get(district=district)
    assert key.created_by == rep
    listing = client.get(reverse("admin:devices_devicekey_changelist"))
    assert key.prefix.encode() in listing.content
    change = client.get(reverse("admin:devices_devicekey_change", args=[key.pk]))
    assert change.status_code == 200 and key.key_hash.encode() not in change.content


def test_a_rep_revokes_and_rotates_keys_with_admin_actions(client, rep, district):
    client.force_login(rep)
    one, _ = device_key_create(district=district, name="one", actor=None)
    two, _ = device_key_create(district=district, name="two", actor=None)
    url = reverse("admin:devices_devicekey_changelist")
    confirm = client.post(url, {"action": "revoke_keys", "_selected_action": [one.pk]})
    assert confirm.status_code == 200 and b"refused (401)" in confirm.content
    client.post(url, {"action": "revoke_keys", "_selected_action": [one.pk], "confirm": "yes"})
    one.refresh_from_db()
    assert not device_key_is_active(one)
    page = client.post(url, {"action": "rotate_keys", "_selected_action": [two.pk]})
    assert b"grace_hours" in page.content
    shown = client.post(
        url, {"action": "rotate_keys", "_selected_action": [two.pk], "confirm": "yes", "grace_hours": "0"}
    )
    assert shown.status_code == 200 and b"shown only this once" in shown.content
    two.refresh_from_db()
    assert not device_key_is_active(two)
    assert DeviceKey.objects.filter(district=district, name="two", revoked_at=None).count() == 1
