"""The help guide inside the portal, included from onboarding/urls.py so its name is portal:help."""

from django.urls import path

from helpcenter import views

# No app_name: the name joins the including "portal" namespace (portal:help), as devices/urls.py does.
urlpatterns = [
    path("", views.portal_help_guide, name="help"),
]
