"""Writes of the help pages: storing a "Did this help?" answer, without letting one visitor flood the list."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import MutableMapping
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from classhub.errors import ClassHubError
from helpcenter.content import is_known_topic
from helpcenter.models import COMMENT_MAX_LENGTH, HelpFeedback
from onboarding.audit import known_actor
from onboarding.models import District

# The same answer again within this time is a double click or a reload, not a second opinion.
REPEAT_WINDOW = dt.timedelta(minutes=1)
# More answers than this from one browser session within ANSWERS_WINDOW are refused.
ANSWERS_PER_SESSION = 20
ANSWERS_WINDOW = dt.timedelta(hours=1)
# The session keeps (time, fingerprint) of its recent answers only: never the comment itself.
RECENT_ANSWERS_KEY = "helpcenter.recent_answers"


class FeedbackRefused(ClassHubError):
    """An answer that is not stored, with the reason in words the visitor understands."""


class TooManyAnswers(FeedbackRefused):
    """One session sent more answers than any person would."""


def _fingerprint(*, page: str, step: str, helpful: bool, comment: str) -> str:
    text = "\x00".join([page, step, "yes" if helpful else "no", comment])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def help_feedback_record(
    *,
    session: MutableMapping[str, Any],
    page: str,
    step: str,
    helpful: bool,
    comment: str,
    user: AbstractBaseUser | None,
    district: District | None,
    now: dt.datetime | None = None,
) -> HelpFeedback | None:
    """Store one answer; None when the session sent the very same answer within the last minute.

    ``session`` is the visitor's session: it remembers the session's recent answers (time and a fingerprint),
    which is all the repeat and flood checks need, so nothing about an anonymous visitor goes in the table.
    """
    comment = comment.strip()
    if not is_known_topic(page, step):
        raise FeedbackRefused("This help page does not exist, so the answer was not saved.")
    if len(comment) > COMMENT_MAX_LENGTH:
        raise FeedbackRefused(f"Keep the comment to {COMMENT_MAX_LENGTH} characters; it was not saved.")
    now = now or timezone.now()
    fingerprint = _fingerprint(page=page, step=step, helpful=helpful, comment=comment)
    stamp = now.timestamp()
    recent = [
        (at, seen) for at, seen in session.get(RECENT_ANSWERS_KEY, []) if stamp - at < ANSWERS_WINDOW.total_seconds()
    ]
    if any(seen == fingerprint and stamp - at < REPEAT_WINDOW.total_seconds() for at, seen in recent):
        return None
    if len(recent) >= ANSWERS_PER_SESSION:
        raise TooManyAnswers("Thank you for all your answers. You have sent many in the last hour; try again later.")
    feedback = HelpFeedback.objects.create(
        page=page,
        step=step,
        helpful=helpful,
        comment=comment,
        district=district,
        user=known_actor(user),
    )
    session[RECENT_ANSWERS_KEY] = [*recent, (stamp, fingerprint)]
    return feedback
