"""The teacher home: a teacher's sections and rosters, and their ClassHub-only classes; their own, always."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onboarding.selectors import portal_district_for
from rosters.models import Educator
from teach.forms import ClassHubClassForm, StudentChoiceForm, StudentSearchForm
from teach.models import ClassHubClassStudent
from teach.selectors.classes import (
    class_members,
    classes_of,
    member_ids,
    schools_not_set_up,
    student_search,
    teacher_classes,
    teacher_schools,
)
from teach.selectors.identity import NoTeacherHome, clever_roles, educator_for, why_no_teacher_home
from teach.selectors.sections import teacher_sections
from teach.services import (
    ClassNameInvalid,
    StudentNotAddable,
    classhub_class_archive,
    classhub_class_create,
    classhub_class_student_add,
    classhub_class_student_remove,
)

# With more sections than this, rosters start folded so the teacher sees all their sections at a glance.
ROSTERS_OPEN_UP_TO = 4

TeacherView = Callable[..., HttpResponse]


def teacher_required(view: TeacherView) -> Callable[..., HttpResponse]:
    """Run the view with the signed-in teacher's roster record; anyone else gets a page saying why not."""

    @login_required
    @wraps(view)
    def with_educator(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        educator = educator_for(request.user)
        if educator is None:
            return no_teacher_home(request)
        return view(request, educator, *args, **kwargs)

    return with_educator


def no_teacher_home(request: HttpRequest) -> HttpResponse:
    reason = why_no_teacher_home(request.user)
    context = {
        "reason": reason,
        "reasons": NoTeacherHome,
        "has_portal": reason != NoTeacherHome.NOT_CLEVER and portal_district_for(request.user) is not None,
    }
    return render(request, "teach/no_teacher_home.html", context, status=403)


def home_url_for(user: AbstractBaseUser) -> str:
    """Where a signed-in person's home is: staff the review console, district admins the portal, teachers here.

    A person who is both lands on the portal and switches with the links at the top of every page. Anyone
    else goes to the portal, whose page says who it is for.
    """
    if user.is_staff:
        return reverse("admin:index")
    if portal_district_for(user) is not None:
        return reverse("portal:home")
    if "teacher" in clever_roles(user) or educator_for(user) is not None:
        return reverse("teach:home")  # a teacher without a roster record yet learns why there
    return reverse("portal:home")


@login_required
def after_sign_in(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL and the front door: send each person to their home."""
    return redirect(home_url_for(request.user))


@require_GET
@teacher_required
def teach_home(request: HttpRequest, educator: Educator) -> HttpResponse:
    sections = teacher_sections(educator=educator, today=timezone.localdate())
    context = {
        "educator": educator,
        "district": educator.district,
        "sections": sections.current,
        "other_terms": sections.other_terms,
        "rosters_open": len(sections.current) <= ROSTERS_OPEN_UP_TO,
        "classes": teacher_classes(educator=educator),
        "form": ClassHubClassForm(),
    }
    return render(request, "teach/home.html", context)


@require_http_methods(["GET", "POST"])
@teacher_required
def class_create(request: HttpRequest, educator: Educator) -> HttpResponse:
    form = ClassHubClassForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            created = classhub_class_create(owner=educator, name=form.cleaned_data["name"], actor=request.user)
        except ClassNameInvalid as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, f"“{created.name}” is ready. Find your students below and add them.")
            return redirect("teach:class", class_id=created.pk)
    return render(request, "teach/class_create.html", {"form": form})


@require_GET
@teacher_required
def class_detail(request: HttpRequest, educator: Educator, class_id: int) -> HttpResponse:
    classhub_class = get_object_or_404(classes_of(educator), pk=class_id)
    members = class_members(classhub_class=classhub_class)
    search_form = StudentSearchForm(request.GET)
    query = search_form.cleaned_data["q"] if search_form.is_valid() else ""
    context = {
        "classhub_class": classhub_class,
        "members": members,
        "in_class": member_ids(members),
        "no_setup_schools": schools_not_set_up(members),
        "search_form": search_form,
        "search": student_search(educator=educator, query=query),
        "schools": list(teacher_schools(educator=educator).order_by("name").only("name")),
    }
    return render(request, "teach/class_detail.html", context)


def _back_to_class(class_id: int, query: str = "") -> HttpResponse:
    url = reverse("teach:class", kwargs={"class_id": class_id})
    return redirect(f"{url}?{urlencode({'q': query})}#find" if query else url)


@require_POST
@teacher_required
def class_student_add(request: HttpRequest, educator: Educator, class_id: int) -> HttpResponse:
    classhub_class = get_object_or_404(classes_of(educator), pk=class_id)
    form = StudentChoiceForm(request.POST)
    if not form.is_valid():
        raise Http404("No such student")
    try:
        student, added = classhub_class_student_add(
            classhub_class=classhub_class, student_id=form.cleaned_data["student"], actor=request.user
        )
    except StudentNotAddable as exc:
        # Another school's or district's student looks exactly like one that does not exist.
        raise Http404(str(exc)) from exc
    if added:
        messages.success(request, f"{student} added to {classhub_class.name}.")
    else:
        messages.info(request, f"{student} is already in {classhub_class.name}.")
    return _back_to_class(classhub_class.pk, form.cleaned_data["q"])


@require_POST
@teacher_required
def class_student_remove(request: HttpRequest, educator: Educator, class_id: int, student_id: int) -> HttpResponse:
    classhub_class = get_object_or_404(classes_of(educator), pk=class_id)
    membership = get_object_or_404(
        ClassHubClassStudent.objects.select_related("student"), classhub_class=classhub_class, student_id=student_id
    )
    classhub_class_student_remove(classhub_class=classhub_class, student=membership.student, actor=request.user)
    messages.success(request, f"{membership.student} removed from {classhub_class.name}.")
    return _back_to_class(classhub_class.pk)


@require_POST
@teacher_required
def class_archive(request: HttpRequest, educator: Educator, class_id: int) -> HttpResponse:
    classhub_class = get_object_or_404(classes_of(educator), pk=class_id)
    classhub_class_archive(classhub_class=classhub_class, actor=request.user)
    messages.success(request, f"“{classhub_class.name}” is archived: it no longer shows on your pages.")
    return redirect("teach:home")
