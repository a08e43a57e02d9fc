"""A deliberately naive importer, the yardstick for "how much faster than the obvious code".

    python -m bench.naive <clever_district_id>

Reads the same Clever pages as the product (same page size, plain `requests`), and writes every
school, term, course, student, educator and section, and every link row, with its own
`Model.objects.update_or_create(...)` (one SELECT plus one INSERT or UPDATE, each in its own
transaction). It trusts the generated benchmark data: no tolerance, no issues, no archiving.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator

from bench.proc import RESULT_PREFIX


class CleverPages:
    """Pages of a district's /v3.0 lists, read with requests and the district's token."""

    def __init__(self, clever_id: str):
        import requests
        from django.conf import settings

        self.session = requests.Session()
        self.api, self.limit = settings.CLEVER_API_BASE, settings.CLEVER_PAGE_LIMIT
        resp = self.session.get(
            f"{settings.CLEVER_OAUTH_BASE}/oauth/tokens",
            params={"owner_type": "district", "district": clever_id},
            auth=(settings.CLEVER_CLIENT_ID, settings.CLEVER_CLIENT_SECRET),
            timeout=60,
        )
        resp.raise_for_status()
        self.headers = {"Authorization": f"Bearer {resp.json()['data'][0]['access_token']}"}

    def __call__(self, kind: str) -> Iterator[list[dict]]:
        url, params = f"{self.api}/v3.0/{kind}", {"limit": self.limit}
        while url:
            resp = self.session.get(url, params=params, headers=self.headers, timeout=120)
            resp.raise_for_status()
            body = resp.json()
            items = [wrapped["data"] for wrapped in body["data"]]
            if not items:
                return
            yield items
            nxt = next((link["uri"] for link in body["links"] if link["rel"] == "next"), None)
            url, params = (f"{self.api}{nxt}" if nxt else ""), None


def naive_import(clever_id: str) -> dict:
    from onboarding.models import District
    from rosters.models import (
        Course,
        Educator,
        EducatorSchool,
        Enrollment,
        School,
        Section,
        SectionTeacher,
        Student,
        StudentSchool,
        Term,
    )

    district = District.objects.get(clever_id=clever_id)
    pages = CleverPages(clever_id)
    started = time.perf_counter()
    read = written = 0
    school_pks: dict[str, int] = {}
    term_pks: dict[str, int] = {}
    course_pks: dict[str, int] = {}
    student_pks: dict[str, int] = {}
    educator_pks: dict[str, int] = {}

    def save(model, **lookup_and_defaults) -> int:
        nonlocal written
        defaults = lookup_and_defaults.pop("defaults", {})
        obj, _created = model.objects.update_or_create(**lookup_and_defaults, defaults=defaults)
        written += 1
        return obj.pk

    def progress(kind: str) -> None:
        elapsed = time.perf_counter() - started
        print(f"naive {kind}: {read:,} Clever records read, {written:,} rows written ({written / elapsed:,.0f}/s)")

    def common(obj: dict) -> dict:
        return {"district": district, "last_modified": obj.get("last_modified") or "", "archived_at": None}

    for page in pages("schools"):
        for obj in page:
            principal, location = obj.get("principal") or {}, obj.get("location") or {}
            school_pks[obj["id"]] = save(
                School,
                clever_id=obj["id"],
                defaults={
                    **common(obj),
                    "name": obj.get("name") or "",
                    "sis_id": obj.get("sis_id") or "",
                    "school_number": obj.get("school_number") or "",
                    "nces_id": obj.get("nces_id") or "",
                    "state_id": obj.get("state_id") or "",
                    "low_grade": obj.get("low_grade") or "",
                    "high_grade": obj.get("high_grade") or "",
                    "principal_name": principal.get("name") or "",
                    "principal_email": principal.get("email") or "",
                    "city": location.get("city") or "",
                    "state": location.get("state") or "",
                },
            )
        read += len(page)
    progress("schools")
    for kind, model, pks in (("terms", Term, term_pks), ("courses", Course, course_pks)):
        for page in pages(kind):
            for obj in page:
                fields = {"name": obj.get("name") or ""}
                if kind == "terms":
                    fields.update(start_date=obj.get("start_date"), end_date=obj.get("end_date"))
                else:
                    fields["number"] = obj.get("number") or ""
                pks[obj["id"]] = save(model, clever_id=obj["id"], defaults={**common(obj), **fields})
            read += len(page)
    progress("terms and courses")

    for page in pages("users"):
        for obj in page:
            roles, name = obj.get("roles") or {}, obj.get("name") or {}
            names = {"first_name": name.get("first") or "", "last_name": name.get("last") or ""}
            if "student" in roles:
                role = roles["student"]
                schools = [s for s in role.get("schools") or [role.get("school")] if s in school_pks]
                primary = role.get("school") if role.get("school") in school_pks else schools[0]
                pk = student_pks[obj["id"]] = save(
                    Student,
                    clever_id=obj["id"],
                    defaults={
                        **common(obj),
                        **names,
                        "middle_name": name.get("middle") or "",
                        "school_id": school_pks[primary],
                        "email": obj.get("email") or "",
                        "sis_id": role.get("sis_id") or "",
                        "student_number": role.get("student_number") or "",
                        "state_id": role.get("state_id") or "",
                        "grade": role.get("grade") or "",
                        "graduation_year": role.get("graduation_year") or "",
                    },
                )
                for school in schools:
                    save(StudentSchool, student_id=pk, school_id=school_pks[school])
            elif {"teacher", "staff", "district_admin"} & set(roles):
                teacher, staff, admin = (roles.get(r) or {} for r in ("teacher", "staff", "district_admin"))
                teaches = [s for s in teacher.get("schools") or [] if s in school_pks]
                works = [s for s in staff.get("schools") or [] if s in school_pks]
                pk = educator_pks[obj["id"]] = save(
                    Educator,
                    clever_id=obj["id"],
                    defaults={
                        **common(obj),
                        **names,
                        "email": obj.get("email") or "",
                        "is_teacher": bool(teaches),
                        "is_school_staff": "staff" in roles,
                        "is_district_admin": "district_admin" in roles,
                        "teacher_sis_id": teacher.get("sis_id") or "",
                        "teacher_number": teacher.get("teacher_number") or "",
                        "staff_id": staff.get("staff_id") or "",
                        "title": teacher.get("title") or staff.get("title") or admin.get("title") or "",
                        "department": staff.get("department") or "",
                    },
                )
                for school in teaches:
                    save(EducatorSchool, educator_id=pk, school_id=school_pks[school], role="teacher")
                for school in works:
                    save(EducatorSchool, educator_id=pk, school_id=school_pks[school], role="staff")
        read += len(page)
        progress("users")

    for page in pages("sections"):
        for obj in page:
            if obj.get("school") not in school_pks:
                continue
            pk = save(
                Section,
                clever_id=obj["id"],
                defaults={
                    **common(obj),
                    "school_id": school_pks[obj["school"]],
                    "name": obj.get("name") or "",
                    "sis_id": obj.get("sis_id") or "",
                    "section_number": obj.get("section_number") or "",
                    "period": obj.get("period") or "",
                    "grade": obj.get("grade") or "",
                    "subject": obj.get("subject") or "",
                    "term_clever_id": obj.get("term_id") or "",
                    "term_id": term_pks.get(obj.get("term_id")),
                    "course_clever_id": obj.get("course") or "",
                    "course_id": course_pks.get(obj.get("course")),
                },
            )
            for student in dict.fromkeys(obj.get("students") or []):
                if student in student_pks:
                    save(Enrollment, section_id=pk, student_id=student_pks[student])
            primary = obj.get("teacher")
            for teacher in dict.fromkeys(([primary] if primary else []) + (obj.get("teachers") or [])):
                if teacher in educator_pks:
                    save(
                        SectionTeacher,
                        section_id=pk,
                        educator_id=educator_pks[teacher],
                        defaults={"is_primary": teacher == primary},
                    )
        read += len(page)
        progress("sections")
    return {"seconds": time.perf_counter() - started, "records_read": read, "rows_written": written}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classhub.settings")
    import django

    django.setup()
    result = naive_import(argv[0])
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
