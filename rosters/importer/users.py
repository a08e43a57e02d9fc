"""Import students, teachers, school staff and district admins from one pass over /users.

Contacts are skipped: ClassHub does not need parents' data. A person with several staff roles
is one Educator row with several flags.
"""

from __future__ import annotations

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
from rosters.importer.progress import progress_add
from rosters.importer.upsert import replace_links, upsert_by_clever_id
from rosters.models import Educator, EducatorSchool, Student, StudentSchool


def student_row(obj: dict, role: dict, school_ids: list[str], ctx: ImportContext) -> dict:
    name = person_name(obj)
    primary = text(role.get("school"), 64)
    primary = primary if primary in school_ids else school_ids[0]
    return {
        "clever_id": record_id(obj),
        "district_id": ctx.district.pk,
        "school_id": ctx.school_pks.get(primary),
        "email": text(obj.get("email"), 254),
        **name,
        "sis_id": text(role.get("sis_id")),
        "student_number": text(role.get("student_number")),
        "state_id": text(role.get("state_id")),
        "grade": text(role.get("grade"), 64),
        "graduation_year": text(role.get("graduation_year"), 16),
        "last_modified": text(obj.get("last_modified"), 40),
        "archived_at": None,
    }


def educator_row(obj: dict, roles, teacher_schools: list[str], ctx: ImportContext) -> dict:
    name = person_name(obj)
    teacher = roles.teacher or {}
    staff = roles.staff or {}
    admin = roles.district_admin or {}
    return {
        "clever_id": record_id(obj),
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
        "archived_at": None,
    }


def import_users(ctx: ImportContext) -> None:
    approved = ctx.approved_school_ids
    for page in ctx.api.iter_pages("users", limit=ctx.page_limit):
        students, student_links = [], []
        educators, educator_links = [], []
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
                    if not schools:
                        continue  # a student of a school that was not approved: out of scope
                    students.append(student_row(obj, roles.student, schools, ctx))
                    student_links.extend((clever_id, s) for s in schools)
                elif roles.is_educator:
                    teacher_schools = [s for s in role_schools(roles.teacher or {}) if s in approved]
                    staff_schools = [s for s in id_list((roles.staff or {}).get("schools")) if s in approved]
                    if not (teacher_schools or staff_schools or roles.district_admin is not None):
                        continue  # staff of schools that were not approved only
                    educators.append(educator_row(obj, roles, teacher_schools, ctx))
                    educator_links.extend((clever_id, s, EducatorSchool.Role.TEACHER) for s in teacher_schools)
                    educator_links.extend((clever_id, s, EducatorSchool.Role.STAFF) for s in staff_schools)
                elif "contact" in obj["roles"]:
                    ctx.counts["contacts_skipped"] += 1  # parents' data is never stored
                else:
                    raise UnusableRecord(
                        field="roles",
                        message=f"The user has only roles ClassHub does not use: {', '.join(map(str, obj['roles']))}.",
                        suggested_fix="Ask the district to check this user's role in their SIS.",
                    )
            except UnusableRecord as problem:
                ctx.issue(kind="users", clever_id=clever_id, problem=problem)

        with transaction.atomic():
            student_pks = upsert_by_clever_id(Student, students, seen_in_run=ctx.run.pk)
            ctx.student_pks.update(student_pks)
            replace_links(
                StudentSchool,
                owner_field="student",
                owner_pks=student_pks.values(),
                rows=[
                    {"student_id": student_pks[c], "school_id": ctx.school_pks[s]}
                    for c, s in student_links
                    if s in ctx.school_pks
                ],
                unique_fields=["student_id", "school_id"],
            )
            educator_pks = upsert_by_clever_id(Educator, educators, seen_in_run=ctx.run.pk)
            ctx.educator_pks.update(educator_pks)
            replace_links(
                EducatorSchool,
                owner_field="educator",
                owner_pks=educator_pks.values(),
                rows=[
                    {"educator_id": educator_pks[c], "school_id": ctx.school_pks[s], "role": role}
                    for c, s, role in educator_links
                    if s in ctx.school_pks
                ],
                unique_fields=["educator_id", "school_id", "role"],
            )
            ctx.flush_issues()
            progress_add(ctx, len(page))
