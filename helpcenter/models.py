"""Answers to "Did this help?" on the help pages, read by reps in the admin."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from onboarding.models import District

# Long enough for a real remark, short enough that nobody pastes a roster into it.
COMMENT_MAX_LENGTH = 1000


class HelpFeedback(models.Model):
    """One "Did this help?" answer. Nothing is kept about an anonymous visitor beyond the answer itself."""

    page = models.CharField(max_length=64)  # a guide id of helpcenter.content, e.g. "connect-clever"
    step = models.CharField(max_length=64, blank=True)  # one of the guide's step ids, or "" for the whole page
    helpful = models.BooleanField()
    comment = models.TextField(blank=True)  # trimmed, at most COMMENT_MAX_LENGTH characters
    # Set when a district admin answered while signed in. An answer stays if its district or user is deleted.
    district = models.ForeignKey(
        District, null=True, blank=True, on_delete=models.SET_NULL, related_name="help_feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["page", "-created_at"])]
        verbose_name = "help page answer"
        verbose_name_plural = "help page answers"

    def __str__(self) -> str:
        answer = "helped" if self.helpful else "did not help"
        return f"{self.page}{'#' + self.step if self.step else ''}: {answer} ({self.created_at:%Y-%m-%d %H:%M})"
