"""Sign-in routes under /accounts/: Log in with Clever, and the district contacts' one-time code.

allauth includes this module (the provider's urls) from classhub/urls.py's account patterns, so the
code routes live here beside the Clever ones rather than as allauth's full account URL set, which
would bring back password, email and sign-up pages.
"""

from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns
from django.urls import path

from classhub.clever.sso import contact_views
from classhub.clever.sso.provider import ConfiguredCleverProvider

urlpatterns = [
    *default_urlpatterns(ConfiguredCleverProvider),
    path("login/code/", contact_views.request_login_code, name="account_request_login_code"),
    path("login/code/confirm/", contact_views.confirm_login_code, name="account_confirm_login_code"),
]
