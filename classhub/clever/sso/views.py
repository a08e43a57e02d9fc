"""The OAuth2 adapter for Clever, with both hosts read from settings at call time."""

from __future__ import annotations

from http import HTTPStatus

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.base.constants import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Client, OAuth2Error
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2Adapter,
    OAuth2CallbackView,
    OAuth2LoginView,
)
from django.conf import settings
from django.http import HttpRequest, HttpResponse

from classhub.clever.parsing import mapping


class CleverCodeRefused(OAuth2Error):
    """Clever refused the sign-in code: it expired, was used already, or was never issued (400)."""


class CleverUnavailable(OAuth2Error):
    """Clever could not complete the sign-in: an outage, a rate limit, or ClassHub's credentials (401)."""


class CleverOAuth2Client(OAuth2Client):
    """The code exchange as Clever documents it: HTTP Basic client authentication, typed failures.

    allauth's client reports every failure alike; telling "your code expired" from "Clever is down"
    lets the sign-in page say the right thing.
    """

    def get_access_token(self, code, pkce_code_verifier=None, extra_data=None) -> dict:
        form = {"code": code, "grant_type": "authorization_code", "redirect_uri": self.callback_url}
        try:
            with get_adapter().get_requests_session() as session:
                response = session.post(
                    self.access_token_url,
                    data=form,
                    auth=requests.auth.HTTPBasicAuth(self.consumer_key, self.consumer_secret),
                    timeout=settings.CLEVER_TIMEOUT_SECONDS,
                )
        except requests.RequestException as exc:
            raise CleverUnavailable(f"Clever's token endpoint did not answer: {exc}") from exc
        if response.status_code == HTTPStatus.BAD_REQUEST:
            raise CleverCodeRefused(f"Clever refused the code: {response.text[:300]}")
        if response.status_code != HTTPStatus.OK:
            raise CleverUnavailable(f"Clever's token endpoint answered {response.status_code}: {response.text[:300]}")
        try:
            body = mapping(response.json())
        except ValueError as exc:
            raise CleverUnavailable("Clever's token answer is not JSON.") from exc
        if not isinstance(body.get("access_token"), str) or not body["access_token"]:
            raise CleverUnavailable("Clever's token answer has no access token.")
        return body


class ConfiguredCleverOAuth2Adapter(OAuth2Adapter):
    provider_id = "clever"
    client_class = CleverOAuth2Client
    # Kept for anything that reads allauth's flag; CleverOAuth2Client always uses Basic auth.
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
        me = mapping(self._get_json(self.identity_url, token))
        user_id = mapping(me.get("data")).get("id")
        if not isinstance(user_id, str) or not user_id:
            raise CleverUnavailable("Clever's /me answer has no user id.")
        details = mapping(self._get_json(self.user_url(user_id), token))
        record = mapping(details.get("data"))
        # The account is keyed on this id: it must be the one /me vouched for.
        if record.get("id") != user_id:
            raise CleverUnavailable("Clever's user record is not the user who signed in.")
        return {**details, "data": record}

    @staticmethod
    def _get_json(url: str, token: str):
        try:
            with get_adapter().get_requests_session() as session:
                response = session.get(
                    url, headers={"Authorization": f"Bearer {token}"}, timeout=settings.CLEVER_TIMEOUT_SECONDS
                )
            if response.status_code != HTTPStatus.OK:
                raise CleverUnavailable(f"{url} answered {response.status_code}.")
            return response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CleverUnavailable(f"{url} could not be read: {exc}") from exc


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
