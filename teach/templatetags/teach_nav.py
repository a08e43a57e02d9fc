"""The role switch in the page header, for people who are both a teacher and a district admin."""

from __future__ import annotations

from django import template
from django.urls import reverse

from teach.selectors.identity import has_teacher_and_portal_homes

register = template.Library()


@register.inclusion_tag("teach/_role_switch.html", takes_context=True)
def role_switch(context: template.Context) -> dict:
    """Links to the teacher home and the district portal, shown only to a person who has both."""
    request = context.get("request")
    if request is None:
        return {"show": False}
    if not hasattr(request, "_teach_has_both_homes"):  # decided once per request
        request._teach_has_both_homes = has_teacher_and_portal_homes(request.user)
    if not request._teach_has_both_homes:
        return {"show": False}
    teach_url, portal_url = reverse("teach:home"), reverse("portal:home")
    return {
        "show": True,
        "teach_url": teach_url,
        "portal_url": portal_url,
        "teach_current": _current(request.path, teach_url),
        "portal_current": _current(request.path, portal_url),
    }


def _current(path: str, home: str) -> str:
    """aria-current for a home's link: "page" on the home itself, "true" on the pages under it, else none."""
    if path == home:
        return "page"
    return "true" if path.startswith(home) else ""
