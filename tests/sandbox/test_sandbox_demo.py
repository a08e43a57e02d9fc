"""The demo dataset: determinism, the three districts, and every data quirk of CLEVER.md."""

import re

from classhub.clever.sandbox import DEMO_DISTRICTS, generate_demo
from classhub.clever.sandbox.dataset import KINDS, has_role, user_school_ids
from classhub.clever.sandbox.demo import demo_districts, generate_district

A, B, C = (d["clever_id"] for d in DEMO_DISTRICTS)
HEX24 = re.compile(r"^[0-9a-f]{24}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")


def all_users(ds, district):
    """Users visible to a district."""
    return ds.visible(district, "users")


def test_deterministic_per_seed():
    assert generate_demo(1) == generate_demo(1)
    assert demo_districts(1) == DEMO_DISTRICTS
    other = generate_demo(2)
    assert not set(other.users) & set(generate_demo(1).users)
    assert demo_districts(2)[0]["clever_id"] != A


def test_ids_are_24_hex_unique_across_kinds(dataset):
    ids = [oid for kind in KINDS for oid in dataset.collection(kind)]
    assert all(HEX24.match(i) for i in ids)
    assert len(ids) == len(set(ids))
    assert all(HEX24.match(e["id"]) for e in dataset.events)
    assert len(dataset.users) < 600


def test_demo_districts_description(dataset):
    assert [d["key"] for d in DEMO_DISTRICTS] == ["a", "b", "c"]
    a, b, c = DEMO_DISTRICTS
    assert a["name"] == "Maple Grove Unified School District"
    assert (a["purchase_status"], a["sharing_type"]) == ("already_purchased", "by_schools")
    assert (b["purchase_status"], b["sharing_type"]) == ("already_purchased", "whole_district")
    assert c["purchase_status"] == "havent_purchased" and c["rollout_plan"] == [] == b["rollout_plan"]
    a_schools = [s for s in dataset.schools.values() if s["district"] == A]
    assert len(a_schools) == 4 and len(dataset.shared_schools[A]) == 3
    shared = sorted((s["name"], s["nces_id"]) for s in dataset.visible(A, "schools"))
    assert sorted((p["name"], p["nces_id"]) for p in a["rollout_plan"]) == shared
    b_schools = [s["id"] for s in dataset.schools.values() if s["district"] == B]
    assert len(b_schools) == 3 and dataset.shared_schools[B] == set(b_schools)
    c_schools = [s["id"] for s in dataset.schools.values() if s["district"] == C]
    assert len(c_schools) == 2 and dataset.shared_schools[C] == set(c_schools)


def test_district_a_sizes(dataset):
    assert 100 <= len(dataset.visible(A, "users", "student")) <= 150
    assert 10 <= len(dataset.visible(A, "users", "teacher")) <= 14
    assert 15 <= len(dataset.visible(A, "sections")) <= 25


def test_quirk_students_without_email_and_other_domains(dataset):
    students = [u for u in dataset.users.values() if has_role(u, "student")]
    assert any("email" not in u for u in students)
    assert any("email" in u and u["email"] is None for u in students)
    emails = [u["email"] for u in all_users(dataset, A) if u.get("email")]
    assert any(e.endswith("@students.maplegrove.k12.us") for e in emails)
    assert any(not e.endswith("maplegrove.k12.us") for e in emails)
    b_emails = [u.get("email") for u in all_users(dataset, B) if u.get("email")]
    assert any("@" not in e for e in b_emails)
    assert len(b_emails) != len(set(b_emails)), "a student shares an email with a teacher"


def test_quirk_multi_school_student(dataset):
    multi = [u for u in all_users(dataset, A) if has_role(u, "student") and len(u["roles"]["student"]["schools"]) == 2]
    assert multi
    role = multi[0]["roles"]["student"]
    assert role["school"] in role["schools"]


def test_quirk_sections(dataset):
    sections = dataset.visible(A, "sections")
    assert any(len(s["teachers"]) >= 2 for s in sections)
    assert any("teacher" not in s for s in sections)
    names = [s["name"] for s in sections]
    assert any(names.count(n) > 1 and len({s["school"] for s in sections if s["name"] == n}) > 1 for n in names)
    terms, courses = set(dataset.terms), set(dataset.courses)
    assert all(s["term_id"] in terms and s["course"] in courses for s in dataset.sections.values())


def test_quirk_teacher_without_sections_and_school_without_sections(dataset):
    sections = dataset.visible(A, "sections")
    teaching = {t for s in sections for t in s["teachers"]}
    teachers = dataset.visible(A, "users", "teacher")
    assert any(t["id"] not in teaching for t in teachers)
    with_sections = {s["school"] for s in sections}
    empty = [s for s in dataset.visible(A, "schools") if s["id"] not in with_sections]
    assert len(empty) == 1 and "Elementary" in empty[0]["name"] and empty[0]["low_grade"] == "Kindergarten"


def test_quirk_admins_staff_combined_roles_contacts(dataset):
    users = all_users(dataset, A)
    admins = [u for u in users if has_role(u, "district_admin")]
    assert any(set(u["roles"]) == {"district_admin"} for u in admins)
    assert any(has_role(u, "teacher") for u in admins)
    staff = [u for u in users if has_role(u, "staff")]
    assert staff and all(u["roles"]["staff"]["schools"] and "school" not in u["roles"]["staff"] for u in staff)
    assert any(len(u["roles"]["staff"]["schools"]) > 1 for u in staff)
    for did in (A, B, C):
        contacts = dataset.visible(did, "users", "contact")
        assert contacts and all(set(u["roles"]) == {"contact"} for u in contacts)
        assert all(" " in u["name"]["last"] and not u["name"]["first"] for u in contacts)
    assert all(not (has_role(u, "student") and len(u["roles"]) > 1) for u in dataset.users.values())


def test_quirk_grades_and_unknown_values(dataset):
    grades = {u["roles"]["student"]["grade"] for u in all_users(dataset, B) if has_role(u, "student")}
    assert "Grade13Plus" in grades and "Kindergarten" in grades | {
        u["roles"]["student"]["grade"] for u in all_users(dataset, A) if has_role(u, "student")
    }
    assert {"1", "9", "12"} <= grades


def test_object_fields(dataset):
    for d in dataset.districts.values():
        contact = d["district_contact"]
        assert contact["id"] and contact["email"] and contact["title"] and set(contact["name"]) == {"first", "last"}
    for s in dataset.schools.values():
        assert s["nces_id"] and s["low_grade"] and s["high_grade"] and s["principal"]["name"]
        assert set(s["location"]) == {"address", "city", "state", "zip"}
    for kind in ("schools", "users", "sections"):
        for obj in dataset.collection(kind).values():
            assert TIMESTAMP.match(obj["created"]) and TIMESTAMP.match(obj["last_modified"])
    student = next(u for u in dataset.users.values() if has_role(u, "student"))["roles"]["student"]
    assert student["sis_id"] and student["student_number"] and student["state_id"]
    assert re.match(r"^\d{1,2}/\d{1,2}/\d{4}$", student["dob"])
    assert all(t["start_date"] < t["end_date"] for t in dataset.terms.values())


def test_sections_reference_only_visible_users(dataset):
    for did in (A, B, C):
        visible = {u["id"] for u in dataset.visible(did, "users")}
        for s in dataset.visible(did, "sections"):
            assert set(s["students"]) | set(s["teachers"]) <= visible
            assert s["students"], "no demo section is empty"


def test_generate_district_for_benchmarks():
    ds = generate_district(students=2000, seed=3)
    (did,) = ds.districts
    students = ds.visible(did, "users", "student")
    teachers = ds.visible(did, "users", "teacher")
    assert len(students) == 2000 and 90 <= len(teachers) <= 110
    assert 350 <= len(ds.visible(did, "sections")) <= 450
    enrollments = sum(len(s["students"]) for s in ds.sections.values())
    assert 6 * 2000 <= enrollments <= 7 * 2000
    assert all(user_school_ids(u) for u in students)
