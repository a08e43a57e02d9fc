"""Fill a migrated scratch SQLite database with one big district for the identify benchmark, fast.

    python -m bench.identify_data <students>

Rows go in by raw ``executemany`` on the product's own tables (columns from the models' metadata, so the
schema is the migrated one): a full Clever import of a million students would take minutes and is measured
by `make bench` already. Per 500 students: a school, 25 teachers and 100 sections of the current term; each
student is in 6 sections (with a co-teacher in every fourth), 1 in 50 in a second school, and has the email
``s<n>@students.bench.example.org`` in the district default's Google domain. Ends with a device key.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterable, Iterator

from bench.proc import RESULT_PREFIX

DOMAIN = "students.bench.example.org"
STUDENTS_PER_SCHOOL = 500
TEACHERS_PER_SCHOOL = 25
SECTIONS_PER_SCHOOL = 100
SECTIONS_PER_STUDENT = 6
CHUNK = 50_000


def student_email(number: int) -> str:
    return f"s{number}@{DOMAIN}"


def insert(cursor, model, columns: list[str], rows: Iterable[tuple]) -> int:
    """Insert rows giving ``columns`` (attnames, id included); every other column gets its field default."""
    fields = [f for f in model._meta.concrete_fields]
    given = {f.attname: f for f in fields if f.attname in columns}
    missing = set(columns) - set(given)
    if missing:
        raise SystemExit(f"{model.__name__} has no column(s) {sorted(missing)}: the benchmark needs updating.")
    rest = [f for f in fields if f.attname not in given]
    tail = tuple(None if f.null else f.get_default() for f in rest)
    names = [given[c].column for c in columns] + [f.column for f in rest]
    sql = f'INSERT INTO "{model._meta.db_table}" ({", ".join(names)}) VALUES ({", ".join(["%s"] * len(names))})'
    count = 0
    chunk: list[tuple] = []
    for row in rows:
        chunk.append(row + tail)
        if len(chunk) >= CHUNK:
            cursor.executemany(sql, chunk)
            count += len(chunk)
            chunk = []
    if chunk:
        cursor.executemany(sql, chunk)
        count += len(chunk)
    return count


def build(students: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from devices.keys import device_key_create
    from devices.models import DeviceSetup, DomainKind, SetupDomain
    from onboarding.models import District, DistrictStatus
    from rosters.models import (
        Educator,
        Enrollment,
        School,
        Section,
        SectionTeacher,
        Student,
        StudentSchool,
        Term,
    )

    started = time.perf_counter()
    today = timezone.localdate()
    district = District.objects.create(clever_id="b" * 24, name="Bench Unified", status=DistrictStatus.LIVE)
    term = Term.objects.create(
        clever_id="t" * 24,
        district=district,
        name="This year",
        start_date=today.replace(month=1, day=1),
        end_date=today.replace(month=12, day=31),
    )
    setup = DeviceSetup.objects.create(district=district, school=None, platforms=["chromebook", "windows"])
    SetupDomain.objects.create(setup=setup, kind=DomainKind.GOOGLE, domain=DOMAIN)
    SetupDomain.objects.create(setup=setup, kind=DomainKind.WINDOWS, domain="ad.bench.example.org")
    schools = max(1, -(-students // STUDENTS_PER_SCHOOL))
    d = district.pk
    counts: dict[str, int] = {}

    def cid(kind: str, n: int) -> str:
        return f"{kind}{n:023d}"

    def school_rows() -> Iterator[tuple]:
        for s in range(schools):
            yield (s + 1, cid("h", s), d, f"Bench School {s + 1}")

    def student_rows() -> Iterator[tuple]:
        for i in range(students):
            email = student_email(i + 1)
            yield (i + 1, cid("s", i), d, i // STUDENTS_PER_SCHOOL + 1, email, email, f"First{i}", f"Last{i}", "7")

    def link_rows() -> Iterator[tuple]:
        n = 0
        for i in range(students):
            school = i // STUDENTS_PER_SCHOOL
            n += 1
            yield (n, i + 1, school + 1)
            if i % 50 == 0 and schools > 1:
                n += 1
                yield (n, i + 1, (school + 1) % schools + 1)

    def teacher_rows() -> Iterator[tuple]:
        for t in range(schools * TEACHERS_PER_SCHOOL):
            yield (t + 1, cid("e", t), d, f"Teacher{t}", f"Name{t}", True)

    def section_rows() -> Iterator[tuple]:
        for k in range(schools * SECTIONS_PER_SCHOOL):
            yield (k + 1, cid("c", k), d, k // SECTIONS_PER_SCHOOL + 1, f"Section {k}", str(k % 8 + 1), term.pk)

    def section_teacher_rows() -> Iterator[tuple]:
        n = 0
        for k in range(schools * SECTIONS_PER_SCHOOL):
            school, local = divmod(k, SECTIONS_PER_SCHOOL)
            base = school * TEACHERS_PER_SCHOOL
            n += 1
            yield (n, k + 1, base + local % TEACHERS_PER_SCHOOL + 1, True)
            if local % 4 == 0:
                n += 1
                yield (n, k + 1, base + (local + 1) % TEACHERS_PER_SCHOOL + 1, False)

    def enrollment_rows() -> Iterator[tuple]:
        n = 0
        for i in range(students):
            school, local = divmod(i, STUDENTS_PER_SCHOOL)
            for j in range(SECTIONS_PER_STUDENT):  # 17 * j mod 100 differ for j < 6: distinct sections
                n += 1
                yield (n, school * SECTIONS_PER_SCHOOL + (local + 17 * j) % SECTIONS_PER_SCHOOL + 1, i + 1)

    with transaction.atomic():
        cursor = connection.cursor()
        counts["schools"] = insert(cursor, School, ["id", "clever_id", "district_id", "name"], school_rows())
        student_columns = [
            "id",
            "clever_id",
            "district_id",
            "school_id",
            "email",
            "email_key",
            "first_name",
            "last_name",
            "grade",
        ]
        counts["students"] = insert(cursor, Student, student_columns, student_rows())
        counts["student_schools"] = insert(cursor, StudentSchool, ["id", "student_id", "school_id"], link_rows())
        teacher_columns = ["id", "clever_id", "district_id", "first_name", "last_name", "is_teacher"]
        counts["teachers"] = insert(cursor, Educator, teacher_columns, teacher_rows())
        section_columns = ["id", "clever_id", "district_id", "school_id", "name", "period", "term_id"]
        counts["sections"] = insert(cursor, Section, section_columns, section_rows())
        counts["section_teachers"] = insert(
            cursor, SectionTeacher, ["id", "section_id", "educator_id", "is_primary"], section_teacher_rows()
        )
        counts["enrollments"] = insert(cursor, Enrollment, ["id", "section_id", "student_id"], enrollment_rows())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the query planner's statistics, as a database in service would have them
    _, plaintext = device_key_create(district=district, name="Benchmark agent", actor=None)
    return {
        "district_pk": d,
        "rows": counts,
        "seconds": time.perf_counter() - started,
        "device_key": plaintext,  # a scratch database's key, printed for the load generator
        "domain": DOMAIN,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1 or not argv[0].isdigit():
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classhub.settings")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "sqlite":
        print("bench.identify_data fills a SQLite database only.", file=sys.stderr)
        return 2
    print(RESULT_PREFIX + json.dumps(build(int(argv[0]))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
