"""The rep's review console: thin admin pages whose actions call services after a confirmation page."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from classhub.errors import ClassHubError
from onboarding.models import AuditEvent, District, PurchaseStatus, RolloutPlanSchool, SchoolDecision, SharingRequest
from onboarding.services import district_purchase_record, sharing_request_approve, sharing_request_deny


def titled_filter(title: str):
    """A choices filter with its own title (two "By status" filters on one page confuse)."""

    class TitledChoicesFilter(admin.ChoicesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledChoicesFilter


def confirm_then_apply(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    explanation: str,
    apply,
) -> HttpResponse | None:
    """Show what an action will do to the selected rows; on confirmation apply it to each, reporting
    the ones whose state does not allow it instead of failing the whole batch."""
    objects = list(queryset)
    if request.POST.get("confirm") != "yes":
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": title,
            "explanation": explanation,
            "objects": objects,
            "action": action,
            "opts": modeladmin.model._meta,
        }
        return TemplateResponse(request, "admin/onboarding/confirm_action.html", context)
    for obj in objects:
        try:
            done = apply(obj)
        except ClassHubError as exc:
            modeladmin.message_user(request, f"Skipped {obj}: {exc}", level=messages.WARNING)
        else:
            modeladmin.message_user(request, done, level=messages.SUCCESS)
    return None


def purchase_actions(district_of):
    """The two purchase-status actions, for any admin whose rows lead to a district."""

    @admin.action(description="Mark purchased (moves it into review)…")
    def mark_purchased(modeladmin, request, queryset):
        def apply(obj):
            district = district_purchase_record(
                district=district_of(obj), purchase_status=PurchaseStatus.ALREADY_PURCHASED, actor=request.user
            )
            return f"{district.name} is marked purchased and is now {district.get_status_display().lower()}."

        return confirm_then_apply(
            modeladmin,
            request,
            queryset,
            action="mark_purchased",
            title="Mark purchased",
            explanation="Record that Clever notified these districts as already purchased. "
            "Districts waiting on a purchase move into review.",
            apply=apply,
        )

    @admin.action(description="Mark not purchased (sales follow-up)…")
    def mark_not_purchased(modeladmin, request, queryset):
        def apply(obj):
            district = district_purchase_record(
                district=district_of(obj), purchase_status=PurchaseStatus.HAVENT_PURCHASED, actor=request.user
            )
            return f"{district.name} is marked not purchased and is now {district.get_status_display().lower()}."

        return confirm_then_apply(
            modeladmin,
            request,
            queryset,
            action="mark_not_purchased",
            title="Mark not purchased",
            explanation="Record that Clever notified these districts as not purchased yet. "
            "They go to the sales follow-up queue instead of review.",
            apply=apply,
        )

    return [mark_purchased, mark_not_purchased]


class RolloutPlanSchoolInline(admin.TabularInline):
    model = RolloutPlanSchool
    extra = 1
    fields = ["name", "clever_school_id", "nces_id", "notes"]


class AuditEventInline(admin.TabularInline):
    model = AuditEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "action", "actor", "reason", "before", "after"]
    readonly_fields = fields
    ordering = ["-created_at", "-id"]
    verbose_name_plural = "History"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["name", "clever_id", "status", "purchase_status", "sharing_type", "connected_at"]
    list_filter = ["status", "purchase_status"]
    search_fields = ["clever_id", "name"]
    show_full_result_count = False
    # Status and purchase change only through actions, which audit them.
    readonly_fields = [
        "clever_id",
        "status",
        "purchase_status",
        "connected_at",
        "disconnected_at",
        "created_at",
        "updated_at",
    ]
    actions = purchase_actions(lambda district: district)
    fields = [
        "name",
        "clever_id",
        "status",
        "purchase_status",
        "sharing_type",
        ("contact_name", "contact_email", "contact_title"),
        ("connected_at", "disconnected_at"),
        ("created_at", "updated_at"),
    ]
    inlines = [RolloutPlanSchoolInline, AuditEventInline]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a district's history and data are kept; a connection removed in Clever disconnects it


class SchoolDecisionInline(admin.TabularInline):
    model = SchoolDecision
    extra = 0
    can_delete = False
    fields = ["school_name", "clever_school_id", "nces_id", "in_rollout_plan", "decision", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SharingRequest)
class SharingRequestAdmin(admin.ModelAdmin):
    list_display = [
        "district",
        "status",
        "district_status",
        "purchase_status",
        "sharing_type",
        "created_at",
        "decided_by",
    ]
    list_filter = [("status", titled_filter("request status")), ("district__status", titled_filter("district status"))]
    list_select_related = ["district", "decided_by"]
    search_fields = ["district__clever_id", "district__name"]
    show_full_result_count = False
    readonly_fields = ["district", "status", "purchase_status", "decided_by", "decided_at", "reason", "created_at"]
    fields = [
        "district",
        "status",
        "purchase_status",
        "sharing_type",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
    ]
    inlines = [SchoolDecisionInline]
    actions = ["approve_requests", "deny_requests", *purchase_actions(lambda sharing_request: sharing_request.district)]

    @admin.display(description="District status", ordering="district__status")
    def district_status(self, obj: SharingRequest) -> str:
        return obj.district.get_status_display()

    def has_add_permission(self, request) -> bool:
        return False  # requests come from Clever connections, not from reps

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # every decision stays on record

    @admin.action(description="Approve selected requests…")
    def approve_requests(self, request: HttpRequest, queryset: QuerySet[SharingRequest]) -> HttpResponse | None:
        requests_ = list(queryset.select_related("district").prefetch_related("school_decisions"))
        if request.POST.get("confirm") == "yes":
            for sharing_request in requests_:
                chosen = request.POST.getlist(f"schools-{sharing_request.pk}")
                reason = request.POST.get("reason", "").strip()
                try:
                    sharing_request_approve(
                        request=sharing_request, school_ids=chosen, actor=request.user, reason=reason
                    )
                except ClassHubError as exc:
                    self.message_user(request, str(exc), level=messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"Approved {len(chosen)} school(s) of {sharing_request.district.name}; the import is queued.",
                        level=messages.SUCCESS,
                    )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Approve sharing requests",
            "requests": requests_,
            "queryset": queryset,
            "action": "approve_requests",
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/onboarding/sharingrequest/approve_confirmation.html", context)

    @admin.action(description="Deny selected requests…")
    def deny_requests(self, request: HttpRequest, queryset: QuerySet[SharingRequest]) -> HttpResponse | None:
        requests_ = list(queryset.select_related("district"))
        reason = request.POST.get("reason", "").strip()
        error = ""
        if request.POST.get("confirm") == "yes":
            if not reason:
                error = "Write the reason the district will read before denying."
            else:
                for sharing_request in requests_:
                    try:
                        sharing_request_deny(request=sharing_request, actor=request.user, reason=reason)
                    except ClassHubError as exc:
                        self.message_user(request, str(exc), level=messages.ERROR)
                    else:
                        self.message_user(
                            request,
                            f"Denied the request of {sharing_request.district.name}.",
                            level=messages.SUCCESS,
                        )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Deny sharing requests",
            "requests": requests_,
            "queryset": queryset,
            "action": "deny_requests",
            "opts": self.model._meta,
            "reason": reason,
            "error": error,
        }
        return TemplateResponse(request, "admin/onboarding/sharingrequest/deny_confirmation.html", context)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["created_at", "district", "action", "actor", "reason"]
    list_filter = ["action"]
    list_select_related = ["district", "actor"]
    search_fields = ["district__clever_id", "district__name", "action"]
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
