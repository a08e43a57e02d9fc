"""The district admin's device keys in the portal: list, create, rotate, revoke (own district only).

A new key's plaintext is rendered once, in the response to the POST that made it, with caching forbidden;
it is never stored, so reloading the list cannot show it again.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from devices.keys import DeviceKeyError, device_key_create, device_key_revoke, device_key_rotate, device_keys_of
from devices.models import DeviceKey
from onboarding.models import District
from onboarding.selectors import portal_district_for

GRACE_CHOICES = [
    ("0", "Now"),
    ("1", "In 1 hour"),
    ("24", "In 24 hours"),
    ("168", "In 7 days"),
]


class DeviceKeyCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, label="What is it for?", help_text="e.g. Chrome extension, Windows agent"
    )


class DeviceKeyRotateForm(forms.Form):
    grace_hours = forms.TypedChoiceField(
        choices=GRACE_CHOICES, coerce=int, initial="24", label="The old key stops working"
    )


def _district_or_404(request: HttpRequest) -> District:
    district = portal_district_for(request.user)
    if district is None:
        raise Http404("Only a district admin of a ClassHub district manages its device keys.")
    return district


def _own_key(district: District, key_id: int) -> DeviceKey:
    return get_object_or_404(DeviceKey, pk=key_id, district=district)


def _shown_once(request: HttpRequest, *, district: District, key: DeviceKey, plaintext: str, rotated=None):
    response = render(
        request,
        "portal/device_keys/shown_once.html",
        {"district": district, "key": key, "plaintext": plaintext, "rotated": rotated},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@never_cache
def device_keys_page(request: HttpRequest) -> HttpResponse:
    district = _district_or_404(request)
    return render(
        request,
        "portal/device_keys/list.html",
        {
            "district": district,
            "keys": device_keys_of(district),
            "now": timezone.now(),
            "create_form": DeviceKeyCreateForm(),
            "rotate_form": DeviceKeyRotateForm(),
        },
    )


@login_required
@require_POST
def device_key_create_view(request: HttpRequest) -> HttpResponse:
    district = _district_or_404(request)
    form = DeviceKeyCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The name is too long (100 characters at most).")
        return redirect("portal:device-keys")
    key, plaintext = device_key_create(district=district, name=form.cleaned_data["name"], actor=request.user)
    return _shown_once(request, district=district, key=key, plaintext=plaintext)


@login_required
@require_POST
def device_key_rotate_view(request: HttpRequest, key_id: int) -> HttpResponse:
    district = _district_or_404(request)
    old = _own_key(district, key_id)
    form = DeviceKeyRotateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose when the old key stops working.")
        return redirect("portal:device-keys")
    try:
        new, plaintext = device_key_rotate(
            key=old, actor=request.user, grace=dt.timedelta(hours=form.cleaned_data["grace_hours"])
        )
    except DeviceKeyError as exc:
        messages.error(request, str(exc))
        return redirect("portal:device-keys")
    return _shown_once(request, district=district, key=new, plaintext=plaintext, rotated=old)


@login_required
@require_POST
def device_key_revoke_view(request: HttpRequest, key_id: int) -> HttpResponse:
    district = _district_or_404(request)
    key = _own_key(district, key_id)
    try:
        device_key_revoke(key=key, actor=request.user)
    except DeviceKeyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Key {key.prefix}… is revoked: devices using it are refused from now on.")
    return redirect("portal:device-keys")
