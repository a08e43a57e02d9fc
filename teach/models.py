"""ClassHub-only classes: classes a teacher makes in ClassHub, apart from the SIS.

They live in their own tables and point at roster records; the roster sync never reads or writes
them, so nothing Clever sends changes or deletes them. A student who stops being shared stays in
the class, archived, and the page says so.
"""

from __future__ import annotations

from django.db import models

from onboarding.models import District
from rosters.models import Educator, Student

CLASS_NAME_MAX_LENGTH = 100


class ClassHubClass(models.Model):
    """A class a teacher made in ClassHub; it is not in the school's SIS and Clever does not know it."""

    district = models.ForeignKey(District, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Educator, on_delete=models.CASCADE, related_name="classhub_classes")
    name = models.CharField(max_length=CLASS_NAME_MAX_LENGTH)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the teacher archives the class: it disappears from their pages, and its audit trail stays.
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "ClassHub-only class"
        verbose_name_plural = "ClassHub-only classes"
        indexes = [models.Index(fields=["owner", "archived_at"], name="teach_class_owner_archived")]

    def __str__(self) -> str:
        return self.name


class ClassHubClassStudent(models.Model):
    """A student a teacher added to one of their ClassHub-only classes."""

    classhub_class = models.ForeignKey(ClassHubClass, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "student of a ClassHub-only class"
        constraints = [
            models.UniqueConstraint(fields=["classhub_class", "student"], name="one_membership_per_class_student")
        ]

    def __str__(self) -> str:
        return f"student {self.student_id} in ClassHub-only class {self.classhub_class_id}"
