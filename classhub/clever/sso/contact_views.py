"""allauth's sign-in by one-time code, for district contacts (see contacts.py), with plain messages."""

from __future__ import annotations

from allauth.account.views import ConfirmLoginCodeView, RequestLoginCodeView
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.urls import reverse

from classhub.clever.sso.adapter import login_code_minutes
from classhub.clever.sso.forms import DistrictContactLoginCodeForm

CODE_NOT_VALID = (
    "That sign-in code has expired or was already used. Ask for a new code below; it is valid for a few minutes."
)


class DistrictContactRequestCodeView(RequestLoginCodeView):
    form_class = DistrictContactLoginCodeForm

    def form_valid(self, form) -> HttpResponse:
        # A shared device: whoever was signed in here is signed out before someone else's code is sent.
        if self.request.user.is_authenticated:
            logout(self.request)
        return super().form_valid(form)

    def get_success_url(self) -> str:
        return self.passthrough_next_url(reverse("account_confirm_login_code"))


class DistrictContactConfirmCodeView(ConfirmLoginCodeView):
    def dispatch(self, request, *args, **kwargs) -> HttpResponse:
        response = super().dispatch(request, *args, **kwargs)
        # allauth sends an expired or finished code back to the request page without a word.
        if getattr(self, "_process", None) is None and response.get("Location") == reverse(
            "account_request_login_code"
        ):
            messages.warning(request, CODE_NOT_VALID)
        return response

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "code_minutes": login_code_minutes()}


request_login_code = DistrictContactRequestCodeView.as_view()
confirm_login_code = DistrictContactConfirmCodeView.as_view()
