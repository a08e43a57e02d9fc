"""Roster records imported from Clever, keyed on the Clever id, and the import runs that bring them.

Only what ClassHub needs is stored: no contacts (parents), no dates of birth, no gender.
Records a district stops sharing are archived (``archived_at``), never deleted.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from onboarding.models import District


class CleverRecord(models.Model):
    """Fields every imported Clever object has."""

    clever_id = models.CharField(max_length=64, unique=True)
    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    last_modified = models.CharField(max_length=40, blank=True)  # as Clever sent it (ISO 8601)
    archived_at = models.DateTimeField(null=True, blank=True)
    # The digest of the Clever object last written (see importer.writer.Record.digests): a sync skips
    # records whose digest is unchanged. Blank when a link target was not shared: rebuilt every sync.
    sync_hash = models.CharField(max_length=32, blank=True)
    # The digest of the row and its links as written: only a different one counts as a change.
    row_hash = models.CharField(max_length=32, blank=True)

    class Meta:
        abstract = True
        # A sync compares each page with the district's records in the same id range.
        indexes = [models.Index(fields=["district", "clever_id"], name="%(app_label)s_%(class)s_dist_cid")]


class School(CleverRecord):
    name = models.CharField(max_length=255)
    sis_id = models.CharField(max_length=255, blank=True)
    school_number = models.CharField(max_length=255, blank=True)
    nces_id = models.CharField(max_length=64, blank=True)
    state_id = models.CharField(max_length=255, blank=True)
    low_grade = models.CharField(max_length=64, blank=True)
    high_grade = models.CharField(max_length=64, blank=True)
    principal_name = models.CharField(max_length=255, blank=True)
    principal_email = models.CharField(max_length=254, blank=True)
    city = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=64, blank=True)

    class Meta(CleverRecord.Meta):
        ordering = ["name"]
        indexes = [*CleverRecord.Meta.indexes, models.Index(fields=["district", "name"])]

    def __str__(self) -> str:
        return self.name


class Term(CleverRecord):
    name = models.CharField(max_length=255, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.clever_id


class Course(CleverRecord):
    name = models.CharField(max_length=255, blank=True)
    number = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return self.name or self.clever_id


class Student(CleverRecord):
    # The primary school among the approved ones; all approved schools are in StudentSchool.
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Not an EmailField: Clever does not validate emails and they may even lack "@".
    email = models.CharField(max_length=254, blank=True, db_index=True)
    # The email as devices match it: trimmed and lower-cased (indexed with the district below).
    email_key = models.CharField(max_length=254, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    middle_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    sis_id = models.CharField(max_length=255, blank=True)
    student_number = models.CharField(max_length=255, blank=True)
    state_id = models.CharField(max_length=255, blank=True)
    grade = models.CharField(max_length=64, blank=True)  # Clever's enum, unknown values kept as sent
    graduation_year = models.CharField(max_length=16, blank=True)

    class Meta(CleverRecord.Meta):
        indexes = [
            *CleverRecord.Meta.indexes,
            models.Index(fields=["district", "last_name", "first_name"]),
            models.Index(fields=["district", "email_key"]),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.clever_id


class StudentSchool(models.Model):
    """Every approved school a student belongs to (students may be in several)."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="school_links")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["student", "school"], name="unique_student_school")]
        indexes = [models.Index(fields=["school"])]

    def __str__(self) -> str:
        return f"student {self.student_id} in school {self.school_id}"


class Educator(CleverRecord):
    """A Clever user who is not a student: teacher, school staff, district admin — or several at once.

    One person with several roles is one row with several flags, so a teacher who is also the
    district admin signs in once and is one person everywhere.
    """

    email = models.CharField(max_length=254, blank=True)
    first_name = models.CharField(max_length=255, blank=True)
    last_name = models.CharField(max_length=255, blank=True)
    is_teacher = models.BooleanField(default=False)
    is_school_staff = models.BooleanField(default=False)
    is_district_admin = models.BooleanField(default=False)
    teacher_sis_id = models.CharField(max_length=255, blank=True)
    teacher_number = models.CharField(max_length=255, blank=True)
    staff_id = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)

    class Meta(CleverRecord.Meta):
        indexes = [*CleverRecord.Meta.indexes, models.Index(fields=["district", "last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.clever_id


class EducatorSchool(models.Model):
    """An approved school where an educator teaches or works as staff."""

    class Role(models.TextChoices):
        TEACHER = "teacher", "Teacher"
        STAFF = "staff", "School staff"

    educator = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="school_links")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=Role)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["educator", "school", "role"], name="unique_educator_school_role")
        ]
        indexes = [models.Index(fields=["school", "role"])]

    def __str__(self) -> str:
        return f"educator {self.educator_id} ({self.role}) in school {self.school_id}"


class Section(CleverRecord):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="sections")
    name = models.CharField(max_length=255, blank=True)  # not unique, even within a school
    sis_id = models.CharField(max_length=255, blank=True)
    section_number = models.CharField(max_length=255, blank=True)
    period = models.CharField(max_length=64, blank=True)
    grade = models.CharField(max_length=64, blank=True)
    subject = models.CharField(max_length=64, blank=True)
    # Term and course ids change in Clever; the raw id is kept even when the object is unknown.
    term_clever_id = models.CharField(max_length=64, blank=True)
    term = models.ForeignKey(Term, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course_clever_id = models.CharField(max_length=64, blank=True)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name or self.clever_id


class Enrollment(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrollments")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="enrollments")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "student"], name="unique_enrollment")]
        indexes = [models.Index(fields=["student"])]

    def __str__(self) -> str:
        return f"student {self.student_id} in section {self.section_id}"


class SectionTeacher(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="teacher_links")
    educator = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="section_links")
    is_primary = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["section", "educator"], name="unique_section_teacher")]
        indexes = [models.Index(fields=["educator"])]

    def __str__(self) -> str:
        return f"educator {self.educator_id} teaches section {self.section_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    HELD = "held", "Held for review"  # imported, but archiving so much waits for a rep
    FAILED = "failed", "Failed"


class ImportPhase(models.TextChoices):
    WAITING = "waiting", "Waiting to start"
    DISTRICT = "district", "District"
    SCHOOLS = "schools", "Schools"
    TERMS = "terms", "Terms"
    COURSES = "courses", "Courses"
    USERS = "users", "Students, teachers and admins"
    SECTIONS = "sections", "Sections and enrollments"
    DONE = "done", "Done"


class ImportRun(models.Model):
    """One import of a district's approved schools, with live progress."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="import_runs")
    status = models.CharField(max_length=16, choices=ImportStatus, default=ImportStatus.QUEUED)
    phase = models.CharField(max_length=16, choices=ImportPhase, default=ImportPhase.WAITING)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)  # unknown until Clever has been read
    # Records read from Clever expected in all, from the previous run or the dry run; drives the estimate.
    estimated_total = models.PositiveIntegerField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    # Per kind: how many records the run found new, changed and unseen, out of how many were active.
    # Changes and archiving wait as PendingChange rows; a held run keeps them until a rep decides.
    changes = models.JSONField(default=dict, blank=True)
    # The newest Clever event when the run began: incremental sync resumes from it once the run succeeds.
    events_cursor = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["district", "-created_at"])]

    def __str__(self) -> str:
        return f"Import #{self.pk} of {self.district.name}"

    @property
    def is_active(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def percent(self) -> int | None:
        """How far the run is, 0-100, when there is an estimate to measure against."""
        if self.status in (ImportStatus.SUCCEEDED, ImportStatus.HELD):
            return 100
        if not self.estimated_total:
            return None
        return min(99, int(100 * self.done / self.estimated_total))

    @property
    def seconds_left(self) -> int | None:
        """A rough estimate from the rate so far; None until there is enough to go on."""
        if self.status != ImportStatus.RUNNING or not (self.started_at and self.estimated_total and self.done):
            return None
        elapsed = (timezone.now() - self.started_at).total_seconds()
        if elapsed < 2 or self.done >= self.estimated_total:
            return None
        return int(elapsed / self.done * (self.estimated_total - self.done))


class ImportIssue(models.Model):
    """A Clever record the import could not use; the run goes on without it."""

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="issues")
    kind = models.CharField(max_length=32)  # the Clever kind: schools, users, sections, ...
    clever_id = models.CharField(max_length=64, blank=True)
    field = models.CharField(max_length=64, blank=True)
    message = models.TextField()
    suggested_fix = models.TextField(blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.clever_id}: {self.message}"


class PendingChange(models.Model):
    """A change a full sync found but does not apply until the run is complete (and, if held, approved).

    Updates carry the new row and links; archiving carries nothing but the record. New records are
    written as they are read: adding what a district newly shares never needs a review.
    """

    class Action(models.TextChoices):
        UPDATE = "update", "Update"
        ARCHIVE = "archive", "Archive"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="pending_changes")
    kind = models.CharField(max_length=32)  # students, educators, sections, ... (see importer.kinds)
    action = models.CharField(max_length=16, choices=Action)
    record_id = models.BigIntegerField()
    payload = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "kind", "action"])]

    def __str__(self) -> str:
        return f"{self.action} {self.kind} {self.record_id}"


class DistrictSync(models.Model):
    """Per district: who holds the sync lease, and where incremental sync stands.

    The lease makes one sync of a district run at a time on SQLite and PostgreSQL alike: a holder
    renews it while working, and a worker that dies simply stops renewing, so the lease expires.
    """

    district = models.OneToOneField(District, on_delete=models.CASCADE, primary_key=True, related_name="sync")
    lease_holder = models.CharField(max_length=80, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # The last Clever event applied (blank: seeded when the district had no events yet); null: not seeded.
    events_cursor = models.CharField(max_length=64, null=True, blank=True)
    events_synced_at = models.DateTimeField(null=True, blank=True)
    events_applied = models.PositiveIntegerField(default=0)  # in all, since the last full import
    events_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"sync of district {self.district_id}"
