"""The district portal: a district admin's view of their own district's journey."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onboarding.selectors import district_overview, district_timeline, portal_district_for
from onboarding.timeline import event_label, next_step


def home(request: HttpRequest) -> HttpResponse:
    """The front door: signed-in people go to their page, others see the Clever button."""
    if request.user.is_authenticated:
        return redirect("portal:home")
    return render(request, "portal/welcome.html")


@login_required
def portal_home(request: HttpRequest) -> HttpResponse:
    district = portal_district_for(request.user)
    if district is None:
        return render(request, "portal/no_district.html", status=403)
    context = district_overview(district=district)
    context["timeline"] = [(event, event_label(event)) for event in district_timeline(district=district, limit=20)]
    context["next_step"] = next_step(district.status)
    return render(request, "portal/home.html", context)
