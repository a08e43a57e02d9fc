from django.apps import AppConfig


class HelpCenterConfig(AppConfig):
    name = "helpcenter"
    verbose_name = "Help for district admins"
