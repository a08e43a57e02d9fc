from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from classhub.clever.sso.provider import ConfiguredCleverProvider

urlpatterns = default_urlpatterns(ConfiguredCleverProvider)
