from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OnboardingConfig(AppConfig):
    name = "onboarding"
    verbose_name = "Onboarding"

    def ready(self) -> None:
        from onboarding import checks  # noqa: F401  (registers system checks)
        from onboarding.groups import groups_ensure
        from onboarding.schedules import schedules_ensure

        post_migrate.connect(schedules_ensure, sender=self, dispatch_uid="onboarding-schedules")
        post_migrate.connect(groups_ensure, sender=self, dispatch_uid="onboarding-groups")
