import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser
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
from onboarding.models import District


class Command(BaseCommand):
    help = (
        "A district's device keys for the device identify API: create (prints the key once), list, "
        "rotate or revoke (by --key-prefix, as `list` shows it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["create", "list", "rotate", "revoke"])
        parser.add_argument("clever_district_id", help="the district's Clever id")
        parser.add_argument("--name", default="", help="what the key is for (create), e.g. 'Chrome extension'")
        parser.add_argument(
            "--key-prefix", default="", help="the key to rotate or revoke: its prefix, e.g. chk_AbC12345"
        )
        parser.add_argument(
            "--grace-hours", type=float, default=0, help="rotate: hours the old key keeps working (default 0)"
        )
        parser.add_argument("--reason", default="", help="revoke: why, for the audit trail")

    def handle(self, *args, **options) -> None:
        clever_id = options["clever_district_id"].strip()
        district = District.objects.filter(clever_id=clever_id).first()
        if district is None:
            raise CommandError(f"No district with Clever id {clever_id!r}; `manage.py shell` can list District rows.")
        action = options["action"]
        try:
            if action == "create":
                key, plaintext = device_key_create(district=district, name=options["name"], actor=None)
                self.stdout.write(f"Created device key {key.prefix}… for {district.name}.")
                self.stdout.write("Copy it now, it is never shown again:")
                self.stdout.write(plaintext)
            elif action == "list":
                self.list_keys(district)
            elif action == "rotate":
                key = self.key_by_prefix(district, options["key_prefix"])
                grace = dt.timedelta(hours=options["grace_hours"])
                new, plaintext = device_key_rotate(key=key, actor=None, grace=grace)
                self.stdout.write(f"Rotated {key.prefix}…: it stops working at {key.revoked_at:%Y-%m-%d %H:%M} UTC.")
                self.stdout.write(f"New key {new.prefix}… — copy it now, it is never shown again:")
                self.stdout.write(plaintext)
            else:
                key = self.key_by_prefix(district, options["key_prefix"])
                device_key_revoke(key=key, actor=None, reason=options["reason"])
                self.stdout.write(self.style.SUCCESS(f"Revoked {key.prefix}… ({key.name or 'no name'})."))
        except DeviceKeyError as exc:
            raise CommandError(str(exc)) from exc

    def list_keys(self, district: District) -> None:
        keys = list(device_keys_of(district))
        if not keys:
            self.stdout.write(f"{district.name} has no device keys; create one with `device_key create`.")
            return
        now = timezone.now()
        self.stdout.write(f"{'prefix':<14} {'state':<8} {'created':<17} {'last used':<17} name")
        for key in keys:
            state = "active" if key.revoked_at is None else ("expiring" if key.revoked_at > now else "revoked")
            last = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(f"{key.prefix:<14} {state:<8} {key.created_at:%Y-%m-%d %H:%M} {last:<17} {key.name}")

    def key_by_prefix(self, district: District, prefix: str) -> DeviceKey:
        prefix = prefix.strip().rstrip("…")
        if not prefix:
            raise CommandError("Give the key with --key-prefix (as `device_key list` shows it).")
        keys = [
            k for k in DeviceKey.objects.filter(district=district, prefix__startswith=prefix) if device_key_is_active(k)
        ]
        if not keys:
            raise CommandError(f"{district.name} has no active device key starting with {prefix!r}.")
        if len(keys) > 1:
            raise CommandError(f"{len(keys)} active keys start with {prefix!r}; give more of the prefix.")
        return keys[0]
