"""Reps' admin for device setups (saved through the service: validated and audited) and the readiness report."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from devices.exports import not_ready_csv
from devices.forms import DOMAINS_HELP
from devices.models import DeviceSetup, DomainKind, Platform, SetupDomain
from devices.services import DeviceSetupInvalid, device_setup_clean, device_setup_delete, device_setup_save
from devices.views import report_context
from onboarding.models import District


class DeviceSetupAdminForm(forms.ModelForm):
    platforms = forms.MultipleChoiceField(
        label="Devices the students use", choices=Platform.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    google_domains = forms.CharField(
        label="Google Workspace domains (Chromebooks)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=DOMAINS_HELP,
    )
    windows_domains = forms.CharField(
        label="Windows domains (Windows, and Macs and iPads on a Windows domain)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=DOMAINS_HELP,
    )

    class Meta:
        model = DeviceSetup
        fields = ["district", "school", "platforms"]
        help_texts = {"school": "Leave empty for the district default (schools without a setup of their own)."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            by_kind: dict[str, list[str]] = {DomainKind.GOOGLE: [], DomainKind.WINDOWS: []}
            for d in self.instance.domains.order_by("id"):
                by_kind[d.kind].append(d.domain)
            self.initial.setdefault("google_domains", "\n".join(by_kind[DomainKind.GOOGLE]))
            self.initial.setdefault("windows_domains", "\n".join(by_kind[DomainKind.WINDOWS]))

    def clean(self):
        data = super().clean()
        district, school = data.get("district"), data.get("school")
        if school is not None and district is not None and school.district_id != district.pk:
            self.add_error("school", f"{school.name} is a school of another district than {district.name}.")
        elif school is not None and school.archived_at is not None:
            self.add_error("school", f"{school.name} is archived (Clever no longer shares it): it needs no setup.")
        try:
            device_setup_clean(
                platforms=data.get("platforms") or [],
                google_domains=data.get("google_domains", ""),
                windows_domains=data.get("windows_domains", ""),
                where=school.name if school else "the district's schools",
            )
        except DeviceSetupInvalid as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    self.add_error(name if name in self.fields else None, error)
        return data


class SetupDomainInline(admin.TabularInline):
    """The domains as saved; they change through the form's domain boxes, so the service checks them."""

    model = SetupDomain
    fields = ["kind", "domain"]
    readonly_fields = ["kind", "domain"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DeviceSetup)
class DeviceSetupAdmin(admin.ModelAdmin):
    form = DeviceSetupAdminForm
    inlines = [SetupDomainInline]
    list_display = ["district", "scope", "platform_list", "updated_at", "updated_by", "report_link"]
    list_select_related = ["district", "school", "updated_by"]
    search_fields = ["=district__clever_id", "=school__clever_id"]  # exact, indexed lookups only
    raw_id_fields = ["district", "school"]
    show_full_result_count = False
    readonly_fields = ["updated_at", "updated_by"]

    @admin.display(description="Applies to")
    def scope(self, obj: DeviceSetup) -> str:
        return obj.school.name if obj.school_id else "District default"

    @admin.display(description="Devices")
    def platform_list(self, obj: DeviceSetup) -> str:
        return ", ".join(Platform(p).label for p in obj.platforms if p in Platform.values)

    @admin.display(description="Readiness")
    def report_link(self, obj: DeviceSetup) -> str:
        return format_html('<a href="{}">Report</a>', reverse("admin:devices_readiness_report", args=[obj.district_id]))

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            old = DeviceSetup.objects.get(pk=obj.pk)
            if (old.district_id, old.school_id) != (obj.district_id, obj.school_id) and old.school_id:
                device_setup_delete(district=old.district, school=old.school, actor=request.user)
        setup = device_setup_save(
            district=data["district"],
            school=data.get("school"),
            platforms=data["platforms"],
            google_domains=data["google_domains"],
            windows_domains=data["windows_domains"],
            actor=request.user,
        )
        obj.pk, obj.platforms = setup.pk, setup.platforms

    def save_related(self, request, form, formsets, change):
        # The service saved the domains; the inline only shows them, so it has nothing to save.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        if obj.school_id:
            device_setup_delete(district=obj.district, school=obj.school, actor=request.user)
        else:
            self.message_user(request, "The district default stays: change it instead.", level=messages.WARNING)

    def has_delete_permission(self, request, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and (obj is None or obj.school_id is not None)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one, through the service, so each is audited
        return actions

    def get_urls(self):
        report = self.admin_site.admin_view(self.readiness_report_view)
        csv_view = self.admin_site.admin_view(self.readiness_csv_view)
        return [
            path("readiness/<int:district_id>/", report, name="devices_readiness_report"),
            path("readiness/<int:district_id>/not-ready.csv", csv_view, name="devices_readiness_csv"),
            *super().get_urls(),
        ]

    def readiness_report_view(self, request, district_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        district = get_object_or_404(District, pk=district_id)
        context = {
            **self.admin_site.each_context(request),
            **report_context(request, district=district),
            "title": f"Device sign-in readiness: {district.name}",
            "opts": self.model._meta,
            "csv_url": reverse("admin:devices_readiness_csv", args=[district.pk]),
            "setups_url": reverse("admin:devices_devicesetup_changelist") + f"?q={district.clever_id}",
            "district_url": reverse("admin:onboarding_district_change", args=[district.pk]),
        }
        return TemplateResponse(request, "admin/devices/readiness.html", context)

    def readiness_csv_view(self, request, district_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return not_ready_csv(get_object_or_404(District, pk=district_id))
