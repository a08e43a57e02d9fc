from django.apps import AppConfig
from django.db.models.signals import post_migrate


class RostersConfig(AppConfig):
    name = "rosters"
    verbose_name = "Rosters"

    def ready(self) -> None:
        from rosters.schedules import schedules_ensure

        post_migrate.connect(schedules_ensure, sender=self, dispatch_uid="rosters-schedules")
