"""The portal's device key pages, included from onboarding/urls.py so their names are portal:device-key*."""

from django.urls import path

from devices import key_views

# No app_name: these names join the including "portal" namespace.
urlpatterns = [
    path("", key_views.device_keys_page, name="device-keys"),
    path("create/", key_views.device_key_create_view, name="device-key-create"),
    path("<int:key_id>/rotate/", key_views.device_key_rotate_view, name="device-key-rotate"),
    path("<int:key_id>/revoke/", key_views.device_key_revoke_view, name="device-key-revoke"),
]
