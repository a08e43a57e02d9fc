"""Sync students, teachers, school staff and district admins from one pass over /users.

Contacts are skipped: ClassHub does not need parents' data. A person with several staff roles
is one Educator row with several flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from classhub.clever.parsing import (
    UnusableRecord,
    id_list,
    mapping,
    person_name,
    record_id,
    role_schools,
    text,
    user_roles,
)
from rosters.importer.context import ImportContext
from rosters.importer.pages import pages_with_ranges, split_unchanged
from rosters.importer.tables import KIND_LINKS
from rosters.importer.writer import KindWriter, Record
from rosters.models import Educator, EducatorSchool, Student


def _school_links(school_ids: list[str], ctx: ImportContext, *extra) -> tuple[list[tuple], bool]:
    """Link tuples to the schools' rows; False when an approved school is missing from the database."""
    links = [(ctx.school_pks[s], *extra) for s in school_ids if s in ctx.school_pks]
    return links, len(links) == len(school_ids)


def student_record(obj: dict, role: dict, school_ids: list[str], ctx: ImportContext) -> Record:
    clever_id = record_id(obj)
    name = person_name(obj)
    primary = text(role.get("school"), 64)
    primary = primary if primary in school_ids else school_ids[0]
    row = {
        "clever_id": clever_id,
        "district_id": ctx.district.pk,
        "school_id": ctx.school_pks.get(primary),
        "email": (email := text(obj.get("email"), 254)),
        "email_key": email.lower(),
        **name,
        "sis_id": text(role.get("sis_id")),
        "student_number": text(role.get("student_number")),
        "state_id": text(role.get("state_id")),
        "grade": text(role.get("grade"), 64),
        "graduation_year": text(role.get("graduation_year"), 16),
        "last_modified": text(obj.get("last_modified"), 40),
    }
    links, complete = _school_links(school_ids, ctx)
    return Record(clever_id, row, {"schools": links}, complete, source=ctx.source(obj))


def educator_record(obj: dict, roles, teacher_schools: list[str], staff_schools: list[str], ctx) -> Record:
    clever_id = record_id(obj)
    name = person_name(obj)
    teacher = roles.teacher or {}
    staff = roles.staff or {}
    admin = roles.district_admin or {}
    row = {
        "clever_id": clever_id,
        "district_id": ctx.district.pk,
        "email": text(obj.get("email"), 254),
        "first_name": name["first_name"],
        "last_name": name["last_name"],
        "is_teacher": bool(teacher_schools),
        "is_school_staff": roles.staff is not None,
        "is_district_admin": roles.district_admin is not None,
        "teacher_sis_id": text(teacher.get("sis_id")),
        "teacher_number": text(teacher.get("teacher_number")),
        "staff_id": text(staff.get("staff_id")),
        "title": text(teacher.get("title") or staff.get("title") or admin.get("title")),
        "department": text(staff.get("department")),
        "last_modified": text(obj.get("last_modified"), 40),
    }
    teaching, complete_t = _school_links(teacher_schools, ctx, EducatorSchool.Role.TEACHER.value)
    working, complete_s = _school_links(staff_schools, ctx, EducatorSchool.Role.STAFF.value)
    return Record(clever_id, row, {"schools": teaching + working}, complete_t and complete_s, source=ctx.source(obj))


@dataclass
class UserRecords:
    students: list[Record] = field(default_factory=list)
    educators: list[Record] = field(default_factory=list)
    out_of_scope: list[str] = field(default_factory=list)  # valid users ClassHub does not keep


def user_records(page: list, ctx: ImportContext) -> UserRecords:
    """Sort one page of users into students and educators; unusable ones become issues."""
    approved = ctx.approved_school_ids
    found = UserRecords()
    for obj in page:
        clever_id = text(mapping(obj).get("id"), 64)
        try:
            record_id(obj)
            roles = user_roles(obj)
            if roles.student is not None and roles.is_educator:
                raise UnusableRecord(
                    field="roles",
                    message="This user is both a student and staff; Clever never combines these roles.",
                    suggested_fix="Ask the district to fix the user's roles in their SIS.",
                )
            if roles.student is not None:
                schools = [s for s in role_schools(roles.student) if s in approved]
                if schools:
                    found.students.append(student_record(obj, roles.student, schools, ctx))
                else:
                    found.out_of_scope.append(clever_id)  # a student of a school that was not approved
            elif roles.is_educator:
                teacher_schools = [s for s in role_schools(roles.teacher or {}) if s in approved]
                staff_schools = [s for s in id_list((roles.staff or {}).get("schools")) if s in approved]
                if teacher_schools or staff_schools or roles.district_admin is not None:
                    found.educators.append(educator_record(obj, roles, teacher_schools, staff_schools, ctx))
                else:
                    found.out_of_scope.append(clever_id)  # staff of schools that were not approved only
            elif "contact" in obj["roles"]:
                ctx.counts["contacts_skipped"] += 1  # parents' data is never stored
                found.out_of_scope.append(clever_id)
            else:
                raise UnusableRecord(
                    field="roles",
                    message=f"The user has only roles ClassHub does not use: {', '.join(map(str, obj['roles']))}.",
                    suggested_fix="Ask the district to check this user's role in their SIS.",
                )
        except UnusableRecord as problem:
            ctx.issue(kind="users", clever_id=clever_id, problem=problem)
    return found


def user_writers(ctx: ImportContext) -> tuple[KindWriter, KindWriter]:
    return (
        KindWriter(ctx, "students", Student, KIND_LINKS["students"]),
        KindWriter(ctx, "educators", Educator, KIND_LINKS["educators"]),
    )


def import_users(ctx: ImportContext) -> None:
    students, educators = user_writers(ctx)
    for page, after, upto in pages_with_ranges(ctx.api, "users", limit=ctx.page_limit):
        with transaction.atomic():
            stored_students = students.existing_in_range(after, upto)
            stored_educators = educators.existing_in_range(after, upto)
            todo, (same_students, same_educators) = split_unchanged(page, [stored_students, stored_educators], ctx)
            found = user_records(todo, ctx)
            students.write_range(
                found.students, after=after, upto=upto, existing=stored_students, unchanged=same_students
            )
            educators.write_range(
                found.educators, after=after, upto=upto, existing=stored_educators, unchanged=same_educators
            )
            ctx.page_done(len(page))
