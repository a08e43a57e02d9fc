"""How a district's students sign in on their devices, whether each student is ready for it, and the keys
the device agents (Chrome extension, Windows and Mac agents) use to ask who is signed in.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from onboarding.models import District
from rosters.models import School, Student


class Platform(models.TextChoices):
    CHROMEBOOK = "chromebook", "Chromebook"
    WINDOWS = "windows", "Windows"
    MAC = "mac", "Mac"
    IPAD = "ipad", "iPad"


class DomainKind(models.TextChoices):
    """Which sign-in a domain is for: Google accounts on Chromebooks, or the Windows domain."""

    GOOGLE = "google", "Google Workspace domain (Chromebooks)"
    WINDOWS = "windows", "Windows domain (Windows devices, and Macs and iPads on a Windows domain)"


# The domain kind a device of each platform signs in with.
PLATFORM_DOMAIN_KIND = {
    Platform.CHROMEBOOK: DomainKind.GOOGLE,
    Platform.WINDOWS: DomainKind.WINDOWS,
    Platform.MAC: DomainKind.WINDOWS,
    Platform.IPAD: DomainKind.WINDOWS,
}


class DeviceSetup(models.Model):
    """One school's device sign-in setup; with no school, the district-wide default for schools without one."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="device_setups")
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    platforms = models.JSONField(default=list, blank=True)  # Platform values, several allowed
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["district", "school"], name="unique_device_setup_per_school"),
            models.UniqueConstraint(
                fields=["district"], condition=models.Q(school=None), name="unique_device_setup_default"
            ),
        ]

    def __str__(self) -> str:
        return f"device setup of {self.school or 'the district'}"


class SetupDomain(models.Model):
    """A sign-in domain of a setup, one row each so readiness is computed with a join in the database."""

    setup = models.ForeignKey(DeviceSetup, on_delete=models.CASCADE, related_name="domains")
    kind = models.CharField(max_length=16, choices=DomainKind)
    domain = models.CharField(max_length=253)  # lower case, no "@", validated by the setup service

    class Meta:
        constraints = [models.UniqueConstraint(fields=["setup", "kind", "domain"], name="unique_setup_domain")]

    def __str__(self) -> str:
        return f"{self.domain} ({self.kind})"


class Readiness(models.TextChoices):
    READY = "ready", "Ready"
    NO_EMAIL = "no_email", "No email"
    OUTSIDE_DOMAINS = "outside_domains", "Email outside the school's domains"
    SHARED_EMAIL = "shared_email", "Email shared with another student"
    NO_SETUP = "no_setup", "School not set up yet"


NOT_READY = ~models.Q(reason=Readiness.READY)


class StudentReadiness(models.Model):
    """Why one active student cannot be recognised on the devices of one of their schools.

    Only students who are not ready in a school that is set up have a row: ready students (most of them) and
    the students of schools without a setup are counted per school in ``SchoolReadinessTotal`` instead, so a
    refresh writes thousands of rows, not a million. One row per student and school (a student in two schools
    may be ready in one and not the other). Recomputed in the database after every sync and setup change.
    """

    # The rows are derived, written only by readiness_refresh() from joins of existing rows and replaced whole
    # each time, so they carry no database-level foreign keys (checking them cost more than the refresh) and
    # only the indexes the reads need. Deletes still cascade through the ORM.
    district = models.ForeignKey(
        District, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="readiness", db_index=False, db_constraint=False
    )
    reason = models.CharField(max_length=32, choices=Readiness)
    email_domain = models.CharField(max_length=254, blank=True)  # the domain found in the student's email
    # For a shared email: one other student of the district with the same email.
    shares_with = models.ForeignKey(
        Student, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False, db_constraint=False
    )
    # Lower-case search keys: the report's list searches them by prefix with an index of its own, on SQLite
    # and PostgreSQL alike.
    search_first_last = models.CharField(max_length=512, blank=True)  # "ava smith"
    search_last_first = models.CharField(max_length=512, blank=True)  # "smith ava"
    search_email = models.CharField(max_length=254, blank=True)  # "ava.smith@example.org"

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "school"], name="unique_student_school_readiness")]
        indexes = [
            # Counts by school and reason (the report); (school, reason) alone was redundant with it.
            models.Index(fields=["district", "school", "reason"]),
            models.Index(
                fields=["shares_with"], condition=models.Q(shares_with__isnull=False), name="readiness_shares_with"
            ),
            # The report lists the students who are not ready by name and searches them by prefix.
            models.Index(fields=["district", "search_first_last"], condition=NOT_READY, name="readiness_search_fl"),
            models.Index(fields=["district", "search_last_first"], condition=NOT_READY, name="readiness_search_lf"),
            models.Index(fields=["district", "search_email"], condition=NOT_READY, name="readiness_search_email"),
        ]

    def __str__(self) -> str:
        return f"student {self.student_id} in school {self.school_id}: {self.reason}"


class SchoolReadinessTotal(models.Model):
    """How many active students an active school has, and whether it was set up, at the last refresh.

    It gives every count of the report: ready = students minus the not-ready ones; a school without a setup
    has all its students "not set up".
    """

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+", db_constraint=False)
    school = models.OneToOneField(
        School, on_delete=models.CASCADE, related_name="+", db_constraint=False, primary_key=True
    )
    students = models.PositiveIntegerField(default=0)
    set_up = models.BooleanField(default=False)  # the school had a setup (its own or the district default)
    # The school's students who are not ready, by reason: the report reads these few numbers on every page
    # load instead of counting the not-ready rows (a hundred thousand in a large district) again.
    no_email = models.PositiveIntegerField(default=0)
    shared_email = models.PositiveIntegerField(default=0)
    outside_domains = models.PositiveIntegerField(default=0)

    NOT_READY_FIELDS = ("no_email", "shared_email", "outside_domains")  # named as the Readiness values

    def __str__(self) -> str:
        return f"school {self.school_id}: {self.students} students"


class DeviceKey(models.Model):
    """A district's key for the device identify API. Only a hash is stored; the key is shown once."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="device_keys")
    name = models.CharField(max_length=100, blank=True)  # what it is for, e.g. "Chrome extension"
    prefix = models.CharField(max_length=16, db_index=True)  # the key's first characters, to tell keys apart
    key_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'device key'})"
