"""Writes of ClassHub-only classes: create, add and remove students, archive; each audited.

These classes never touch the SIS or Clever, and the roster sync never touches them.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from classhub.errors import ClassHubError
from onboarding.audit import audit_record
from rosters.models import Educator, Student
from teach.models import CLASS_NAME_MAX_LENGTH, ClassHubClass, ClassHubClassStudent
from teach.selectors.classes import addable_students


class ClassNameInvalid(ClassHubError):
    """The class name typed cannot be used; the message says what to change."""


class StudentNotAddable(ClassHubError):
    """The student is not an active student of one of the teacher's schools (or does not exist)."""


# A teacher's own classes beyond their sections: a few, not thousands (each is listed on the teacher home).
MAX_ACTIVE_CLASSES = 50


def class_name_clean(name: str) -> str:
    """The name trimmed, with inner runs of spaces made one; raise ClassNameInvalid when empty or too long."""
    # Invisible and direction-changing characters (zero-width spaces, right-to-left overrides) make a name that
    # looks blank or reads backwards: dropped, like runs of spaces.
    visible = "".join(ch for ch in (name or "") if unicodedata.category(ch) != "Cf")
    cleaned = " ".join(visible.split())
    if not cleaned:
        raise ClassNameInvalid("Give the class a name, for example “Reading group B”.")
    if len(cleaned) > CLASS_NAME_MAX_LENGTH:
        raise ClassNameInvalid(
            f"Keep the class name to {CLASS_NAME_MAX_LENGTH} characters or fewer (this one has {len(cleaned)})."
        )
    return cleaned


def classhub_class_create(*, owner: Educator, name: str, actor: AbstractBaseUser | None) -> ClassHubClass:
    """Create a ClassHub-only class owned by a teacher, in the teacher's district."""
    cleaned = class_name_clean(name)
    if ClassHubClass.objects.filter(owner=owner, archived_at=None).count() >= MAX_ACTIVE_CLASSES:
        raise ClassNameInvalid(
            f"You have {MAX_ACTIVE_CLASSES} ClassHub-only classes already: archive one you no longer use first."
        )
    with transaction.atomic():
        classhub_class = ClassHubClass.objects.create(district_id=owner.district_id, owner=owner, name=cleaned)
        audit_record(
            district=owner.district,
            actor=actor,
            action="teach.class.created",
            subject=classhub_class,
            after={"name": cleaned, "owner": owner.clever_id},
        )
    return classhub_class


def classhub_class_student_add(
    *, classhub_class: ClassHubClass, student_id: int, actor: AbstractBaseUser | None
) -> tuple[Student, bool]:
    """Add one of the owner's students to the class; returns the student and whether they were added now.

    Only active students of the owner's own schools can be added, whatever the form sent; adding a
    student who is already in the class changes nothing.
    """
    student = addable_students(educator=classhub_class.owner).filter(pk=student_id).first()
    if student is None:
        raise StudentNotAddable("This student is not in one of your schools, so they cannot join your class.")
    with transaction.atomic():
        _membership, added = ClassHubClassStudent.objects.get_or_create(classhub_class=classhub_class, student=student)
        if added:
            audit_record(
                district=classhub_class.district,
                actor=actor,
                action="teach.class.student_added",
                subject=classhub_class,
                after={"student": student.clever_id},
            )
    return student, added


def classhub_class_student_remove(
    *, classhub_class: ClassHubClass, student: Student, actor: AbstractBaseUser | None
) -> bool:
    """Take a student out of the class (archived students too); returns whether they were in it."""
    with transaction.atomic():
        removed, _ = ClassHubClassStudent.objects.filter(classhub_class=classhub_class, student=student).delete()
        if removed:
            audit_record(
                district=classhub_class.district,
                actor=actor,
                action="teach.class.student_removed",
                subject=classhub_class,
                before={"student": student.clever_id},
            )
    return bool(removed)


def classhub_class_archive(*, classhub_class: ClassHubClass, actor: AbstractBaseUser | None) -> None:
    """Archive the class: it leaves the teacher's pages; its students and audit trail are kept."""
    with transaction.atomic():
        updated = ClassHubClass.objects.filter(pk=classhub_class.pk, archived_at=None).update(
            archived_at=timezone.now()
        )
        if updated:
            audit_record(
                district=classhub_class.district,
                actor=actor,
                action="teach.class.archived",
                subject=classhub_class,
                before={"name": classhub_class.name},
            )
