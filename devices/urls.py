"""The portal's Devices pages, included from onboarding/urls.py so their names are portal:devices-*."""

from django.urls import path

from devices import views

# No app_name: these names join the including "portal" namespace (portal:devices, portal:devices-csv, ...).
urlpatterns = [
    path("", views.devices_page, name="devices"),
    path("setup/", views.devices_setup_save, name="devices-setup"),
    path("setup/default/", views.devices_setup_reset, name="devices-setup-reset"),
    path("not-ready.csv", views.devices_csv, name="devices-csv"),
]
