"""What the browser tests read from the sandbox (who can sign in) and from the page (the import's progress)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

from classhub.clever.sandbox.dataset import has_role


def sandbox_people(sandbox, district_id: str, role: str) -> list[dict]:
    """The sandbox's users of a district with a role, in id order (the same people on every run)."""
    users = sandbox.dataset.visible(district_id, "users")
    return sorted((u for u in users if has_role(u, role)), key=lambda u: u["id"])


def teachers_by_sections(sandbox, district_id: str) -> tuple[list[dict], list[dict]]:
    """The district's teachers who teach a shared section, and those who teach none."""
    teaching = set()
    for section in sandbox.dataset.visible(district_id, "sections"):
        teaching |= set(section.get("teachers") or []) | ({section["teacher"]} if section.get("teacher") else set())
    teachers = sandbox_people(sandbox, district_id, "teacher")
    return [t for t in teachers if t["id"] in teaching], [t for t in teachers if t["id"] not in teaching]


def clever_callback_url(live_server) -> str:
    """The redirect URI Clever sends people back to: the live server's own."""
    return live_server.url + reverse("clever_callback")


def instant_login_url(sandbox, live_server, user_id: str) -> str:
    """A launch from the Clever Portal: the sandbox hands the browser a code with no state."""
    query = urlencode({"user_id": user_id, "redirect_uri": clever_callback_url(live_server)})
    return f"{sandbox.url}/sandbox/instant-login?{query}"


@dataclass(frozen=True)
class ProgressSeen:
    """One look at the portal's import section, as the district admin sees it."""

    district_status: str
    import_status: str
    percent: int | None
    text: str


# Read in one go, so a look never mixes two versions of the page (the script reloads it when the import ends).
_READ_PROGRESS = """() => {
  const statusLine = [...document.querySelectorAll("main p")].find(p => p.textContent.trim().startsWith("Status:"));
  const badge = document.querySelector("#import-line .badge");
  const bar = document.getElementById("import-progress");
  const value = bar && bar.getAttribute("value");
  return {
    district_status: statusLine ? statusLine.querySelector(".badge").textContent.trim() : "",
    import_status: badge ? badge.textContent.trim() : "",
    percent: value === null || value === undefined ? null : Math.round(Number(value)),
    text: (document.getElementById("import-text") || {textContent: ""}).textContent.trim(),
  };
}"""


def watch_import_progress(
    page: Page,
    *,
    until_district_status: str,
    on_change: Callable[[ProgressSeen], None] | None = None,
    timeout: float = 60.0,
) -> list[ProgressSeen]:
    """Look at the page every quarter second until the district shows the status; return each new view seen
    (``on_change`` is called with each, e.g. to take a screenshot while the import runs).

    The page updates itself (it polls /portal/status.json); this only watches, as a person would.
    """
    seen: list[ProgressSeen] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            view = ProgressSeen(**page.evaluate(_READ_PROGRESS))
        except PlaywrightError:
            view = None  # the page is reloading: look again in a moment
        if view is not None and (not seen or seen[-1] != view):
            seen.append(view)
            if on_change:
                on_change(view)
        if view is not None and view.district_status == until_district_status:
            return seen
        page.wait_for_timeout(250)
    raise AssertionError(f"The portal never showed {until_district_status!r} within {timeout:.0f} s; it showed {seen}")
