"""In a real browser: the district admin's and teacher's pages are plain, labelled and usable with the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sandbox_people, teachers_by_sections

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]

# What a screen reader or a keyboard user needs of every page, checked in the page itself: the language, one
# main heading, a name for every form control and button, alt text for images, and nothing loaded from another
# host (the pages must work with no internet and no CSS framework).
PAGE_PROBLEMS_JS = """() => {
  const problems = [];
  if (!document.documentElement.lang) problems.push("no lang on <html>");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} <h1> headings`);
  const named = (el) => (el.labels && el.labels.length) || el.getAttribute("aria-label")
    || el.getAttribute("aria-labelledby") || el.getAttribute("title");
  for (const el of document.querySelectorAll("input, select, textarea")) {
    if (["hidden", "submit", "button", "reset"].includes(el.type)) continue;
    if (!named(el)) problems.push(`unlabelled ${el.tagName.toLowerCase()} name=${el.name}`);
  }
  for (const el of document.querySelectorAll("button, input[type=submit]")) {
    const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
    if (!text) problems.push(`a button without text: ${el.outerHTML.slice(0, 80)}`);
  }
  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt")) problems.push(`an image without alt: ${img.src}`);
  }
  for (const el of document.querySelectorAll("script[src], link[href], img[src]")) {
    const url = new URL(el.src || el.href, location.href);
    if (url.host !== location.host) problems.push(`loads ${url.href} from another host`);
  }
  return problems;
}"""

DISTRICT_ADMIN_PAGES = ["/portal/", "/portal/devices/", "/portal/devices/keys/", "/portal/help/", "/help/"]
TEACHER_PAGES = ["/teach/", "/teach/classes/new/"]


def sign_in_from_the_chooser(page, *, heading: str, clever_id: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in with Clever").click()
    page.locator(f"h3:has-text('{heading}') + ul").locator(f"a[href*='sandbox_user={clever_id}']").click()


def test_the_district_admins_pages_are_labelled_and_self_contained(page, sandbox, imported_a):
    admin = next(p for p in sandbox_people(sandbox, imported_a.clever_id, "district_admin"))
    sign_in_from_the_chooser(page, heading="District admins", clever_id=admin["id"])
    expect(page.get_by_role("heading", level=1, name=imported_a.name)).to_be_visible()
    for path in DISTRICT_ADMIN_PAGES:
        page.goto(path)
        assert page.evaluate(PAGE_PROBLEMS_JS) == [], path


def test_a_teacher_creates_a_class_with_the_keyboard_only(page, screenshot, sandbox, imported_a):
    _, without_sections = teachers_by_sections(sandbox, imported_a.clever_id)
    sign_in_from_the_chooser(page, heading="Teachers", clever_id=without_sections[0]["id"])
    expect(page.get_by_role("heading", level=1, name="Your classes")).to_be_visible()
    for path in TEACHER_PAGES:
        page.goto(path)
        assert page.evaluate(PAGE_PROBLEMS_JS) == [], path

    page.goto("/teach/")
    # Tab from the top of the page to the class name field, type, and press Enter: no mouse anywhere.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.labels?.[0]?.innerText.trim()") == "Class name":
            break
    else:
        pytest.fail("the Class name field cannot be reached with the Tab key")
    page.keyboard.type("Reading group B")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1, name="Reading group B")).to_be_visible()
    screenshot("5-keyboard-created-class")


def test_the_sign_in_page_works_with_the_keyboard(page, sandbox, imported_a):
    page.goto("/accounts/login/")
    assert page.evaluate(PAGE_PROBLEMS_JS) == []
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText?.trim()") == "Log in with Clever":
            break
    else:
        pytest.fail("the Log in with Clever button cannot be reached with the Tab key")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{sandbox.url}/oauth/authorize*")  # on to Clever, by keyboard alone
