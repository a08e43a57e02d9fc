from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "devices"
    verbose_name = "Devices"

    def ready(self) -> None:
        # The device keys' admin lives in its own module (devices/admin.py is the setups' and readiness's).
        from devices import checks, key_admin  # noqa: F401
