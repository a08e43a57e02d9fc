"""Real browser tests: Playwright drives Debian's Chromium through the portal, the admin and the sandbox's Clever.

Running them
    ``make test`` runs them with the rest (it installs Debian's ``chromium`` first when /usr/bin/chromium is
    missing). Alone: ``CLASSHUB_DATA_DIR=/tmp/me-data .venv/bin/python -m pytest tests/browser -q``; they are
    marked ``browser``, so ``-m 'not browser'`` leaves them out of a quick local run.
    Playwright's own browser builds are never used (never run ``playwright install``): the tests launch the
    ``chromium`` found on PATH, headless, with ``--no-sandbox`` (CI and these machines run as root, where
    Chromium's own sandbox refuses to start).

What they talk to
    pytest-django's ``live_server`` (a real HTTP server on a free port, so Clever's redirect URI is the live
    server's) and the Clever sandbox as a real HTTP server (the ``sandbox`` fixture of tests/conftest.py; the
    settings point the product at it). Nothing runs a django-q2 cluster: a test runs the queued tasks itself, in
    its own thread, or in a ``background_worker`` thread while the browser watches the page.

Artifacts
    Each test saves full-page screenshots (PNG) of the pages it walks through in
    ``test-artifacts/screenshots/``; a failing test also leaves a screenshot and the page's HTML in
    ``test-artifacts/failures/``, named after the test. ``CLASSHUB_TEST_ARTIFACTS=<folder>`` puts both
    folders somewhere else.
"""

from __future__ import annotations

import os
import re
import shutil
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import Page, expect, sync_playwright

ARTIFACTS_DIR = Path(os.environ.get("CLASSHUB_TEST_ARTIFACTS") or django_settings.BASE_DIR / "test-artifacts")
SCREENSHOTS_DIR = ARTIFACTS_DIR / "screenshots"
FAILURES_DIR = ARTIFACTS_DIR / "failures"

# Long enough for a page that reads Clever on the way (the sign-in), short enough that a broken page fails fast.
STEP_TIMEOUT_MS = 10_000

_phase_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test, so the page fixture knows whether to keep evidence."""
    report = yield
    item.stash.setdefault(_phase_reports, {})[report.when] = report
    return report


def chromium_executable() -> str:
    path = shutil.which("chromium")
    if not path:
        # Never a silent skip: CI must run these. `make test` installs Debian's chromium when it is missing.
        pytest.fail(
            "Chromium is missing, so the browser tests cannot run. `make test` installs it "
            "(Debian's package: apt-get install -y chromium).",
            pytrace=False,
        )
    return path


@pytest.fixture(scope="package")
def browser():
    """One headless Chromium for the browser tests, closed once they are done.

    Playwright's sync API keeps its asyncio loop "running" in this thread while it is started, and Django
    refuses ORM calls from a thread with a running loop. The tests' ORM calls are plain synchronous calls (the
    loop only waits in another greenlet), so the guard is lifted for exactly as long as Playwright runs: package
    scope, so the tests after this folder run with the guard on and no loop.
    """
    executable = chromium_executable()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        playwright = sync_playwright().start()
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"], headless=True)
            try:
                yield chromium
            finally:
                chromium.close()
        finally:
            playwright.stop()


@pytest.fixture
def page(request, browser, live_server) -> Page:
    """A fresh browser tab (no cookies) whose relative URLs go to the live server; keeps evidence on failure."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(STEP_TIMEOUT_MS)
    expect.set_options(timeout=STEP_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    reports = request.node.stash.get(_phase_reports, {})
    if any(report.failed for report in reports.values()):
        _keep_failure_evidence(tab, request.node.nodeid)
    context.close()


def _keep_failure_evidence(tab: Page, nodeid: str) -> None:
    FAILURES_DIR.mkdir(parents=True, exist_ok=True)
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid.split("::", 1)[-1])
    try:
        tab.screenshot(path=FAILURES_DIR / f"{stem}.png", full_page=True)
        (FAILURES_DIR / f"{stem}.html").write_text(f"<!-- {tab.url} -->\n{tab.content()}", encoding="utf-8")
    except Exception as exc:  # noqa: BLE001 - evidence is best effort; the test's own failure is what matters
        print(f"Could not save the failing page: {exc}")
    else:
        print(f"The failing page ({tab.url}) is saved as {FAILURES_DIR / stem}.png and .html")


@pytest.fixture
def screenshot(page):
    """Save a PNG of what the browser shows now (the whole page, or only the window), as
    test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)

    def save(name: str, *, full_page: bool = True) -> Path:
        path = SCREENSHOTS_DIR / f"{name}.png"
        page.screenshot(path=path, full_page=full_page)
        return path

    return save


@pytest.fixture
def background_worker(queued_tasks):
    """Start a django-q2 worker's job in another thread: run the queued tasks while the test watches the page.

    Returns a function that starts it and gives back its Future; ``.result()`` re-raises what the tasks raised.
    The test ends only after the thread has finished, so it never writes into the next test's database.
    """
    from django.db import connections

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="browser-test-worker")

    def work() -> list:
        try:
            return queued_tasks()
        finally:
            connections.close_all()  # this thread's own connections, as a worker process would at exit

    def start() -> Future:
        return pool.submit(work)

    yield start
    pool.shutdown(wait=True)
