"""Property-based tests (hypothesis) of the roster import: whatever Clever sends, the run goes on.

Black-box, like test_messy_records.py (the hand-written version of these properties): generated
Clever records are served over real HTTP by one sandbox for the whole module, the import runs as
in production (connections_sync, purchase recorded, schools approved, import_run_create +
import_run_execute), and only the roster models are read afterwards. Each example runs inside a
savepoint that is rolled back, so examples never see each other's rows.

Properties:
1. Good records with optional fields missing, null, of the wrong type, over-long, unknown enum values,
   emails without "@" and NUL characters: the run succeeds, every in-scope record is stored exactly
   once (keyed by its Clever id) with each stored field as sent (cut to its column, NUL dropped), its
   links right, nothing out of scope is stored, contacts never, and no issue is raised; importing the
   same data again leaves the same state.
2. The same, with unusable records mixed into the pages (no/null/empty/wrong-type/over-long id, items
   that are not objects, users without usable roles or with student + staff roles, sections without
   a school) and out-of-scope ones: each unusable record is exactly one issue row of its kind, naming
   its Clever id where it has one, with a message and a suggested fix; nothing good is lost.
3. Sections that name students (or teachers) ClassHub was not given are still imported, linked to
   the ones it has, with one informational issue (field "students") when students are missing.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import models, transaction
from hypothesis import HealthCheck, Phase, given, note
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from classhub.clever.sandbox import SandboxDataset, SandboxServer
from onboarding.models import SharingRequest
from onboarding.services import connections_sync, district_purchase_record, sharing_request_approve
from rosters.models import (
    Course,
    Educator,
    EducatorSchool,
    Enrollment,
    ImportIssue,
    ImportStatus,
    School,
    Section,
    SectionTeacher,
    Student,
    StudentSchool,
    Term,
)
from rosters.services import import_run_create, import_run_execute

pytestmark = pytest.mark.django_db

# One district for every example: the module's sandbox issues its token once, at start.
DISTRICT = "e" * 24
FOREIGN_SCHOOL = f"{0x5CFF:024x}"  # a school id no district shares


def hexid(n: int) -> str:
    return f"{n:024x}"


class _Absent:
    """A field Clever left out (distinct from null)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Any = _Absent()

PROPERTY_SETTINGS = hsettings(
    max_examples=30,
    deadline=None,
    # A failure is shrunk to a minimal example (Hypothesis stops after 5 minutes at most);
    # CLASSHUB_PROPERTY_SHRINK=0 reports the first failing example at once instead.
    phases=[p for p in Phase if p != Phase.shrink or os.environ.get("CLASSHUB_PROPERTY_SHRINK", "1") != "0"],
    # The db/settings/rep fixtures are function-scoped on purpose: every example rolls back its rows.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


# ----- what Clever may send in one field -------------------------------------------------------

# Any character JSON can carry, with NUL (which PostgreSQL cannot store) and odd spaces made likely.
SAFE_CHARS = st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from("\x00 \t\n\u00a0\u2028"))
short_text = st.text(SAFE_CHARS, max_size=24)


def long_text(min_size: int = 300, max_size: int = 5000) -> st.SearchStrategy[str]:
    """Over-long text, built by repetition so a 5000-character value stays cheap to draw."""
    return st.tuples(st.text(SAFE_CHARS, min_size=1, max_size=6), st.integers(min_size, max_size)).map(
        lambda t: (t[0] * (t[1] // len(t[0]) + 1))[: t[1]]
    )


wrong_type = st.one_of(
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.lists(st.integers(0, 9), max_size=3),
    st.dictionaries(st.sampled_from(["a", "value", "id"]), st.integers(0, 9), max_size=2),
)


def optional(good: st.SearchStrategy) -> st.SearchStrategy:
    """An optional field: usually good, else missing, null, of the wrong type or over-long."""
    return st.one_of(good, good, st.just(ABSENT), st.none(), wrong_type, long_text())


GRADES = [
    "InfantToddler",
    "Preschool",
    "PreKindergarten",
    "TransitionalKindergarten",
    "Kindergarten",
    *[str(n) for n in range(1, 14)],
    "PostGraduate",
    "Ungraded",
    "Other",
    "",
]
SUBJECTS = ["english/language arts", "math", "science", "social studies", "homeroom/advisory", "other", ""]
US_STATES = ["CA", "NY", "TX", "WA", ""]
unknown_enum = st.one_of(st.from_regex(r"[A-Z][A-Za-z0-9 /+-]{2,20}", fullmatch=True), short_text)


def enum_field(known: list[str]) -> st.SearchStrategy:
    return optional(st.one_of(st.sampled_from(known), unknown_enum))


text_field = optional(short_text)
iso_date = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 12, 31))
iso_timestamp = st.builds(
    lambda d, s, ms: f"{d.isoformat()}T{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}.{ms:03d}Z",
    iso_date,
    st.integers(0, 86399),
    st.integers(0, 999),
)
timestamp_field = optional(iso_timestamp)
date_field = optional(
    st.one_of(
        iso_date.map(dt.date.isoformat),
        iso_timestamp,
        st.sampled_from(["2024-13-45", "8/15/2024", "soon", "", "2024-02-30"]),
    )
)
email_field = optional(
    st.one_of(
        st.builds(
            lambda a, b: f"{a}@{b}.org",
            st.from_regex(r"[a-z][a-z.]{0,10}", fullmatch=True),
            st.from_regex(r"[a-z]{1,10}", fullmatch=True),
        ),
        st.from_regex(r"[a-z][a-z.]{0,15}", fullmatch=True),  # no "@": Clever does not validate emails
        short_text,
    )
)
NOISE = {"created": timestamp_field, "ext": optional(st.dictionaries(st.text(max_size=3), short_text, max_size=2))}


def put(obj: dict, key: str, value: Any) -> None:
    if value is not ABSENT:
        obj[key] = value


def draw_fields(draw, obj: dict, fields: dict[str, st.SearchStrategy]) -> dict:
    for key, strategy in fields.items():
        put(obj, key, draw(strategy))
    return obj


@st.composite
def nested(draw, fields: dict[str, st.SearchStrategy]):
    """A nested object (principal, location, name, credentials) or whatever Clever sends instead."""
    kind = draw(st.sampled_from(["object", "object", "object", "absent", "null", "wrong", "string"]))
    if kind == "object":
        return draw_fields(draw, {}, fields)
    if kind == "string":
        return draw(st.one_of(short_text, long_text()))
    return {"absent": ABSENT, "null": None}.get(kind) if kind != "wrong" else draw(wrong_type)


def id_refs(draw, pool: list[str], max_size: int = 3) -> list[str]:
    return draw(st.lists(st.sampled_from(pool), max_size=max_size, unique=True)) if pool else []


def ref_list(draw, ids: list[str]) -> Any:
    """A list of ids; an empty one may come as [], null, or not at all; junk in it is ignored."""
    if ids and draw(st.integers(0, 5)) == 0:
        return [*ids, draw(st.sampled_from(["", None, 7]))]
    return ids if ids else draw(st.sampled_from([[], None, ABSENT]))


# ----- generated worlds: one district, its schools, users, sections, terms and courses ----------


@dataclass
class World:
    schools: dict[str, dict]
    approved: set[str]
    shared: set[str]  # approved plus any shared school the rep did not approve
    users: dict[str, dict]
    sections: dict[str, dict]
    terms: dict[str, dict]
    courses: dict[str, dict]
    page_limit: int
    reimport: bool = False  # import the same data a second time

    def dataset(self) -> SandboxDataset:
        return SandboxDataset(
            districts={DISTRICT: {"id": DISTRICT, "name": "Property District"}},
            schools=dict(self.schools),
            users=dict(self.users),
            sections=dict(self.sections),
            terms=dict(self.terms),
            courses=dict(self.courses),
            shared_schools={DISTRICT: set(self.shared)},
        )


ROLE_SETS = [
    ("student",),
    ("student",),
    ("teacher",),
    ("staff",),
    ("district_admin",),
    ("teacher", "district_admin"),
    ("teacher", "staff"),
    ("staff", "district_admin"),
    ("teacher", "staff", "district_admin"),
    ("contact",),
]


@st.composite
def school_obj(draw, sid: str) -> dict:
    obj = {"id": sid, "district": DISTRICT}
    draw_fields(
        draw,
        obj,
        {
            "name": text_field,
            "sis_id": text_field,
            "school_number": text_field,
            "nces_id": text_field,
            "state_id": text_field,
            "mdr_number": text_field,
            "phone": text_field,
            "low_grade": enum_field(GRADES),
            "high_grade": enum_field(GRADES),
            "last_modified": timestamp_field,
            **NOISE,
        },
    )
    put(obj, "principal", draw(nested({"name": text_field, "email": email_field})))
    put(
        obj,
        "location",
        draw(nested({"address": text_field, "city": text_field, "state": enum_field(US_STATES), "zip": text_field})),
    )
    return obj


def school_refs(draw, school_ids: list[str]) -> tuple[Any, Any]:
    """(school, schools) of a student or teacher role: sometimes several, sometimes a primary outside the list."""
    schools = id_refs(draw, school_ids)
    primary = draw(st.one_of(st.sampled_from(school_ids), st.sampled_from(schools) if schools else st.nothing()))
    primary = draw(st.sampled_from([primary, primary, primary, None, ABSENT, ""]))
    return primary, ref_list(draw, schools)


@st.composite
def user_obj(draw, uid: str, school_ids: list[str], roles: tuple[str, ...] | None = None) -> dict:
    roles = roles or draw(st.sampled_from(ROLE_SETS))
    obj = {"id": uid, "district": DISTRICT}
    if roles == ("contact",):
        put(obj, "name", draw(st.one_of(st.builds(lambda n: {"last": n}, short_text), nested({"last": text_field}))))
    else:
        put(
            obj,
            "name",
            draw(st.one_of(nested({"first": text_field, "middle": text_field, "last": text_field}), short_text)),
        )
    draw_fields(draw, obj, {"email": email_field, "last_modified": timestamp_field, **NOISE})
    credentials = nested({"district_username": st.one_of(text_field, long_text())})
    role_objs: dict[str, Any] = {}
    for role in roles:
        info: dict[str, Any] = {}
        if role in ("student", "teacher"):
            primary, schools = school_refs(draw, school_ids)
            put(info, "school", primary)
            put(info, "schools", schools)
        if role == "student":
            draw_fields(
                draw,
                info,
                {
                    "sis_id": text_field,
                    "student_number": text_field,
                    "state_id": text_field,
                    "grade": enum_field(GRADES),
                    "graduation_year": optional(st.one_of(st.integers(2000, 2040).map(str), short_text)),
                    "dob": optional(st.sampled_from(["1/2/2010", "12/31/2009", "2010-01-02"])),
                    "gender": optional(st.sampled_from(["M", "F", "X", ""])),
                    "enrollments": optional(st.just([])),
                },
            )
        elif role == "teacher":
            draw_fields(
                draw,
                info,
                {"sis_id": text_field, "teacher_number": text_field, "state_id": text_field, "title": text_field},
            )
        elif role == "staff":
            put(info, "schools", ref_list(draw, id_refs(draw, school_ids)))
            draw_fields(draw, info, {"staff_id": text_field, "title": text_field, "department": text_field})
        elif role == "district_admin":
            draw_fields(draw, info, {"title": text_field, "legacy_id": text_field})
        elif role == "contact":
            draw_fields(draw, info, {"relationship": text_field, "type": text_field})
        if role != "contact" and draw(st.booleans()):
            put(info, "credentials", draw(credentials))
        role_objs[role] = info
    if draw(st.integers(0, 5)) == 0:  # a role Clever added later, next to the known ones: ignored
        role_objs[draw(st.sampled_from(["astronaut", "family_member", "Teacher"]))] = {}
    obj["roles"] = role_objs
    return obj


@st.composite
def term_obj(draw, tid: str) -> dict:
    return draw_fields(
        draw,
        {"id": tid, "district": DISTRICT},
        {"name": text_field, "start_date": date_field, "end_date": date_field, "last_modified": timestamp_field},
    )


@st.composite
def course_obj(draw, cid: str) -> dict:
    return draw_fields(
        draw,
        {"id": cid, "district": DISTRICT},
        {"name": text_field, "number": text_field, "last_modified": timestamp_field},
    )


@st.composite
def section_obj(
    draw,
    sid: str,
    school_id: str,
    student_pool: list[str],
    teacher_pool: list[str],
    term_ids: list[str],
    course_ids: list[str],
) -> dict:
    obj: dict[str, Any] = {"id": sid, "district": DISTRICT, "school": school_id}
    put(obj, "students", ref_list(draw, id_refs(draw, student_pool, max_size=4)))
    teachers = id_refs(draw, teacher_pool)
    put(obj, "teachers", ref_list(draw, teachers))
    primary_choices = [st.just(ABSENT), st.none(), st.just("")]  # sections without a primary teacher exist
    if teachers:
        primary_choices.append(st.sampled_from(teachers))
    if teacher_pool:
        primary_choices.append(st.sampled_from(teacher_pool))  # a primary who is not in `teachers`
    put(obj, "teacher", draw(st.one_of(*primary_choices)))
    dangling = hexid(0x7777)  # term and course ids change in Clever: an id nobody sent
    for key, ids in (("term_id", term_ids), ("course", course_ids)):
        choices = [st.just(dangling), st.just(ABSENT), st.none(), wrong_type]
        if ids:
            choices = [st.sampled_from(ids), st.sampled_from(ids), *choices]
        put(obj, key, draw(st.one_of(*choices)))
    return draw_fields(
        draw,
        obj,
        {
            "name": text_field,
            "sis_id": text_field,
            "section_number": text_field,
            "period": text_field,
            "grade": enum_field(GRADES),
            "subject": enum_field(SUBJECTS),
            "last_modified": timestamp_field,
            **NOISE,
        },
    )


@st.composite
def worlds(draw, *, dangling: bool = False, max_users: int = 9) -> World:
    """A district's data. With dangling=True, sections of approved schools also name people not shared."""
    n_approved = draw(st.integers(1, 3))
    n_shared = draw(st.integers(0, 1))  # shared by the district but not approved by the rep
    n_unshared = draw(st.integers(0, 1))  # not shared at all
    ids = [hexid(0x5C00 + i) for i in range(n_approved + n_shared + n_unshared)]
    approved = set(ids[:n_approved])
    shared = set(ids[: n_approved + n_shared])
    schools = {sid: draw(school_obj(sid)) for sid in ids}
    terms = {tid: draw(term_obj(tid)) for tid in (hexid(0x7E00 + i) for i in range(draw(st.integers(0, 3))))}
    courses = {cid: draw(course_obj(cid)) for cid in (hexid(0xC000 + i) for i in range(draw(st.integers(0, 3))))}
    n_users = draw(st.integers(0, max_users))
    users = {uid: draw(user_obj(uid, ids)) for uid in (hexid(0xA000 + i) for i in range(n_users))}
    in_scope = expected_people(users, approved)
    students_in = sorted(in_scope["students"])
    educators_in = sorted(in_scope["educators"])
    everyone = sorted(users)
    sections = {}
    for i in range(draw(st.integers(0, 5))):
        sid = hexid(0x5E00 + i)
        school_id = draw(st.sampled_from(ids))
        if school_id in approved and not dangling:
            # Only people ClassHub has, so a good section raises no informational issue.
            student_pool, teacher_pool = students_in, educators_in
        else:
            student_pool = teacher_pool = everyone + [hexid(0xDEAD)]
        sections[sid] = draw(section_obj(sid, school_id, student_pool, teacher_pool, sorted(terms), sorted(courses)))
        if dangling and school_id in approved and draw(st.booleans()):
            # junk Clever may put in the lists: not ids at all (ignored), or ids of nobody
            extra = draw(st.lists(st.one_of(st.integers(0, 99), st.just(hexid(0xBEEF))), min_size=1, max_size=2))
            key = draw(st.sampled_from(["students", "teachers"]))
            sections[sid][key] = list(sections[sid].get(key) or []) + extra
    return World(
        schools=schools,
        approved=approved,
        shared=shared,
        users=users,
        sections=sections,
        terms=terms,
        courses=courses,
        page_limit=draw(st.integers(1, 6)),
        reimport=draw(st.integers(0, 3)) == 0,
    )


# ----- what the import should leave, derived from the records (not from the importer) ----------


def role(user: dict, name: str) -> dict | None:
    roles = user.get("roles")
    info = roles.get(name) if isinstance(roles, dict) else None
    return info if isinstance(info, dict) else None


def role_school_ids(info: dict | None, *, singular: bool = True) -> list[str]:
    """A role's schools in order: `schools`, then the primary `school` if it is not among them."""
    if info is None:
        return []
    found = [s for s in (info.get("schools") or []) if isinstance(s, str)]
    primary = info.get("school") if singular else None
    if isinstance(primary, str) and primary and primary not in found:
        found.append(primary)
    return found


def expected_people(users: dict[str, dict], approved: set[str]) -> dict[str, set[str]]:
    """Students of an approved school; teachers/staff of one, and every district admin. Never contacts."""
    students, educators = set(), set()
    for uid, user in users.items():
        if role(user, "student") is not None:
            if set(role_school_ids(role(user, "student"))) & approved:
                students.add(uid)
        elif (
            set(role_school_ids(role(user, "teacher"))) & approved
            or set(role_school_ids(role(user, "staff"), singular=False)) & approved
            or role(user, "district_admin") is not None
        ):
            educators.add(uid)
    return {"students": students, "educators": educators}


def get(obj: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(obj, dict):
            return ABSENT
        obj = obj.get(key, ABSENT)
    return obj


def accepted(value: Any, max_length: int) -> set[str]:
    """What a column may hold for a value Clever sent: text as sent (trimmed, cut to the column),
    a number as its digits, nothing for containers and null."""
    if value is ABSENT or value is None or isinstance(value, dict | list):
        return {""}
    if isinstance(value, bool):
        return {"", "true" if value else "false", str(value)}
    if isinstance(value, int | float):
        return {"", str(value)[:max_length], json.dumps(value)[:max_length]}
    value = value.replace("\x00", "")  # PostgreSQL cannot store NUL: it is dropped
    return {value.strip()[:max_length], value[:max_length].strip(), value[:max_length]}


def expected_date(value: Any) -> set[dt.date | None]:
    """A proper ISO date or datetime must be read; anything else may be read leniently or not at all."""
    if value is None or isinstance(value, bool | dict | list):
        return {None}
    try:
        parsed = dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        return {None}
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}\.\d{3}Z)?", value):
        return {parsed}
    return {parsed, None}


def short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}...({len(text)} chars)"


class Checker:
    """Collects every mismatch of one example, so a failure lists them all."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, message: str) -> None:
        self.problems.append(message)

    def text(self, row: models.Model, column: str, value: Any, extra_ok: set[str] = frozenset()) -> None:
        max_length = row._meta.get_field(column).max_length
        got = getattr(row, column)
        ok = accepted(value, max_length) | set(extra_ok)
        if got not in ok:
            self.fail(
                f"{type(row).__name__} {row.clever_id}.{column} = {short(got)}; Clever sent {short(value)}, "
                f"expected one of {short(sorted(ok))}"
            )

    def equal(self, what: str, got: Any, want: Any) -> None:
        if got != want:
            self.fail(f"{what}: got {short(got, 300)}, expected {short(want, 300)}")

    def done(self) -> None:
        if self.problems:
            raise AssertionError("\n".join(self.problems))


def stored(model: type[models.Model]) -> dict[str, models.Model]:
    rows = {}
    for row in model.objects.filter(district__clever_id=DISTRICT):
        assert row.clever_id not in rows, f"{model.__name__} {row.clever_id} stored twice"
        rows[row.clever_id] = row
    return rows


def check_column_lengths(check: Checker) -> None:
    """Over-long text is cut to its column, and holds no NUL (SQLite would keep both; PostgreSQL refuses them)."""
    for model in (School, Term, Course, Student, Educator, Section):
        char_fields = [f for f in model._meta.concrete_fields if isinstance(f, models.CharField) and f.max_length]
        for row in model.objects.all():
            for f in char_fields:
                value = getattr(row, f.attname) or ""
                if "\x00" in value:
                    check.fail(f"{model.__name__} {row.clever_id}.{f.name} holds a NUL character")
                if len(value) > f.max_length:
                    check.fail(
                        f"{model.__name__} {row.clever_id}.{f.name} is {len(value)} chars (column {f.max_length})"
                    )


def check_world(world: World, run) -> None:
    """Everything in scope stored once, as sent; nothing else; informational issues only for sections."""
    check = Checker()
    approved = world.approved
    check.equal("run status", run.status in (ImportStatus.SUCCEEDED, ImportStatus.HELD), True)
    check.equal("run error", run.error, "")

    schools = stored(School)
    check.equal("schools stored", set(schools), approved)
    for sid, row in schools.items():
        obj = world.schools[sid]
        check.text(
            row,
            "name",
            get(obj, "name"),
            extra_ok={"Unnamed school", sid} if "" in accepted(get(obj, "name"), 255) else set(),
        )
        for column in ("sis_id", "school_number", "nces_id", "state_id", "low_grade", "high_grade", "last_modified"):
            check.text(row, column, get(obj, column))
        check.text(row, "principal_name", get(obj, "principal", "name"))
        check.text(row, "principal_email", get(obj, "principal", "email"))
        check.text(row, "city", get(obj, "location", "city"))
        check.text(row, "state", get(obj, "location", "state"))

    terms = stored(Term)
    check.equal("terms stored", set(terms), set(world.terms))
    for tid, row in terms.items():
        obj = world.terms[tid]
        check.text(row, "name", get(obj, "name"))
        check.text(row, "last_modified", get(obj, "last_modified"))
        for column in ("start_date", "end_date"):
            if getattr(row, column) not in expected_date(get(obj, column)):
                check.fail(f"Term {tid}.{column} = {getattr(row, column)!r}; Clever sent {short(get(obj, column))}")

    courses = stored(Course)
    check.equal("courses stored", set(courses), set(world.courses))
    for cid, row in courses.items():
        for column in ("name", "number", "last_modified"):
            check.text(row, column, get(world.courses[cid], column))

    people = expected_people(world.users, approved)
    students = stored(Student)
    educators = stored(Educator)
    check.equal("students stored", set(students), people["students"])
    check.equal("educators stored", set(educators), people["educators"])
    contacts = {uid for uid, u in world.users.items() if role(u, "contact") is not None}
    check.equal("contacts stored", contacts & (set(students) | set(educators)), set())

    for uid, row in students.items():
        user = world.users[uid]
        check_person(check, row, user, middle=True)
        info = role(user, "student")
        for column in ("sis_id", "student_number", "state_id", "grade", "graduation_year"):
            check.text(row, column, get(info, column))
        in_approved = [s for s in role_school_ids(info) if s in approved]
        links = set(StudentSchool.objects.filter(student=row).values_list("school__clever_id", flat=True))
        check.equal(f"Student {uid} schools", links, set(in_approved))
        primary = info.get("school")
        school = row.school.clever_id if row.school else None
        if primary in approved:
            check.equal(f"Student {uid} primary school", school, primary)
        elif school not in in_approved:
            check.fail(f"Student {uid} primary school {school!r} is not one of its approved schools {in_approved}")

    for uid, row in educators.items():
        user = world.users[uid]
        check_person(check, row, user, middle=False)
        teacher, staff, admin = role(user, "teacher"), role(user, "staff"), role(user, "district_admin")
        teaches = [s for s in role_school_ids(teacher) if s in approved]
        works = [s for s in role_school_ids(staff, singular=False) if s in approved]
        check.equal(f"Educator {uid} is_district_admin", row.is_district_admin, admin is not None)
        if teacher is None or teaches:
            check.equal(f"Educator {uid} is_teacher", row.is_teacher, bool(teaches))
        if staff is None or works:
            check.equal(f"Educator {uid} is_school_staff", row.is_school_staff, bool(works))
        check.text(row, "teacher_sis_id", get(teacher, "sis_id"))
        check.text(row, "teacher_number", get(teacher, "teacher_number"))
        check.text(row, "staff_id", get(staff, "staff_id"))
        check.text(row, "department", get(staff, "department"))
        titles = [get(r, "title") for r in (teacher, staff, admin) if r is not None]
        title_ok = set().union(*(accepted(t, 255) for t in titles)) if titles else {""}
        if row.title not in title_ok:
            check.fail(f"Educator {uid}.title = {short(row.title)}; Clever sent {short(titles)}")
        links = set(EducatorSchool.objects.filter(educator=row).values_list("school__clever_id", "role"))
        want = {(s, "teacher") for s in teaches} | {(s, "staff") for s in works}
        check.equal(f"Educator {uid} schools", links, want)

    sections = stored(Section)
    want_sections = {sid for sid, s in world.sections.items() if s["school"] in approved}
    check.equal("sections stored", set(sections), want_sections)
    issues = list(ImportIssue.objects.filter(run=run))
    for sid, row in sections.items():
        obj = world.sections[sid]
        check.equal(f"Section {sid} school", row.school.clever_id, obj["school"])
        for column in ("name", "sis_id", "section_number", "period", "grade", "subject", "last_modified"):
            check.text(row, column, get(obj, column))
        for column, key, known in (("term", "term_id", terms), ("course", "course", courses)):
            raw = get(obj, key)
            check.text(row, f"{column}_clever_id", raw)
            linked = getattr(row, column)
            want = raw.strip() if isinstance(raw, str) and raw.strip() in known else None
            check.equal(f"Section {sid} {column}", linked.clever_id if linked else None, want)
        named_students = ids_named(obj.get("students"))
        enrolled = set(Enrollment.objects.filter(section=row).values_list("student__clever_id", flat=True))
        check.equal(f"Section {sid} students", enrolled, set(named_students) & set(students))
        primary = (ids_named([obj.get("teacher")]) or [None])[0]
        named_teachers = ([primary] if primary else []) + ids_named(obj.get("teachers"))
        teaching = set(SectionTeacher.objects.filter(section=row).values_list("educator__clever_id", "is_primary"))
        check.equal(f"Section {sid} teachers", teaching, {(t, t == primary) for t in named_teachers if t in educators})
        # Naming people ClassHub was not given is information, not an unusable section.
        mine = [i for i in issues if i.kind == "sections" and i.clever_id == sid]
        missing_students = set(named_students) - set(students)
        check.equal(
            f"Section {sid} 'students' issues",
            sum(1 for i in mine if i.field == "students"),
            1 if missing_students else 0,
        )
        missing_teachers = set(named_teachers) - set(educators)
        if sum(1 for i in mine if i.field == "teachers") > (1 if missing_teachers else 0):
            check.fail(f"Section {sid}: too many 'teachers' issues: {[(i.field, i.message) for i in mine]}")
        for i in mine:
            if i.field not in ("students", "teachers"):
                check.fail(f"Section {sid} was imported but has an issue: {i.field!r} {i.message!r}")
    for i in issues:
        if not (i.message.strip() and i.suggested_fix.strip()):
            check.fail(f"issue without message or suggested fix: {(i.kind, i.clever_id, i.field, i.message)}")
    if "issues" in (run.counts or {}):
        check.equal("run.counts['issues']", run.counts["issues"], len(issues))
    check_column_lengths(check)
    check.done()


def ids_named(value: Any) -> list[str]:
    """The ids in a list of references; anything that is not a non-empty string names nobody."""
    return [v for v in (value if isinstance(value, list) else []) if isinstance(v, str) and v.strip()]


def check_person(check: Checker, row: models.Model, user: dict, *, middle: bool) -> None:
    name = user.get("name", ABSENT)
    if isinstance(name, str):  # a name sent as one string is kept as the last name
        first = mid = ABSENT
        last = name
    else:
        first, mid, last = get(name, "first"), get(name, "middle"), get(name, "last")
    check.text(row, "first_name", first)
    check.text(row, "last_name", last)
    if middle:
        check.text(row, "middle_name", mid)
    check.text(row, "email", get(user, "email"))
    check.text(row, "last_modified", get(user, "last_modified"))


# ----- running one example ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def prop_server():
    """One sandbox for every example of the module; each example swaps in its own dataset."""
    from django.conf import settings as django_settings

    server = SandboxServer(
        SandboxDataset(districts={DISTRICT: {"id": DISTRICT, "name": "Property District"}}),
        client_id=django_settings.CLEVER_CLIENT_ID,
        client_secret=django_settings.CLEVER_CLIENT_SECRET,
        quiet=True,
    ).start()
    yield server
    server.stop()


@pytest.fixture
def clever(prop_server, settings):
    settings.CLEVER_API_BASE = settings.CLEVER_OAUTH_BASE = prop_server.url
    yield prop_server
    prop_server.clear_faults()


@contextmanager
def rolled_back():
    """Run one example in a savepoint and undo all its rows, whatever happens."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def import_world(server: SandboxServer, world: World, rep, pages: dict[str, list[dict]] | None = None):
    """Connect, approve the world's approved schools and import, as the product does.

    `pages`, when given, are the list responses the import reads instead of the dataset's own
    (they can carry records the sandbox cannot hold, such as ones without an id)."""
    with server.lock:
        server.dataset = world.dataset()
        server.clear_faults()
    connections_sync()
    request = SharingRequest.objects.get(district__clever_id=DISTRICT)
    district_purchase_record(district=request.district, purchase_status="already_purchased", actor=rep)
    sharing_request_approve(request=request, school_ids=sorted(world.approved), actor=rep)
    for kind, bodies in (pages or {}).items():
        for body in bodies:
            server.inject_fault(path_prefix=f"/v3.0/{kind}", status=200, count=1, body=body)
    try:
        return import_run_execute(run_id=import_run_create(district=request.district).pk)
    finally:
        server.clear_faults()


# ----- property 1: good records, messy optional fields ------------------------------------------


@PROPERTY_SETTINGS
@given(world=worlds())
def test_good_records_are_all_imported_as_sent(clever, rep, settings, world):
    settings.CLEVER_PAGE_LIMIT = world.page_limit  # several pages per kind
    with rolled_back():
        run = import_world(clever, world, rep)
        issues = [(i.kind, i.clever_id, i.field, i.message) for i in ImportIssue.objects.filter(run=run)]
        assert issues == [], f"good records raised issues: {issues}"
        check_world(world, run)
        if world.reimport:  # the same data again changes nothing
            again = import_run_execute(run_id=import_run_create(district=run.district).pk)
            assert not ImportIssue.objects.filter(run=again).exists()
            check_world(world, again)


# ----- property 2: unusable records mixed in -----------------------------------------------------


@dataclass
class Unusable:
    """A record the import cannot use, and the issue row it must become."""

    kind: str
    record: Any
    clever_ids: set[str]  # acceptable issue.clever_id values
    fields: set[str] | None  # acceptable issue.field values (None: any starting with "roles")
    why: str

    def matches(self, issue: ImportIssue) -> bool:
        if issue.kind != self.kind or issue.clever_id not in self.clever_ids:
            return False
        return issue.field.startswith("roles") if self.fields is None else issue.field in self.fields


@dataclass
class Mess:
    """Records to mix into the pages: the unusable ones (one issue each) and out-of-scope ones (none)."""

    unusable: list[Unusable] = field(default_factory=list)
    out_of_scope: dict[str, list[dict]] = field(default_factory=dict)


BAD_ID_KINDS = ["absent", "null", "empty", "blank", "int", "float", "bool", "list", "dict", "long"]


def bad_id(draw) -> tuple[Any, set[str]]:
    """An id that is missing, null, empty, not a string or over-long, with the issue ids that name it."""
    kind = draw(st.sampled_from(BAD_ID_KINDS))
    if kind == "long":  # over 64 characters: cutting it could merge two records
        raw = draw(st.text("0123456789abcdef", min_size=65, max_size=300))
        return raw, {raw[:64]}
    value = {
        "absent": ABSENT,
        "null": None,
        "empty": "",
        "blank": "   ",
        "list": [hexid(1)],
        "dict": {"id": hexid(1)},
    }.get(kind, ABSENT)
    if kind == "int":
        value = draw(st.integers(-(10**12), 10**12))
    elif kind == "float":
        value = draw(st.floats(allow_nan=False, allow_infinity=False))
    elif kind == "bool":
        value = draw(st.booleans())
    names = {""}
    if isinstance(value, int | float) and not isinstance(value, bool):
        names |= {str(value)[:64], json.dumps(value)[:64]}
    elif isinstance(value, bool):
        names |= {"true" if value else "false", str(value)}
    return value, names


def with_id(obj: dict, value: Any) -> dict:
    obj = {k: v for k, v in obj.items() if k != "id"}
    if value is not ABSENT:
        obj = {"id": value, **obj}
    return obj


non_object = st.one_of(short_text, st.integers(), st.none(), st.booleans(), st.lists(st.integers(0, 9), max_size=2))


@st.composite
def messes(draw, world: World) -> Mess:
    mess = Mess()
    approved = sorted(world.approved)
    serial = iter(range(0xBAD000, 0xBAE000))

    def add(kind: str, record: Any, ids: set[str], fields: set[str] | None, why: str) -> None:
        mess.unusable.append(Unusable(kind, record, ids, fields, why))

    # users
    for _ in range(draw(st.integers(0, 6))):
        uid = hexid(next(serial))
        student = {"school": draw(st.sampled_from(approved)), "schools": approved[:1]}
        problem = draw(st.sampled_from(["id", "not_object", "no_roles", "role_type", "unknown_roles", "student_staff"]))
        base = {"id": uid, "district": DISTRICT, "name": {"first": "Un", "last": "Usable"}}
        if problem == "id":
            value, ids = bad_id(draw)
            role_name = draw(st.sampled_from(["student", "teacher"]))
            add("users", with_id({**base, "roles": {role_name: student}}, value), ids, {"id"}, "bad id")
        elif problem == "not_object":
            add("users", draw(non_object), {""}, {""}, "not an object")
        elif problem == "no_roles":
            roles = draw(st.sampled_from([ABSENT, None, {}, [], "student", 5]))
            add(
                "users",
                with_id({**base, **({} if roles is ABSENT else {"roles": roles})}, uid),
                {uid},
                {"roles"},
                "no roles",
            )
        elif problem == "role_type":
            name = draw(st.sampled_from(["student", "teacher", "staff", "district_admin"]))
            add(
                "users",
                {**base, "roles": {name: draw(st.one_of(short_text, st.integers(), st.booleans(), st.just([])))}},
                {uid},
                {"roles", f"roles.{name}"},
                "role not an object",
            )
        elif problem == "unknown_roles":
            roles = {
                draw(st.sampled_from(["astronaut", "Student", "guardian"])): draw(
                    st.sampled_from([{}, {"school": approved[0]}])
                )
            }
            add("users", {**base, "roles": roles}, {uid}, {"roles"}, "only unknown roles")
        else:  # Clever never combines student with staff roles
            other = draw(st.sampled_from(["teacher", "staff", "district_admin"]))
            add(
                "users",
                {**base, "roles": {"student": student, other: {"schools": approved[:1]}}},
                {uid},
                None,
                "student and staff",
            )
    if draw(st.integers(0, 3)) == 0:  # two over-long ids that would be one record once cut to 64
        stem = draw(st.text("0123456789abcdef", min_size=64, max_size=64))
        for tail in ("0", "1"):
            record = {"id": stem + tail, "district": DISTRICT, "roles": {"student": {"school": approved[0]}}}
            add("users", record, {stem}, {"id"}, "over-long id, twin")
    # sections
    for _ in range(draw(st.integers(0, 4))):
        sid = hexid(next(serial))
        base = {"id": sid, "district": DISTRICT, "school": draw(st.sampled_from(approved)), "name": "Broken"}
        problem = draw(st.sampled_from(["id", "not_object", "no_school"]))
        if problem == "id":
            value, ids = bad_id(draw)
            add("sections", with_id(base, value), ids, {"id"}, "bad id")
        elif problem == "not_object":
            add("sections", draw(non_object), {""}, {""}, "not an object")
        else:
            school = draw(st.sampled_from([ABSENT, None, "", "   ", [approved[0]], {"id": approved[0]}]))
            record = {k: v for k, v in base.items() if k != "school"}
            if school is not ABSENT:
                record["school"] = school
            add("sections", record, {sid}, {"school"}, "no school")
    # schools, terms and courses without a usable id
    for kind in ("schools", "terms", "courses"):
        for _ in range(draw(st.integers(0, 1))):
            if draw(st.booleans()):
                value, ids = bad_id(draw)
                add(kind, with_id({"id": "", "district": DISTRICT, "name": "No id"}, value), ids, {"id"}, "bad id")
            else:
                add(kind, draw(non_object), {""}, {""}, "not an object")
    # out of scope: Clever should not even send these, but if it does they are skipped quietly
    unshared = sorted(set(world.schools) - world.shared) or [FOREIGN_SCHOOL]
    if draw(st.booleans()):
        uid = hexid(next(serial))
        mess.out_of_scope["users"] = [
            {"id": uid, "district": DISTRICT, "roles": {"student": {"school": unshared[0], "schools": unshared}}}
        ]
    if draw(st.booleans()):
        # A section of a school the district does not share at all: an unusable record (issue 4).
        sid = hexid(next(serial))
        record = {"id": sid, "district": DISTRICT, "school": unshared[0], "students": []}
        add("sections", record, {sid}, {"school"}, "school not shared")
    shared_unapproved = sorted(world.shared - world.approved)
    if shared_unapproved and draw(st.booleans()):
        # A section of a shared school ClassHub did not approve: out of scope, skipped quietly.
        sid = hexid(next(serial))
        mess.out_of_scope["sections"] = [
            {"id": sid, "district": DISTRICT, "school": shared_unapproved[0], "students": []}
        ]
    return mess


def list_pages(kind: str, items: list, size: int, trailing_empty: bool) -> list[dict]:
    """Clever list responses over items, `size` a page, each with its `next` link."""

    def item_id(o: Any) -> str | None:
        return o["id"] if isinstance(o, dict) and isinstance(o.get("id"), str) and o["id"] else None

    chunks = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
    bodies, cursor = [], ""
    for n, chunk in enumerate(chunks):
        cursor = max([i for i in map(item_id, chunk) if i] + [cursor])
        links = [{"rel": "self", "uri": f"/v3.0/{kind}?limit={size}"}]
        if n < len(chunks) - 1 or (trailing_empty and chunk):
            links.append({"rel": "next", "uri": f"/v3.0/{kind}?limit={size}&starting_after={cursor}"})
        data = [{"data": o, "uri": f"/v3.0/{kind}/{item_id(o) or ''}"} for o in chunk]
        bodies.append({"data": data, "links": links})
    if trailing_empty and chunks[-1]:
        bodies.append({"data": [], "links": [{"rel": "self", "uri": f"/v3.0/{kind}?limit={size}"}]})
    return bodies


@st.composite
def messy_worlds(draw):
    world = draw(worlds(max_users=7))
    mess = draw(messes(world))
    size = draw(st.integers(1, 6))
    trailing_empty = draw(st.booleans())
    dataset = world.dataset()
    pages = {}
    for kind in ("schools", "terms", "courses", "users", "sections"):
        items: list[Any] = list(dataset.visible(DISTRICT, kind))  # what Clever sends, in id order
        extras = [u.record for u in mess.unusable if u.kind == kind] + mess.out_of_scope.get(kind, [])
        for extra in extras:  # mixed in anywhere among the good ones
            items.insert(draw(st.integers(0, len(items))), extra)
        pages[kind] = list_pages(kind, items, size, trailing_empty)
    return world, mess, pages


def match_issues(unusable: list[Unusable], issues: list[ImportIssue]) -> dict[int, int]:
    """A one-to-one matching of unusable records to issue rows (augmenting paths; the lists are short)."""
    owner: dict[int, int] = {}  # issue index -> record index

    def place(r: int, seen: set[int]) -> bool:
        for i, issue in enumerate(issues):
            if i not in seen and unusable[r].matches(issue):
                seen.add(i)
                if i not in owner or place(owner[i], seen):
                    owner[i] = r
                    return True
        return False

    for r in range(len(unusable)):
        place(r, set())
    return owner


@PROPERTY_SETTINGS
@given(case=messy_worlds())
def test_each_unusable_record_is_one_issue_and_no_good_record_is_lost(clever, rep, case):
    world, mess, pages = case
    with rolled_back():
        run = import_world(clever, world, rep, pages=pages)
        issues = [i for i in ImportIssue.objects.filter(run=run) if i.field not in ("students", "teachers")]
        owner = match_issues(mess.unusable, issues)
        matched = set(owner.values())
        missing = [(u.kind, u.why, short(u.record)) for r, u in enumerate(mess.unusable) if r not in matched]
        extra = [(i.kind, i.clever_id, i.field, i.message) for n, i in enumerate(issues) if n not in owner]
        note(f"issues: {[(i.kind, i.clever_id, i.field) for i in issues]}")
        assert not missing and not extra, f"unusable records without their issue: {missing}; unexpected issues: {extra}"
        check_world(world, run)  # every good record still there, nothing out of scope stored


# ----- property 3: sections naming people ClassHub was not given ------------------------------


@hsettings(PROPERTY_SETTINGS, max_examples=20)
@given(world=worlds(dangling=True, max_users=6))
def test_sections_naming_people_not_shared_are_imported_with_one_issue(clever, rep, settings, world):
    settings.CLEVER_PAGE_LIMIT = world.page_limit
    with rolled_back():
        run = import_world(clever, world, rep)
        # check_world holds each stored section to: linked to the people ClassHub has, exactly one
        # "students" issue when some of its students are missing, at most one about its teachers.
        check_world(world, run)
        stray = [(i.kind, i.clever_id, i.field) for i in ImportIssue.objects.filter(run=run) if i.kind != "sections"]
        assert stray == [], f"issues for good records: {stray}"
        sections = set(Section.objects.values_list("clever_id", flat=True))
        outside = [(i.clever_id, i.field) for i in ImportIssue.objects.filter(run=run) if i.clever_id not in sections]
        assert outside == [], f"issues for sections that were not imported (out of scope): {outside}"


def test_a_section_naming_a_student_not_shared_gets_one_students_issue(clever, rep):
    """The explicit case: one shared student, one of an unapproved school, one unknown id, and junk."""
    approved, other = hexid(0x5C00), hexid(0x5C01)
    school = {"id": approved, "district": DISTRICT, "name": "Approved"}
    users = {
        hexid(0xA000): {"id": hexid(0xA000), "district": DISTRICT, "roles": {"student": {"school": approved}}},
        hexid(0xA001): {"id": hexid(0xA001), "district": DISTRICT, "roles": {"student": {"school": other}}},
        hexid(0xA002): {"id": hexid(0xA002), "district": DISTRICT, "roles": {"teacher": {"schools": [approved]}}},
    }
    section = {
        "id": hexid(0x5E00),
        "district": DISTRICT,
        "school": approved,
        "students": [hexid(0xA000), hexid(0xA001), hexid(0xBEEF), 7, None],
        "teachers": [hexid(0xA002)],
    }
    world = World(
        schools={approved: school, other: {"id": other, "district": DISTRICT, "name": "Not approved"}},
        approved={approved},
        shared={approved, other},
        users=users,
        sections={section["id"]: section},
        terms={},
        courses={},
        page_limit=100,
    )
    with rolled_back():
        run = import_world(clever, world, rep)
        assert run.status == ImportStatus.SUCCEEDED
        issues = [(i.kind, i.clever_id, i.field) for i in ImportIssue.objects.filter(run=run)]
        assert issues == [("sections", hexid(0x5E00), "students")]
        enrolled = Enrollment.objects.filter(section__clever_id=hexid(0x5E00))
        assert list(enrolled.values_list("student__clever_id", flat=True)) == [hexid(0xA000)]
        check_world(world, run)
