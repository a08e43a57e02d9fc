"""The district portal: a district admin's view of their own district's journey."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from classhub.errors import ClassHubError
from onboarding.forms import PurchaseConfirmForm
from onboarding.models import DistrictStatus, OnboardingSession
from onboarding.selectors import clever_identity, district_overview, district_timeline, portal_district_for
from onboarding.services import district_purchase_confirm
from onboarding.timeline import event_label, journey_steps, next_step
from rosters.exports import import_issues_csv
from rosters.models import DistrictSync, ImportRun
from rosters.selectors import labelled_counts, latest_import_run
from rosters.services import SYNCED_STATUSES, district_sync_now

# The portal lists the first issues of a run; the CSV has them all.
PORTAL_ISSUES_SHOWN = 20


def home(request: HttpRequest) -> HttpResponse:
    """The front door: signed-in people go to their page, others see the Clever button."""
    if request.user.is_authenticated:
        return redirect("admin:index" if request.user.is_staff else "teach:after-sign-in")
    return render(request, "portal/welcome.html")


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    """The district admin's page: where the journey stands, who acts next, and every decision."""
    district = portal_district_for(request.user)
    if district is None:
        roles = clever_identity(request.user).get("roles") or {}
        context = {"is_teacher": "teacher" in roles, "is_school_staff": "staff" in roles and "teacher" not in roles}
        return render(request, "portal/no_district.html", context, status=403)
    context = district_overview(district=district)
    context["timeline"] = [(event, event_label(event)) for event in district_timeline(district=district, limit=20)]
    context["next_step"] = next_step(district.status)
    run = context["last_import"]
    context["import_counts"] = labelled_counts(run.counts) if run else []
    context["import_issues"] = list(run.issues.all()[:PORTAL_ISSUES_SHOWN]) if run and run.counts.get("issues") else []
    context["can_sync_now"] = district.status in SYNCED_STATUSES
    context["sync_state"] = DistrictSync.objects.filter(pk=district.pk).first()
    context["session"] = OnboardingSession.objects.filter(district=district).first()
    session = context["session"]
    context["steps"] = journey_steps(
        status=district.status, has_session=session is not None, session_over=session is not None and session.is_over
    )
    if district.status in (DistrictStatus.REQUESTED, DistrictStatus.SALES_FOLLOW_UP):
        context["purchase_form"] = PurchaseConfirmForm(
            initial={"purchase_status": district.purchase_confirmed_by_district or None}
        )
    return render(request, "portal/home.html", context)


@login_required
def portal_import_status(request: HttpRequest) -> JsonResponse:
    """The last import's progress as JSON, polled by the portal page while an import runs."""
    district = portal_district_for(request.user)
    if district is None:
        raise Http404
    run = latest_import_run(district=district)
    if run is None:
        return JsonResponse(
            {"district_status": district.status, "district_status_label": district.get_status_display(), "import": None}
        )
    return JsonResponse(
        {
            "district_status": district.status,
            "district_status_label": district.get_status_display(),
            "import": {
                "id": run.pk,
                "status": run.status,
                "status_label": run.get_status_display(),
                "phase": run.phase,
                "phase_label": run.get_phase_display(),
                "done": run.done,
                "estimated_total": run.estimated_total,
                "percent": run.percent,
                "seconds_left": run.seconds_left,
                "finished": not run.is_active,
            },
        }
    )


@login_required
def portal_import_issues_csv(request: HttpRequest, run_id: int) -> HttpResponse:
    """The district admin's own import issues, for their SIS team; another district's run is a 404."""
    district = portal_district_for(request.user)
    if district is None:
        raise Http404
    run = get_object_or_404(ImportRun.objects.select_related("district"), pk=run_id, district=district)
    return import_issues_csv(run)


@login_required
@require_POST
def portal_purchase_confirm(request: HttpRequest) -> HttpResponse:
    """The district admin's own answer to "have you purchased ClassHub?" (the first step)."""
    district = portal_district_for(request.user)
    if district is None:
        return render(request, "portal/no_district.html", status=403)
    if district.status not in (DistrictStatus.REQUESTED, DistrictStatus.SALES_FOLLOW_UP):
        messages.info(request, "Your purchase is already recorded: ClassHub has moved on to the next steps.")
        return redirect("portal:home")
    form = PurchaseConfirmForm(request.POST)
    if form.is_valid():
        district_purchase_confirm(
            district=district, purchase_status=form.cleaned_data["purchase_status"], actor=request.user
        )
        messages.success(request, "Thank you: your ClassHub rep sees your answer.")
    else:
        messages.error(request, "Choose one of the two answers, then press Send.")
    return redirect("portal:home")


@login_required
@require_POST
def portal_sync_now(request: HttpRequest) -> HttpResponse:
    """The district admin's Sync now: a full sync of their rosters, unless one is already on its way."""
    district = portal_district_for(request.user)
    if district is None:
        return render(request, "portal/no_district.html", status=403)
    if district.status not in SYNCED_STATUSES:
        messages.error(request, "Rosters can be synced once the first import has finished.")
        return redirect("portal:home")
    try:
        run, queued = district_sync_now(district=district, requested_by=request.user)
    except ClassHubError as exc:
        messages.error(request, str(exc))
    else:
        if queued:
            messages.success(request, "A full sync with Clever has started. This page shows its progress.")
        else:
            messages.info(request, f"A sync is already on its way (import #{run.pk}); this page shows its progress.")
    return redirect("portal:home")
