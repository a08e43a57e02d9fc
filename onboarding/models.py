"""Districts, their sharing requests, per-school decisions, rollout plans and the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DistrictStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    SALES_FOLLOW_UP = "sales_follow_up", "Sales follow-up"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    PARTLY_APPROVED = "partly_approved", "Partly approved"
    DENIED = "denied", "Denied"
    ONBOARDING_SCHEDULED = "onboarding_scheduled", "Onboarding scheduled"
    IMPORTING = "importing", "Importing"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    IMPORTED = "imported", "Imported"
    LIVE = "live", "Live"
    DISCONNECTED = "disconnected", "Disconnected"
    PAUSED = "paused", "Paused"


class PurchaseStatus(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded yet"
    ALREADY_PURCHASED = "already_purchased", "Already purchased"
    HAVENT_PURCHASED = "havent_purchased", "Haven't purchased"


class SharingType(models.TextChoices):
    UNKNOWN = "unknown", "Not recorded yet"
    BY_SCHOOLS = "by_schools", "Shared by schools"
    WHOLE_DISTRICT = "whole_district", "Shared the whole district"


class RequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    PARTLY_APPROVED = "partly_approved", "Partly approved"
    DENIED = "denied", "Denied"
    SUPERSEDED = "superseded", "Replaced by a newer request"


class SchoolDecisionStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROVED = "approved", "Approved"
    DENIED = "denied", "Denied"


class District(models.Model):
    """A school district, from the first conversation with a rep until it is live."""

    clever_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    status = models.CharField(max_length=32, choices=DistrictStatus, default=DistrictStatus.REQUESTED)
    # What Clever notified the rep; copied onto each new sharing request.
    purchase_status = models.CharField(max_length=32, choices=PurchaseStatus, default=PurchaseStatus.UNKNOWN)
    sharing_type = models.CharField(max_length=32, choices=SharingType, default=SharingType.UNKNOWN)
    contact_name = models.CharField(max_length=255, blank=True)
    contact_email = models.CharField(max_length=254, blank=True)
    contact_title = models.CharField(max_length=255, blank=True)
    nces_id = models.CharField(max_length=64, blank=True)
    sis_type = models.CharField(max_length=64, blank=True)
    # The district admin's own answer on the portal's first step; the rep's record above decides.
    purchase_confirmed_by_district = models.CharField(max_length=32, choices=PurchaseStatus, blank=True)
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status", "name"])]
        permissions = [
            ("review_district", "Can review sharing requests (approve, deny, record purchase)"),
            ("schedule_onboarding", "Can schedule the onboarding session"),
            ("resync_district", "Can re-run a district's import"),
            ("go_live", "Can take a district live"),
        ]

    def __str__(self) -> str:
        return self.name


class RolloutPlanSchool(models.Model):
    """A school the district and ClassHub agreed to roll out, entered by a rep."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="rollout_plan")
    name = models.CharField(max_length=255)
    # Plans made before the connection existed name schools by NCES id or name instead.
    clever_school_id = models.CharField(max_length=64, blank=True)
    nces_id = models.CharField(max_length=64, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SharingRequest(models.Model):
    """What a district shared with ClassHub at one point, and the rep's decision on it."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="sharing_requests")
    status = models.CharField(max_length=32, choices=RequestStatus, default=RequestStatus.PENDING)
    purchase_status = models.CharField(max_length=32, choices=PurchaseStatus, default=PurchaseStatus.UNKNOWN)
    sharing_type = models.CharField(max_length=32, choices=SharingType, default=SharingType.UNKNOWN)
    # A change request holds only the schools the district added after its first review.
    is_change = models.BooleanField(default=False)
    # The review's dry run, computed by a task (it reads every user of the district from Clever).
    dry_run = models.JSONField(null=True, blank=True)
    dry_run_at = models.DateTimeField(null=True, blank=True)
    dry_run_error = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.district.name} — request #{self.pk}"


class SchoolDecision(models.Model):
    """One shared school of a sharing request and what the rep decided for it."""

    request = models.ForeignKey(SharingRequest, on_delete=models.CASCADE, related_name="school_decisions")
    clever_school_id = models.CharField(max_length=64)
    school_name = models.CharField(max_length=255)
    nces_id = models.CharField(max_length=64, blank=True)
    in_rollout_plan = models.BooleanField(default=False)
    decision = models.CharField(max_length=16, choices=SchoolDecisionStatus, default=SchoolDecisionStatus.PENDING)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["school_name"]
        constraints = [models.UniqueConstraint(fields=["request", "clever_school_id"], name="one_decision_per_school")]

    def __str__(self) -> str:
        return f"{self.school_name}: {self.get_decision_display()}"


class AuditEvent(models.Model):
    """One step of the journey: who did what, to what, why, and what changed."""

    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # null means the system did it
    action = models.CharField(max_length=100)  # dotted, e.g. "onboarding.request.approved"
    subject_type = models.CharField(max_length=64, blank=True)
    subject_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.action} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def actor_label(self) -> str:
        return self.actor.get_username() if self.actor else "system"


class SharedSchool(models.Model):
    """A school a district shares with ClassHub in Clever now (or did: ``unshared_at``)."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="shared_schools")
    clever_school_id = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    nces_id = models.CharField(max_length=64, blank=True)
    first_shared_at = models.DateTimeField(auto_now_add=True)
    unshared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["district", "clever_school_id"], name="one_shared_school_row")]

    def __str__(self) -> str:
        return self.name


class OnboardingSession(models.Model):
    """The onboarding session with Clever a rep scheduled for a district (one per district, rescheduled in place)."""

    district = models.OneToOneField(District, on_delete=models.CASCADE, related_name="onboarding_session")
    starts_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)  # IANA name, e.g. "America/Chicago", shown to the district
    duration_minutes = models.PositiveIntegerField(default=60)
    notes = models.TextField(blank=True)
    # RFC 5545: the same UID with a higher SEQUENCE updates the invite in the contact's calendar.
    sequence = models.PositiveIntegerField(default=0)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        from zoneinfo import ZoneInfo

        local = self.starts_at.astimezone(ZoneInfo(self.time_zone))
        return f"Onboarding of {self.district.name} on {local:%Y-%m-%d at %H:%M} ({self.time_zone})"

    @property
    def ics_uid(self) -> str:
        return f"onboarding-{self.district.clever_id}@classhub"

    @property
    def is_over(self) -> bool:
        """Whether the session has taken place (its end has passed)."""
        import datetime as dt

        from django.utils import timezone

        return self.starts_at + dt.timedelta(minutes=self.duration_minutes) <= timezone.now()


class EmailKind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", "Request received"
    SALES_FOLLOW_UP = "sales_follow_up", "Sales follow-up"
    DECISION = "decision", "Review decision"
    ONBOARDING_SCHEDULED = "onboarding_scheduled", "Onboarding scheduled"
    NEEDS_ATTENTION = "needs_attention", "Needs attention"
    WELCOME = "welcome", "Welcome"


class EmailStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class EmailLog(models.Model):
    """Every email the portal sends, rendered once and kept, so a resend sends exactly the same."""

    kind = models.CharField(max_length=32, choices=EmailKind)
    district = models.ForeignKey(District, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails")
    to = models.CharField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    ics = models.TextField(blank=True)  # a calendar invite attached as invite.ics
    # One email per event (e.g. "welcome:<school>:<person>"): queuing it again does nothing.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = models.CharField(max_length=16, choices=EmailStatus, default=EmailStatus.QUEUED)
    error = models.TextField(blank=True)
    resend_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "-created_at"]), models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return (
            f"“{self.subject}” to {self.to} ({self.created_at:%Y-%m-%d %H:%M} UTC, {self.get_status_display().lower()})"
        )
