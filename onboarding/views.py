"""The district portal: a district admin's view of their own district's journey."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onboarding.selectors import clever_identity, district_overview, district_timeline, portal_district_for
from onboarding.timeline import event_label, next_step
from rosters.selectors import labelled_counts


def home(request: HttpRequest) -> HttpResponse:
    """The front door: signed-in people go to their page, others see the Clever button."""
    if request.user.is_authenticated:
        return redirect("admin:index" if request.user.is_staff else "portal:home")
    return render(request, "portal/welcome.html")


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    district = portal_district_for(request.user)
    if district is None:
        roles = clever_identity(request.user).get("roles") or {}
        return render(request, "portal/no_district.html", {"is_teacher": "teacher" in roles}, status=403)
    context = district_overview(district=district)
    context["timeline"] = [(event, event_label(event)) for event in district_timeline(district=district, limit=20)]
    context["next_step"] = next_step(district.status)
    run = context["last_import"]
    context["import_counts"] = labelled_counts(run.counts) if run else []
    return render(request, "portal/home.html", context)
