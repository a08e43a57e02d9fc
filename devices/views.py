"""The portal's Devices page: the district admin's device setup and readiness report, own district only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from devices.charts import readiness_chart_svg
from devices.exports import not_ready_csv
from devices.forms import DeviceSetupForm
from devices.models import DomainKind, Readiness
from devices.selectors import (
    LISTED_REASONS,
    SetupView,
    readiness_fix,
    readiness_report,
    student_email_domains,
    students_not_ready,
)
from devices.services import DeviceSetupInvalid, device_setup_delete, device_setup_save, readiness_refreshed_inline
from onboarding.models import District
from onboarding.selectors import portal_district_for
from rosters.models import School

STUDENTS_PER_PAGE = 25


def report_context(request: HttpRequest, *, district: District) -> dict[str, Any]:
    """The readiness report (counts, chart, one page of the students not ready) for the portal and the admin.

    A fixed number of queries whatever the district's size.
    """
    report = readiness_report(district=district)
    search = request.GET.get("q", "").strip()[:100]
    school_id = request.GET.get("school", "")
    school_id = (
        int(school_id) if _is_id(school_id) and any(r.school.pk == int(school_id) for r in report.schools) else None
    )
    reason = request.GET.get("reason", "")
    reason = reason if reason in LISTED_REASONS else ""
    rows = students_not_ready(district=district, search=search, school_id=school_id, reason=reason or None)
    # The report's own counts say how many rows there are, so the paginator never counts them again.
    if not search:
        counted = [r for r in report.schools if school_id is None or r.school.pk == school_id]
        total = sum(r.counts.get(reason, 0) if reason else r.listed for r in counted)
        paginator = Paginator(rows, STUDENTS_PER_PAGE)
        paginator.count = total  # a cached_property: set it, and no COUNT query runs
    else:
        paginator = Paginator(rows, STUDENTS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    students = [(row, readiness_fix(row, report.setup_for(row.school_id))) for row in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "district": district,
        "report": report,
        "chart": readiness_chart_svg(report),
        "page": page,
        "students": students,
        "search": search,
        "school_filter": school_id,
        "reason_filter": reason,
        "reason_choices": [(r, Readiness(r).label) for r in LISTED_REASONS],
        "page_query": query.urlencode(),
    }


def _is_id(value: str) -> bool:
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    return value.isascii() and value.isdigit() and len(value) < 19


def _readiness_words(district: District) -> str:
    if readiness_refreshed_inline(district=district):
        return "the readiness report below is up to date."
    return "readiness is being recomputed for your students: reload this page in a minute for the new figures."


def _district(request: HttpRequest) -> District:
    district = portal_district_for(request.user)
    if district is None:
        raise Http404("No district of yours")
    return district


def _form_for(setup: SetupView | None) -> DeviceSetupForm:
    if setup is None:
        return DeviceSetupForm()
    return DeviceSetupForm(
        initial={
            "platforms": setup.platforms,
            "google_domains": "\n".join(setup.domains.get(DomainKind.GOOGLE, [])),
            "windows_domains": "\n".join(setup.domains.get(DomainKind.WINDOWS, [])),
        }
    )


def _render_page(
    request: HttpRequest, district: District, *, school: School | None, form: DeviceSetupForm | None, status: int = 200
) -> HttpResponse:
    context = report_context(request, district=district)
    setups = context["report"].setups
    own = setups.get(school.pk if school else None)
    context.update(
        email_domains=student_email_domains(district=district),
        setup_school=school,
        setup_form=form or _form_for(own or (setups.get(None) if school else None)),
        setup_own=own is not None,
        has_default=None in setups,
    )
    return render(request, "devices/portal.html", context, status=status)


def _setup_school(district: District, value: str) -> School | None:
    if not value:
        return None
    if not _is_id(value):
        raise Http404("No such school")
    return get_object_or_404(School, pk=int(value), district=district, archived_at=None)


@login_required
def devices_page(request: HttpRequest) -> HttpResponse:
    """Device setup (district default, or the school chosen with ?setup=) and the readiness report."""
    district = _district(request)
    return _render_page(request, district, school=_setup_school(district, request.GET.get("setup", "")), form=None)


@login_required
@require_POST
def devices_setup_save(request: HttpRequest) -> HttpResponse:
    district = _district(request)
    school = _setup_school(district, request.POST.get("school", ""))
    form = DeviceSetupForm(request.POST)
    if form.is_valid():
        try:
            device_setup_save(
                district=district,
                school=school,
                platforms=form.cleaned_data["platforms"],
                google_domains=form.cleaned_data["google_domains"],
                windows_domains=form.cleaned_data["windows_domains"],
                actor=request.user,
            )
        except DeviceSetupInvalid as exc:
            form.add_service_errors(exc.errors)
        else:
            where = school.name if school else "the district default"
            messages.success(request, f"Saved the device setup of {where}; " + _readiness_words(district))
            return redirect(_page_url(school))
    return _render_page(request, district, school=school, form=form, status=400)


@login_required
@require_POST
def devices_setup_reset(request: HttpRequest) -> HttpResponse:
    """A school goes back to the district default."""
    district = _district(request)
    school = _setup_school(district, request.POST.get("school", ""))
    if school is None:
        raise Http404("Choose a school")
    if device_setup_delete(district=district, school=school, actor=request.user):
        messages.success(request, f"{school.name} now uses the district default; " + _readiness_words(district))
    return redirect(_page_url(school))


def _page_url(school: School | None) -> str:
    url = reverse("portal:devices")
    return (f"{url}?setup={school.pk}" if school else url) + "#setup"


@login_required
def devices_csv(request: HttpRequest) -> HttpResponse:
    """The district admin's own students who are not ready, for their SIS team."""
    return not_ready_csv(_district(request))
