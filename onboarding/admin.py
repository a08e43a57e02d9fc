"""The rep's review console: thin admin pages whose actions call services after a confirmation page."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from classhub.errors import ClassHubError
from onboarding.audit import audit_record
from onboarding.emails import email_resend
from onboarding.forms import OnboardingSessionForm
from onboarding.models import (
    AuditEvent,
    District,
    DistrictStatus,
    EmailLog,
    OnboardingSession,
    PurchaseStatus,
    RequestStatus,
    RolloutPlanSchool,
    SchoolDecision,
    SharingRequest,
)
from onboarding.policy import recommend
from onboarding.services import (
    district_go_live,
    district_purchase_record,
    onboarding_schedule,
    sharing_request_approve,
    sharing_request_deny,
)
from onboarding.services.review import sharing_request_dry_run_queue
from onboarding.services.scheduling import local_start


def titled_filter(title: str):
    """A choices filter with its own title (two "By status" filters on one page confuse)."""

    class TitledChoicesFilter(admin.ChoicesFieldListFilter):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.title = title

    return TitledChoicesFilter


def has_perm(codename: str) -> Callable:
    """A ``has_<name>_permission`` method for admin actions guarded by one of our custom permissions."""

    def check(self, request: HttpRequest) -> bool:
        return request.user.has_perm(f"onboarding.{codename}")

    return check


def confirm_then_apply(
    modeladmin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    *,
    action: str,
    title: str,
    explanation: str,
    apply: Callable,
    form=None,
) -> HttpResponse | None:
    """Show what an action will do to the selected rows; on confirmation apply it to each, reporting
    (and skipping) the ones whose state does not allow it instead of failing the whole batch."""
    objects = list(queryset)
    if request.POST.get("confirm") == "yes" and (form is None or form.is_valid()):
        for obj in objects:
            try:
                done = apply(obj)
            except ClassHubError as exc:
                modeladmin.message_user(request, f"Skipped {obj}: {exc}", level=messages.WARNING)
            else:
                modeladmin.message_user(request, done, level=messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "explanation": explanation,
        "objects": objects,
        "action": action,
        "form": form,
        "opts": modeladmin.model._meta,
    }
    return TemplateResponse(request, "admin/onboarding/confirm_action.html", context)


def session_initial(queryset: QuerySet[District]) -> dict:
    """Rescheduling one district starts from its current session, in the zone the rep chose."""
    districts = list(queryset[:2])
    session = OnboardingSession.objects.filter(district__in=districts).first() if len(districts) == 1 else None
    if session is None:
        return {}
    local = timezone.localtime(session.starts_at, ZoneInfo(session.time_zone))
    return {
        "date": local.date(),
        "time": local.time().replace(second=0, microsecond=0),
        "time_zone": session.time_zone,
        "duration_minutes": session.duration_minutes,
        "notes": session.notes,
    }


def purchase_action(*, district_of: Callable, status: PurchaseStatus, name: str, description: str, explanation: str):
    """An admin action that records the purchase status Clever notified, for rows that lead to a district."""

    def action(modeladmin, request, queryset):
        def apply(obj):
            district = district_purchase_record(district=district_of(obj), purchase_status=status, actor=request.user)
            return (
                f"{district.name} is marked {status.label.lower()}; it is now {district.get_status_display().lower()}."
            )

        return confirm_then_apply(
            modeladmin,
            request,
            queryset,
            action=name,
            title=description.rstrip("…"),
            explanation=explanation,
            apply=apply,
        )

    action.__name__ = name
    return admin.action(description=description, permissions=["review"])(action)


def purchase_actions(district_of: Callable) -> list[Callable]:
    """The two purchase-status actions."""
    return [
        purchase_action(
            district_of=district_of,
            status=PurchaseStatus.ALREADY_PURCHASED,
            name="mark_purchased",
            description="Mark purchased…",
            explanation="Record that these districts have purchased ClassHub (as Clever's partner dashboard shows). "
            "Districts waiting on a purchase move into review, and their contact is told the request is under review.",
        ),
        purchase_action(
            district_of=district_of,
            status=PurchaseStatus.HAVENT_PURCHASED,
            name="mark_not_purchased",
            description="Mark not purchased…",
            explanation="Record that these districts have not purchased ClassHub yet. They go to the sales "
            "follow-up queue, and the sales inbox gets the district, its contact and its shared schools.",
        ),
    ]


class RolloutPlanSchoolInline(admin.TabularInline):
    model = RolloutPlanSchool
    extra = 1
    fields = ["name", "clever_school_id", "nces_id", "notes"]
    verbose_name_plural = "Rollout plan (schools agreed with the district; match by Clever id, NCES id or name)"


class OnboardingSessionInline(admin.StackedInline):
    model = OnboardingSession
    extra = 0
    can_delete = False
    fields = ["starts_at", "time_zone", "duration_minutes", "notes", "sequence", "scheduled_by"]
    readonly_fields = fields
    verbose_name_plural = "Onboarding session (use the “Schedule onboarding session” action)"

    def has_add_permission(self, request, obj=None) -> bool:
        return False


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
    # The queues a rep works from, with counts (the district table is small: thousands of rows).
    list_filter = [("status", titled_filter("queue")), "purchase_status", "sharing_type"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["=clever_id", "name"]
    show_full_result_count = False
    # Status and purchase change only through actions, which audit them.
    readonly_fields = [
        "clever_id",
        "status",
        "purchase_status",
        "purchase_confirmed_by_district",
        "connected_at",
        "disconnected_at",
        "created_at",
        "updated_at",
        "device_readiness",
    ]
    fields = [
        "name",
        "clever_id",
        "status",
        ("purchase_status", "purchase_confirmed_by_district"),
        "sharing_type",
        ("contact_name", "contact_email", "contact_title"),
        ("connected_at", "disconnected_at"),
        ("created_at", "updated_at"),
        "device_readiness",
    ]
    inlines = [RolloutPlanSchoolInline, OnboardingSessionInline, AuditEventInline]
    actions = [
        *purchase_actions(lambda district: district),
        "schedule_onboarding",
        "sync_now",
        "go_live",
    ]

    has_review_permission = has_perm("review_district")
    has_schedule_permission = has_perm("schedule_onboarding")
    has_resync_permission = has_perm("resync_district")
    has_go_live_permission = has_perm("go_live")

    @admin.display(description="Device sign-in readiness")
    def device_readiness(self, obj) -> str:
        url = reverse("admin:devices_readiness_report", args=[obj.pk])
        return format_html('<a href="{}">Readiness report and device setup</a>', url)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a district's history and data are kept; a connection removed in Clever disconnects it

    def has_add_permission(self, request) -> bool:
        return False  # districts arrive through Clever connections (or demo_setup locally)

    @admin.action(description="Schedule onboarding session…", permissions=["schedule"])
    def schedule_onboarding(self, request, queryset):
        form = OnboardingSessionForm(
            request.POST if request.POST.get("confirm") == "yes" else None, initial=session_initial(queryset)
        )

        def apply(district):
            data = form.cleaned_data
            starts_at = local_start(date=data["date"], time=data["time"], time_zone=data["time_zone"])
            session = onboarding_schedule(
                district=district,
                starts_at=starts_at,
                time_zone=data["time_zone"],
                notes=data["notes"],
                duration_minutes=data["duration_minutes"],
                actor=request.user,
            )
            verb = "Rescheduled" if session.sequence else "Scheduled"
            return f"{verb} {district.name}'s onboarding session; {district.contact_email} gets the invite."

        return confirm_then_apply(
            self,
            request,
            queryset,
            action="schedule_onboarding",
            title="Schedule onboarding session",
            explanation="Set the onboarding session with Clever. The district contact gets an email with a "
            "calendar invite; choosing a new time for a scheduled session sends an update.",
            apply=apply,
            form=form,
        )

    @admin.action(description="Sync now (a full sync from Clever)…", permissions=["resync"])
    def sync_now(self, request, queryset):
        from rosters.services import district_sync_now

        def apply(district):
            run, queued = district_sync_now(district=district, requested_by=request.user)
            if queued:
                return f"Queued a full sync of {district.name} (import #{run.pk})."
            return f"{district.name} already has a sync on its way (import #{run.pk}); nothing new was queued."

        return confirm_then_apply(
            self,
            request,
            queryset,
            action="sync_now",
            title="Sync now",
            explanation="Read the approved schools of these districts from Clever again, in the background. "
            "A district whose sync is already queued or running is left to finish it.",
            apply=apply,
        )

    @admin.action(description="Go live (sends welcome emails)…", permissions=["go_live"])
    def go_live(self, request, queryset):
        def apply(district):
            district_go_live(district=district, actor=request.user)
            return f"{district.name} is live; welcome emails are on their way to its teachers and admins."

        return confirm_then_apply(
            self,
            request,
            queryset,
            action="go_live",
            title="Go live",
            explanation="Take these districts live. Every teacher and staff member gets one welcome email per "
            "school they work at, and each district admin one for the district; nobody is welcomed twice.",
            apply=apply,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            audit_record(
                district=obj,
                actor=request.user,
                action="onboarding.district.edited",
                subject=obj,
                before={name: str(form.initial.get(name, "")) for name in form.changed_data},
                after={name: str(form.cleaned_data.get(name, "")) for name in form.changed_data},
            )


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
    list_display = ["district", "review_link", "kind", "status", "district_status", "purchase_status", "created_at"]
    list_filter = [("status", titled_filter("request status")), ("district__status", titled_filter("district queue"))]
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["district", "decided_by"]
    search_fields = ["=district__clever_id", "district__name"]
    show_full_result_count = False
    readonly_fields = [
        "district",
        "status",
        "purchase_status",
        "is_change",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
    ]
    fields = [
        "district",
        "status",
        "purchase_status",
        "sharing_type",
        "is_change",
        "decided_by",
        "decided_at",
        "reason",
        "created_at",
    ]
    inlines = [SchoolDecisionInline]
    actions = ["approve_requests", "deny_requests", *purchase_actions(lambda sharing_request: sharing_request.district)]

    has_review_permission = has_perm("review_district")

    @admin.display(description="Kind")
    def kind(self, obj: SharingRequest) -> str:
        return "Added schools" if obj.is_change else "First request"

    @admin.display(description="District status", ordering="district__status")
    def district_status(self, obj: SharingRequest) -> str:
        return obj.district.get_status_display()

    @admin.display(description="Review")
    def review_link(self, obj: SharingRequest) -> str:
        if obj.status != RequestStatus.PENDING:
            return "—"
        return format_html(
            '<a href="{}">Review with dry run</a>', reverse("admin:onboarding_sharingrequest_review", args=[obj.pk])
        )

    def has_add_permission(self, request) -> bool:
        return False  # requests come from Clever connections, not from reps

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # every decision stays on record

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [path("<int:pk>/review/", review, name="onboarding_sharingrequest_review"), *super().get_urls()]

    def review_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """One request, school by school: in the plan or not, the dry run, and the recommended decision."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        sharing_request = get_object_or_404(SharingRequest.objects.select_related("district"), pk=pk)
        decisions = list(sharing_request.school_decisions.all())
        recommendation = recommend(request=sharing_request, decisions=decisions)
        can_decide = self.has_review_permission(request)
        if request.method == "POST":
            if request.POST.get("decision") == "refresh":
                sharing_request_dry_run_queue(request=sharing_request)
                self.message_user(request, "The dry run is being computed again; reload this page in a moment.")
                return HttpResponseRedirect(request.path)
            if not can_decide:
                raise PermissionDenied
            try:
                if request.POST.get("decision") == "deny":
                    sharing_request_deny(
                        request=sharing_request, actor=request.user, reason=request.POST.get("reason", "")
                    )
                    self.message_user(request, f"Denied the request of {sharing_request.district.name}.")
                else:
                    chosen = set(request.POST.getlist("schools"))
                    sharing_request_approve(
                        request=sharing_request,
                        school_ids=chosen,
                        actor=request.user,
                        reason=request.POST.get("reason", ""),
                    )
                    self.message_user(
                        request, f"Approved {len(chosen)} school(s) of {sharing_request.district.name}; import queued."
                    )
            except ClassHubError as exc:
                self.message_user(request, str(exc), level=messages.ERROR)
            else:
                return HttpResponseRedirect(reverse("admin:onboarding_sharingrequest_changelist"))

        dry_run = sharing_request.dry_run or {}
        dry_run_schools = dry_run.get("schools", {})
        rows = [
            {
                "decision": d,
                "recommended": d.clever_school_id in recommendation.approve,
                "why": recommendation.reasons.get(d.clever_school_id, ""),
                "dry_run": dry_run_schools.get(d.clever_school_id),
            }
            for d in decisions
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Review: {sharing_request.district.name}",
            "opts": self.model._meta,
            "sharing_request": sharing_request,
            "district": sharing_request.district,
            "rows": rows,
            "recommendation": recommendation,
            "dry_run": dry_run,
            "can_decide": can_decide and sharing_request.status == RequestStatus.PENDING,
            "in_review": sharing_request.district.status == DistrictStatus.IN_REVIEW,
        }
        return TemplateResponse(request, "admin/onboarding/sharingrequest/review.html", context)

    @admin.action(description="Approve selected requests…", permissions=["review"])
    def approve_requests(self, request: HttpRequest, queryset: QuerySet[SharingRequest]) -> HttpResponse | None:
        requests_ = list(queryset.select_related("district").prefetch_related("school_decisions"))
        if request.POST.get("confirm") == "yes":
            for sharing_request in requests_:
                chosen = set(request.POST.getlist(f"schools-{sharing_request.pk}"))
                reason = request.POST.get("reason", "").strip()
                try:
                    sharing_request_approve(
                        request=sharing_request, school_ids=chosen, actor=request.user, reason=reason
                    )
                except ClassHubError as exc:
                    self.message_user(
                        request, f"Skipped {sharing_request.district.name}: {exc}", level=messages.WARNING
                    )
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

    @admin.action(description="Deny selected requests…", permissions=["review"])
    def deny_requests(self, request: HttpRequest, queryset: QuerySet[SharingRequest]) -> HttpResponse | None:
        requests_ = list(queryset.select_related("district").prefetch_related("school_decisions"))
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
                        self.message_user(
                            request, f"Skipped {sharing_request.district.name}: {exc}", level=messages.WARNING
                        )
                    else:
                        self.message_user(
                            request, f"Denied the request of {sharing_request.district.name}.", level=messages.SUCCESS
                        )
                return None
        if not reason:
            # Suggest the policy's reason when every selected request is one the policy would deny.
            suggestions = {recommend(request=r).deny_reason for r in requests_}
            if len(suggestions) == 1:
                reason = suggestions.pop()
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
    search_fields = ["=district__clever_id", "district__name", "action"]
    show_full_result_count = False
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EmailLog)
class EmailLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "to", "district", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["district"]
    search_fields = ["=to", "=district__clever_id", "district__name"]
    show_full_result_count = False
    readonly_fields = [f.name for f in EmailLog._meta.fields]
    actions = ["resend"]

    has_resend_permission = has_perm("review_district")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description="Resend selected emails…", permissions=["resend"])
    def resend(self, request, queryset):
        def apply(log):
            copy = email_resend(log=log, actor=request.user)
            return f"Resending “{copy.subject}” to {copy.to}."

        return confirm_then_apply(
            self,
            request,
            queryset.select_related("district"),
            action="resend",
            title="Resend emails",
            explanation="Send these emails again, exactly as they were first sent.",
            apply=apply,
        )
