"""The OAuth2 adapter for Clever, with both hosts read from settings at call time."""

from http import HTTPStatus

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.http import HttpRequest, HttpResponse


class ConfiguredCleverOAuth2Adapter(OAuth2Adapter):
    provider_id = "clever"
    # Clever documents HTTP Basic auth for the code exchange.
    basic_auth = True

    @property
    def access_token_url(self) -> str:
        return f"{settings.CLEVER_OAUTH_BASE}/oauth/tokens"

    @property
    def authorize_url(self) -> str:
        return f"{settings.CLEVER_OAUTH_BASE}/oauth/authorize"

    @property
    def identity_url(self) -> str:
        return f"{settings.CLEVER_API_BASE}/v3.0/me"

    def user_url(self, user_id: str) -> str:
        return f"{settings.CLEVER_API_BASE}/v3.0/users/{user_id}"

    def complete_login(self, request, app, token, **kwargs):
        return self.get_provider().sociallogin_from_response(request, self.get_data(token.token))

    def get_data(self, token: str) -> dict:
        """Who signed in (/me), then their roles (/users/{id}); /me alone has no roles."""
        headers = {"Authorization": f"Bearer {token}"}
        timeout = settings.CLEVER_TIMEOUT_SECONDS
        with get_adapter().get_requests_session() as session:
            me = session.get(self.identity_url, headers=headers, timeout=timeout)
            if me.status_code != HTTPStatus.OK:
                raise OAuth2Error("Clever did not confirm who signed in.")
            user_id = (me.json().get("data") or {}).get("id")
            if not user_id:
                raise OAuth2Error("Clever's answer has no user id.")
            details = session.get(self.user_url(user_id), headers=headers, timeout=timeout)
            if details.status_code != HTTPStatus.OK:
                raise OAuth2Error("Clever did not return the signed-in user's record.")
            return details.json()


oauth2_login = OAuth2LoginView.adapter_view(ConfiguredCleverOAuth2Adapter)
_allauth_callback = OAuth2CallbackView.adapter_view(ConfiguredCleverOAuth2Adapter)


def oauth2_callback(request: HttpRequest) -> HttpResponse:
    """Clever's redirect back to us, including launches from the Clever Portal and Instant Login links.

    Those arrive with a code and no state, which cannot be checked against this browser. As Clever
    advises, start the authorize request again with a fresh state: a person signed in to Clever comes
    straight back, now with a state we issued.
    """
    if request.method == "GET" and request.GET.get("code") and not request.GET.get("state"):
        provider = get_adapter().get_provider(request, ConfiguredCleverOAuth2Adapter.provider_id)
        return provider.redirect(request, process=AuthProcess.LOGIN)
    return _allauth_callback(request)
