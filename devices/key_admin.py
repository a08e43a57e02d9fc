"""The reps' device keys in the review console: list, make (the key shown once), rotate and revoke.

Registered from DevicesConfig.ready(), so devices/admin.py (device setups and readiness) stays its own module.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone

from classhub.errors import ClassHubError
from devices.keys import device_key_create, device_key_is_active, device_key_revoke, device_key_rotate
from devices.models import DeviceKey
from onboarding.admin import confirm_then_apply
from onboarding.models import District


class DeviceKeyAddForm(forms.Form):
    district = forms.CharField(label="District's Clever id", max_length=64)
    name = forms.CharField(label="What is it for?", max_length=100, required=False)

    def clean_district(self) -> District:
        clever_id = self.cleaned_data["district"].strip()
        district = District.objects.filter(clever_id=clever_id).first()
        if district is None:
            raise forms.ValidationError(f"No district has the Clever id {clever_id!r}.")
        return district


class RotateForm(forms.Form):
    grace_hours = forms.TypedChoiceField(
        label="The old keys stop working",
        choices=[(0, "now"), (1, "in 1 hour"), (24, "in 24 hours"), (168, "in 7 days")],
        coerce=int,
        initial=24,
    )


class KeyStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("active", "Active (or stopping later)"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "active":
            return queryset.exclude(revoked_at__lte=now)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__lte=now)
        return queryset


class DeviceKeyAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "district", "state", "created_at", "created_by", "last_used_at"]
    list_select_related = ["district", "created_by"]
    list_filter = [KeyStateFilter]
    search_fields = ["prefix", "district__clever_id", "district__name"]
    show_full_result_count = False
    readonly_fields = ["district", "name", "prefix", "created_at", "created_by", "revoked_at", "last_used_at"]
    exclude = ["key_hash"]
    actions = ["revoke_keys", "rotate_keys"]

    @admin.display(description="State")
    def state(self, key: DeviceKey) -> str:
        if key.revoked_at is None:
            return "active"
        return f"stops {key.revoked_at:%Y-%m-%d %H:%M}" if device_key_is_active(key) else "revoked"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked keys stay listed, for the audit trail

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None) -> HttpResponse:
        """Make a key through the service, and show it once (never a saved form, never a message)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DeviceKeyAddForm(request.POST or None)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Make a device key"}
        if request.method == "POST" and form.is_valid():
            key, plaintext = device_key_create(
                district=form.cleaned_data["district"], name=form.cleaned_data["name"], actor=request.user
            )
            response = TemplateResponse(
                request, "admin/devices/devicekey/shown_once.html", {**context, "made": [(key, plaintext)]}
            )
            response["Cache-Control"] = "no-store"
            return response
        return TemplateResponse(request, "admin/devices/devicekey/add.html", {**context, "form": form})

    @admin.action(description="Revoke the selected keys now", permissions=["change"])
    def revoke_keys(self, request: HttpRequest, queryset: QuerySet[DeviceKey]):
        return confirm_then_apply(
            self,
            request,
            queryset,
            action="revoke_keys",
            title="Revoke keys",
            explanation="Device agents using these keys are refused (401) from now on.",
            apply=lambda key: f"Revoked {device_key_revoke(key=key, actor=request.user).prefix}…",
        )

    @admin.action(description="Rotate the selected keys (new keys shown once)", permissions=["change"])
    def rotate_keys(self, request: HttpRequest, queryset: QuerySet[DeviceKey]):
        form = RotateForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if not (request.POST.get("confirm") == "yes" and form.is_valid()):
            return confirm_then_apply(
                self,
                request,
                queryset,
                action="rotate_keys",
                title="Rotate keys",
                explanation="Each key gets a replacement with the same name; the old ones stop when you choose.",
                apply=lambda key: "",
                form=form,
            )
        grace = dt.timedelta(hours=form.cleaned_data["grace_hours"])
        made = []
        for key in queryset.select_related("district"):
            try:
                made.append(device_key_rotate(key=key, actor=request.user, grace=grace))
            except ClassHubError as exc:
                self.message_user(request, f"Skipped {key}: {exc}", level=messages.WARNING)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "New device keys",
            "made": made,
        }
        response = TemplateResponse(request, "admin/devices/devicekey/shown_once.html", context)
        response["Cache-Control"] = "no-store"
        return response


admin.site.register(DeviceKey, DeviceKeyAdmin)
