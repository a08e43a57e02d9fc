from django.apps import AppConfig


class CleverConfig(AppConfig):
    name = "classhub.clever"
    label = "clever"
    verbose_name = "Clever integration"
