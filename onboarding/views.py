"""The district portal: a district admin's view of their own district's journey."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from onboarding.selectors import district_overview, district_timeline, portal_district_for


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
    context["timeline"] = district_timeline(district=district, limit=20)
    return render(request, "portal/home.html", context)
