"""The help guide for district admins: public at /help/, and at /portal/help/ with the district's own progress."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from helpcenter.content import CONNECT_CLEVER, HelpGuide
from helpcenter.forms import HelpFeedbackForm
from helpcenter.selectors import guide_progress
from helpcenter.services import FeedbackRefused, TooManyAnswers, help_feedback_record
from onboarding.models import District
from onboarding.selectors import clever_identity, portal_district_for

# Set after an answer is stored, so the page shown after the redirect thanks the visitor in place of the form.
THANKED_KEY = "helpcenter.thanked"


@require_http_methods(["GET", "POST"])
def help_guide(request: HttpRequest) -> HttpResponse:
    """The public guide: no sign-in; anyone may answer "Did this help?"."""
    # A district admin who is signed in answers for their district; nobody else is looked up.
    district = portal_district_for(request.user) if request.method == "POST" else None
    return _guide_page(request, guide=CONNECT_CLEVER, district=district, in_portal=False)


@login_required
@require_http_methods(["GET", "POST"])
def portal_help_guide(request: HttpRequest) -> HttpResponse:
    """The same guide for a signed-in district admin, each step marked done, next or to do for their district."""
    district = portal_district_for(request.user)
    if district is None:
        roles = clever_identity(request.user).get("roles") or {}
        return render(request, "portal/no_district.html", {"is_teacher": "teacher" in roles}, status=403)
    return _guide_page(request, guide=CONNECT_CLEVER, district=district, in_portal=True)


def _guide_page(request: HttpRequest, *, guide: HelpGuide, district: District | None, in_portal: bool) -> HttpResponse:
    """Show the guide; on POST, store the "Did this help?" answer and come back to the form, thanked."""
    status = 200
    if request.method == "POST":
        form = HelpFeedbackForm(request.POST, guide=guide)
        if form.is_valid():
            try:
                help_feedback_record(
                    session=request.session,
                    page=form.cleaned_data["page"],
                    step=form.cleaned_data["step"],
                    helpful=form.is_helpful,
                    comment=form.cleaned_data["comment"],
                    user=request.user,
                    district=district,
                )
            except FeedbackRefused as exc:
                form.add_error(None, str(exc))
                status = 429 if isinstance(exc, TooManyAnswers) else 400
            else:
                request.session[THANKED_KEY] = guide.id
                return redirect(f"{request.path}#feedback")
        else:
            status = 400
        thanked = False
    else:
        form = HelpFeedbackForm(guide=guide)
        thanked = request.session.pop(THANKED_KEY, None) == guide.id
    progress = guide_progress(guide=guide, district=district) if in_portal else {}
    steps = [(step, progress.get(step.id)) for step in guide.steps]
    context = {
        "guide": guide,
        "steps": steps,
        "next_step": next(((step, p) for step, p in steps if p is not None and p.state == "next"), None),
        "district": district if in_portal else None,
        "in_portal": in_portal,
        "form": form,
        "thanked": thanked,
        "help_email": settings.EMAIL_REPLY_TO,
    }
    return render(request, "help/guide.html", context, status=status)
