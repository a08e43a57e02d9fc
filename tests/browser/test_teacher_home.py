"""In a real browser: teachers of imported Maple Grove reach their ClassHub home (/teach/) through Clever."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from rosters.models import Educator, Enrollment, Section, SectionTeacher, Student
from teach.models import ClassHubClass
from tests.browser.helpers import instant_login_url, teachers_by_sections

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def runs_today(term) -> bool:
    """A section belongs on /teach/ while its term runs; no term, or a missing date, counts as running."""
    today = timezone.localdate()
    if term is None:
        return True
    return (term.start_date is None or term.start_date <= today) and (term.end_date is None or today <= term.end_date)


def current_sections_of(educator: Educator) -> list[Section]:
    sections = Section.objects.filter(teacher_links__educator=educator, archived_at=None).select_related("term")
    return [section for section in sections if runs_today(section.term)]


def test_teacher_launched_from_the_clever_portal_sees_their_sections(
    page, screenshot, sandbox, live_server, imported_a
):
    teaching, _ = teachers_by_sections(sandbox, imported_a.clever_id)
    # A teacher only (a district admin lands on the portal); preferably one who co-teaches a section running today,
    # so the page must show a co-teacher too.
    candidates = [
        Educator.objects.get(district=imported_a, clever_id=t["id"])
        for t in teaching
        if "district_admin" not in (t.get("roles") or {})
    ]

    def co_taught_and_running(educator: Educator) -> tuple[bool, int, str]:
        running = current_sections_of(educator)
        co_taught = SectionTeacher.objects.filter(section__in=running).exclude(educator=educator).exists()
        return co_taught, len(running), educator.clever_id

    teacher = max(candidates, key=co_taught_and_running)
    sections = current_sections_of(teacher)
    assert sections, "no demo teacher has a section whose term runs today: the sandbox's demo terms have ended"

    # The Clever Portal hands the browser a code with no state; ClassHub restarts the sign-in and lands on /teach/.
    page.goto(instant_login_url(sandbox, live_server, teacher.clever_id))
    expect(page.get_by_role("heading", level=1, name="Your classes")).to_be_visible()
    assert page.url == live_server.url + "/teach/"
    restarted = [path for _method, path in sandbox.request_log if path.startswith("/oauth/authorize")]
    assert len(restarted) == 1 and "state=" in restarted[0], sandbox.request_log  # a fresh state, no chooser
    expect(page.get_by_text(f"{teacher} · {imported_a.name}")).to_be_visible()

    for section in sections:
        card = page.locator("section.teach-section").filter(has=page.get_by_role("heading", level=2, name=section.name))
        expect(card).to_have_count(1)
        expect(card).to_contain_text(section.school.name)
        enrolled = Enrollment.objects.filter(section=section, student__archived_at=None).count()
        expect(card.locator("summary")).to_contain_text(f"{enrolled} student")
        expect(card).to_contain_text("Teachers: You")
        for link in SectionTeacher.objects.filter(section=section).exclude(educator=teacher).select_related("educator"):
            expect(card).to_contain_text(str(link.educator))  # co-teachers are shown
    screenshot("3-teacher-home-from-clever-portal")


def test_teacher_without_sections_creates_a_classhub_only_class(page, screenshot, sandbox, imported_a):
    _, without_sections = teachers_by_sections(sandbox, imported_a.clever_id)
    person = without_sections[0]
    teacher = Educator.objects.get(district=imported_a, clever_id=person["id"])
    school_ids = teacher.school_links.values_list("school_id", flat=True)
    classmates = list(
        Student.objects.filter(district=imported_a, archived_at=None, school_links__school_id__in=school_ids)
        .exclude(first_name="")
        .exclude(last_name="")
        .order_by("last_name", "first_name", "pk")[:2]
    )
    sections_before = Section.objects.count()

    page.goto("/teach/")
    page.get_by_role("button", name="Log in with Clever").click()
    page.locator("h3:has-text('Teachers') + ul").locator(f"a[href*='sandbox_user={teacher.clever_id}']").click()
    expect(page.get_by_role("heading", level=1, name="Your classes")).to_be_visible()
    expect(page.get_by_role("heading", name="You have no sections this term")).to_be_visible()
    screenshot("4-teacher-home-no-sections")

    page.get_by_label("Class name").fill("Robotics club")
    page.get_by_role("button", name="Create a ClassHub-only class").click()
    expect(page.get_by_role("heading", level=1, name="Robotics club")).to_be_visible()
    expect(page.get_by_text("ClassHub-only — not from your SIS")).to_be_visible()

    for student in classmates:
        page.get_by_label("Find students").fill(f"{student.first_name} {student.last_name}")
        page.get_by_role("button", name="Search").click()
        found = page.get_by_role("row").filter(has_text=f"{student.first_name} {student.last_name}")
        found.get_by_role("button", name="Add").first.click()
        expect(page.locator(".messages")).to_contain_text(f"{student} added to Robotics club.")
    members = page.locator("section").filter(has=page.get_by_role("heading", name="Students in this class"))
    expect(members.get_by_role("heading")).to_have_text(f"Students in this class ({len(classmates)})")
    screenshot("4-classhub-only-class-with-students")

    leaving = classmates[-1]
    members.get_by_role("row").filter(has_text=str(leaving)).get_by_role("button", name="Remove").click()
    expect(page.locator(".messages")).to_contain_text(f"{leaving} removed from Robotics club.")
    expect(members.get_by_role("heading")).to_have_text(f"Students in this class ({len(classmates) - 1})")

    page.get_by_role("link", name="← Your classes").click()
    listed = page.locator("ul.teach-classes li").filter(has_text="Robotics club")
    expect(listed).to_contain_text("ClassHub-only")
    expect(listed).to_contain_text(f"{len(classmates) - 1} student")
    screenshot("4-teacher-home-with-classhub-only-class")

    made = ClassHubClass.objects.get(owner=teacher)
    assert made.name == "Robotics club"
    assert list(made.memberships.values_list("student_id", flat=True)) == [s.pk for s in classmates[:-1]]
    assert Section.objects.count() == sections_before  # a ClassHub-only class never becomes a roster section
