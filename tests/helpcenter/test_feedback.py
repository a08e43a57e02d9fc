"""“Did this help?”: answers stored with nothing more about the visitor, bad input refused, repeats ignored."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from helpcenter.models import COMMENT_MAX_LENGTH, HelpFeedback
from helpcenter.services import ANSWERS_PER_SESSION, FeedbackRefused, help_feedback_record
from onboarding.models import DistrictStatus
from tests.helpcenter.builders import clever_district_admin, district_at

pytestmark = pytest.mark.django_db

HELP = "/help/"


def answer(**fields) -> dict[str, str]:
    return {"page": "connect-clever", "step": "", "helpful": "yes", "comment": "", **fields}


def test_an_anonymous_answer_is_stored_with_nothing_about_the_visitor(client):
    sent = client.post(reverse("help:guide"), answer(step="share-by-schools", comment="  Clear, thanks.  "))
    assert sent.status_code == 302 and sent["Location"] == f"{HELP}#feedback"
    stored = HelpFeedback.objects.get()
    assert (stored.page, stored.step, stored.helpful, stored.comment) == (
        "connect-clever",
        "share-by-schools",
        True,
        "Clear, thanks.",  # trimmed
    )
    assert stored.user is None and stored.district is None
    # The table has no place for anything else about a visitor: no IP address, no browser, no session.
    columns = {field.name for field in HelpFeedback._meta.concrete_fields}
    assert columns == {"id", "page", "step", "helpful", "comment", "district", "user", "created_at"}

    thanked = client.get(sent["Location"])
    assert b"Thank you for your answer." in thanked.content
    assert b'name="helpful"' not in thanked.content  # the thank-you replaces the form, once
    assert b'name="helpful"' in client.get(HELP).content


def test_a_signed_in_district_admin_answers_for_their_district_in_the_portal_and_on_the_public_page(
    client, django_user_model
):
    district = district_at(DistrictStatus.IN_REVIEW)
    district_at(DistrictStatus.LIVE, name="Another district")
    admin = clever_district_admin(django_user_model, district_clever_id=district.clever_id)
    client.force_login(admin)

    sent = client.post(reverse("portal:help"), answer(helpful="no", comment="Where do I find the rollout plan?"))
    assert sent.status_code == 302 and sent["Location"] == f"{reverse('portal:help')}#feedback"
    assert b"Thank you for your answer." in client.get(reverse("portal:help")).content
    client.post(reverse("help:guide"), answer(step="purchase"))

    stored = list(HelpFeedback.objects.order_by("id").values_list("step", "helpful", "district", "user"))
    assert stored == [("", False, district.pk, admin.pk), ("purchase", True, district.pk, admin.pk)]


def test_staff_answers_keep_the_user_but_no_district(client, rep):
    client.force_login(rep)
    client.post(HELP, answer())
    stored = HelpFeedback.objects.get()
    assert stored.user == rep and stored.district is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"page": "no-such-page"}, "This help page is unknown, so the answer was not saved."),
        ({"page": ""}, "This field is required."),
        ({"step": "no-such-step"}, "That step is not on this page; choose one from the list."),
        ({"helpful": ""}, "Press “Yes” or “No” to answer."),
        ({"helpful": "maybe"}, "Press “Yes” or “No” to answer."),
        (
            {"comment": "x" * (COMMENT_MAX_LENGTH + 1)},
            f"Your comment has {COMMENT_MAX_LENGTH + 1} characters; please shorten it to {COMMENT_MAX_LENGTH}.",
        ),
    ],
    ids=["unknown-page", "no-page", "unknown-step", "no-answer", "not-yes-or-no", "too-long"],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(client, fields, message):
    refused = client.post(HELP, answer(**fields))
    assert refused.status_code == 400
    html = unescape(refused.content.decode())
    assert "Your answer was not saved:" in html and message in html
    assert HelpFeedback.objects.count() == 0


def test_a_comment_that_is_too_long_is_kept_in_the_form_to_shorten(client):
    comment = "The whole district question is unclear. " * 30
    refused = client.post(HELP, answer(comment=comment))
    assert refused.status_code == 400
    assert comment.strip() in unescape(refused.content.decode())  # nothing the visitor typed is lost


def test_the_limit_counts_what_the_visitor_typed(client):
    # The browser counts a line break as one character but sends two (\r\n); spaces around are trimmed.
    typed = "a" * 500 + "\r\n" + "b" * (COMMENT_MAX_LENGTH - 501)
    assert client.post(HELP, answer(comment=f"  {typed}  ")).status_code == 302
    assert HelpFeedback.objects.get().comment == typed.replace("\r\n", "\n")


def test_the_form_needs_its_csrf_token():
    browser = Client(enforce_csrf_checks=True)
    assert browser.post(HELP, answer()).status_code == 403
    assert HelpFeedback.objects.count() == 0

    browser.get(HELP)
    token = browser.cookies["csrftoken"].value
    assert browser.post(HELP, {**answer(), "csrfmiddlewaretoken": token}).status_code == 302
    assert HelpFeedback.objects.count() == 1


def test_the_same_answer_again_within_a_minute_is_ignored_but_a_new_one_counts(client):
    for _ in range(3):  # a double click, then a reload that posts again
        assert client.post(HELP, answer(comment="Good")).status_code == 302
    assert HelpFeedback.objects.count() == 1
    client.post(HELP, answer(helpful="no", comment="Good"))  # a different answer
    client.post(HELP, answer(comment="Good", step="review"))  # about another step
    assert HelpFeedback.objects.count() == 3
    other_visitor = Client()
    other_visitor.post(HELP, answer(comment="Good"))
    assert HelpFeedback.objects.count() == 4


def test_after_a_minute_the_same_answer_counts_again():
    session: dict = {}
    start = timezone.now()

    def send(at):
        return help_feedback_record(
            session=session,
            page="connect-clever",
            step="",
            helpful=True,
            comment="ok",
            user=None,
            district=None,
            now=at,
        )

    assert send(start) is not None
    assert send(start + dt.timedelta(seconds=59)) is None
    assert send(start + dt.timedelta(seconds=61)) is not None
    assert HelpFeedback.objects.count() == 2
    assert all("ok" not in str(entry) for entry in session.values())  # the session keeps no comment


def test_one_session_cannot_flood_the_answers(client):
    for n in range(ANSWERS_PER_SESSION):
        assert client.post(HELP, answer(comment=f"answer {n}")).status_code == 302
    flooded = client.post(HELP, answer(comment="one more"))
    assert flooded.status_code == 429
    assert "You have sent many in the last hour" in unescape(flooded.content.decode())
    assert HelpFeedback.objects.count() == ANSWERS_PER_SESSION
    assert Client().post(HELP, answer(comment="someone else")).status_code == 302


def test_the_service_refuses_unknown_pages_and_long_comments_from_any_caller():
    common = {"session": {}, "helpful": True, "user": None, "district": None}
    with pytest.raises(FeedbackRefused):
        help_feedback_record(page="nope", step="", comment="", **common)
    with pytest.raises(FeedbackRefused):
        help_feedback_record(page="connect-clever", step="nope", comment="", **common)
    with pytest.raises(FeedbackRefused):
        help_feedback_record(page="connect-clever", step="", comment="x" * (COMMENT_MAX_LENGTH + 1), **common)
    assert HelpFeedback.objects.count() == 0


def test_only_get_and_post(client):
    assert client.put(HELP).status_code == 405
