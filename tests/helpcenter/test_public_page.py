"""The public help page: every step of the guide, for anyone, readable as plain HTML."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.urls import reverse

from helpcenter.content import CONNECT_CLEVER, GUIDES, is_known_topic

pytestmark = pytest.mark.django_db


def test_anyone_reads_every_step_without_signing_in(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # an anonymous reader costs the database nothing
        page = client.get(reverse("help:guide"))
    assert page.status_code == 200
    html = unescape(page.content.decode())
    assert "<h1" in html and CONNECT_CLEVER.title in html
    for number, step in enumerate(CONNECT_CLEVER.steps, start=1):
        assert f'<li id="{step.id}"' in html  # an anchor per step
        assert f'href="#{step.id}"' in html  # linked from the list of steps
        assert f"Step {number}:</span> {step.title}" in html
    # The steps are one ordered list, in the guide's order.
    anchors = re.findall(r'<li id="([\w-]+)" class="card help-step', html)
    assert anchors == CONNECT_CLEVER.step_ids
    # Nobody is signed in, so nothing is marked done or next, and the portal's links are not shown.
    assert "help-badge" not in html and "aria-current" not in html
    assert "Sign in with Clever" in html


def test_the_guide_says_what_a_district_admin_must_know(client):
    html = unescape(client.get(reverse("help:guide")).content.decode())
    for fact in [
        "Already purchased",
        "Haven't purchased",
        "ClassHub sales",
        "share by schools",
        "ClassHub only accepts data for the schools in your agreed rollout plan",
        "Sharing the whole district without an agreement",
        "homeroom sections",
        "At least one admin",
        "Google Workspace account email",
        "Windows sign-in",
        "must log in to Clever every time",
        "Who does it:",
        "What to do",
        "If something goes wrong",
    ]:
        assert fact in html, fact


def test_every_step_says_who_acts_what_to_expect_and_how_to_fix_what_goes_wrong():
    for guide in GUIDES.values():
        assert len(set(guide.step_ids)) == len(guide.steps)
        for step in guide.steps:
            assert re.fullmatch(r"[a-z][a-z-]*", step.id), step.id
            assert step.who and step.summary and step.expect, step.id
            assert step.problems and all(p.what and p.fix for p in step.problems), step.id


def test_the_page_asks_did_this_help_with_a_form_that_works_without_javascript(client):
    html = client.get(reverse("help:guide")).content.decode()
    assert "Did this help?" in html
    assert '<form method="post"' in html and "csrfmiddlewaretoken" in html
    assert 'name="helpful" value="yes"' in html and 'name="helpful" value="no"' in html
    assert '<label for="id_comment">' in html and 'maxlength="1000"' in html
    assert "<script" not in html


def test_topics_are_known_by_their_ids():
    assert is_known_topic("connect-clever")
    assert is_known_topic("connect-clever", "share-by-schools")
    assert not is_known_topic("connect-clever", "no-such-step")
    assert not is_known_topic("no-such-page")
