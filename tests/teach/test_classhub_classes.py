"""ClassHub-only classes: create, find students of one's own schools, add, remove, archive; audited; sync-proof."""

from __future__ import annotations

import copy

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from classhub.clever.sandbox.dataset import has_role
from onboarding.models import AuditEvent
from rosters.models import Educator, EducatorSchool, Student, StudentSchool
from rosters.services import events_sync, import_run_create, import_run_execute
from teach.models import ClassHubClass, ClassHubClassStudent
from teach.selectors.classes import addable_students, matching_students, student_search
from tests.teach import builders as b
from tests.teach.clever_users import sign_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def school_day(client):
    """A teacher of Lakeside Middle (signed in), a colleague, and students of their school and of another one."""
    district = b.district()
    middle, high = b.school(district, "Lakeside Middle"), b.school(district, "Lakeside High")
    me = b.teacher(district, [middle], first="Maya", last="Ortiz")
    colleague = b.teacher(district, [middle], first="Sam", last="Reed")
    kids = {
        "ava": b.student(district, [middle], first="Ava", last="Smith", grade="7"),
        "avery": b.student(district, [middle], first="Avery", last="Jones"),
        "smitty": b.student(district, [middle], first="Zed", last="smithers"),
        "high_kid": b.student(district, [high], first="Ava", last="Highschool"),
        "both": b.student(district, [high, middle], first="Ava", last="Both"),
        "gone": b.student(district, [middle], first="Ava", last="Archived", archived_at=timezone.now()),
    }
    sign_in_as(client, clever_id=me.clever_id, district=district.clever_id)
    return {"district": district, "middle": middle, "high": high, "me": me, "colleague": colleague, **kids}


def create(client, name: str):
    return client.post(reverse("teach:class-create"), {"name": name})


def add(client, classhub_class, student, q: str = ""):
    return client.post(reverse("teach:class-student-add", args=[classhub_class.pk]), {"student": student.pk, "q": q})


def remove(client, classhub_class, student):
    return client.post(reverse("teach:class-student-remove", args=[classhub_class.pk, student.pk]))


def test_a_teacher_creates_a_class_marked_classhub_only_and_it_is_audited(client, school_day):
    done = create(client, "   Reading   group B  ")
    created = ClassHubClass.objects.get()
    assert done.status_code == 302 and done["Location"] == reverse("teach:class", args=[created.pk])
    assert (created.name, created.owner, created.district) == (
        "Reading group B",
        school_day["me"],
        school_day["district"],
    )
    page = client.get(done["Location"]).content.decode()
    assert "Reading group B" in page and "ClassHub-only — not from your SIS" in page
    home = client.get(reverse("teach:home")).content.decode()
    assert "Reading group B" in home and "ClassHub-only — not from your SIS" in home
    event = AuditEvent.objects.get(action="teach.class.created")
    assert event.district == school_day["district"] and event.subject_id == str(created.pk)
    assert event.actor is not None and event.after["name"] == "Reading group B"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "Give the class a name"),
        ("    ", "Give the class a name"),
        ("x" * 101, "Keep the class name to 100 characters or fewer (this one has 101)"),
    ],
)
def test_a_class_name_must_be_given_and_not_too_long(client, school_day, name, error):
    page = create(client, name)
    assert page.status_code == 200 and error in page.content.decode()
    assert 'aria-invalid="true"' in page.content.decode()
    assert not ClassHubClass.objects.exists() and not AuditEvent.objects.filter(action__startswith="teach.").exists()


def test_the_create_page_works_on_its_own_too(client, school_day):
    page = client.get(reverse("teach:class-create"))
    assert page.status_code == 200 and b"Class name" in page.content and b"Create a ClassHub-only class" in page.content


def test_the_search_finds_name_prefixes_of_the_teachers_schools_only(client, school_day):
    me = school_day["me"]

    def found(query: str) -> list[str]:
        return [row.name for row in student_search(educator=me, query=query).students]

    # First or last name, any case; only active students of the teacher's own school (Both is in two schools).
    assert found("AVA") == ["Ava Both", "Ava Smith"]
    assert found("smi") == ["Ava Smith", "Zed smithers"]
    assert found("ava smi") == ["Ava Smith"] == found("Smith, Ava")
    assert found("avery") == ["Avery Jones"]
    assert found("") == [] and found("   ") == []
    assert found("%") == [] and found("_") == []  # LIKE wildcards are plain text
    page = client.get(
        reverse("teach:class", args=[ClassHubClass.objects.create(district=me.district, owner=me, name="C").pk]),
        {"q": "ava"},
    )
    html = page.content.decode()
    assert "Ava Smith" in html and "Ava Both" in html and "Highschool" not in html and "Archived" not in html
    assert '<label for="id_q">Find students</label>' in html


def test_the_schools_of_the_teachers_sections_count_as_their_schools(school_day):
    me, high = school_day["me"], school_day["high"]
    assert "Ava Highschool" not in [str(s) for s in addable_students(educator=me)]
    b.section(high, [(me, True)], name="Elective at the high school")
    assert "Ava Highschool" in [str(s) for s in addable_students(educator=me)]


def test_the_search_shows_a_limited_number_and_says_when_there_are_more(client, school_day):
    b.many_students(school_day["district"], school_day["middle"], 30, last="Many")
    search = student_search(educator=school_day["me"], query="many")
    assert len(search.students) == 25 and search.has_more
    assert not student_search(educator=school_day["me"], query="many0002").has_more


def test_the_search_reads_only_the_teachers_schools_students_through_indexes(school_day):
    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite, whose planner has no statistics to go on")
    query = matching_students(educator=school_day["me"], words=["ava"])[:26]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [row[-1] for row in cursor.fetchall()]
    students = [step for step in plan if " rosters_student " in f"{step} "]
    # Each student is fetched by primary key from the schools' links, never by walking the whole district.
    assert students == ["SEARCH rosters_student USING INTEGER PRIMARY KEY (rowid=?)"]
    assert any("rosters_stu_school" in step for step in plan)  # StudentSchool's (school) index
    assert not any(step.startswith("SCAN") for step in plan)


def test_add_and_remove_students_with_post_forms(client, school_day):
    classhub_class = ClassHubClass.objects.create(district=school_day["district"], owner=school_day["me"], name="Club")
    done = add(client, classhub_class, school_day["ava"], q="ava")
    assert done.status_code == 302 and done["Location"].endswith("?q=ava#find")
    assert add(client, classhub_class, school_day["ava"]).status_code == 302  # twice: still one membership
    assert list(classhub_class.memberships.values_list("student", flat=True)) == [school_day["ava"].pk]
    page = client.get(reverse("teach:class", args=[classhub_class.pk]), {"q": "ava"}).content.decode()
    assert "Students in this class (1)" in page and "In this class" in page and ">Remove</button>" in page
    assert ">Add</button>" in page  # for Ava Both, not yet in it

    assert remove(client, classhub_class, school_day["ava"]).status_code == 302
    assert not classhub_class.memberships.exists()
    assert remove(client, classhub_class, school_day["ava"]).status_code == 404  # not in the class any more
    actions = list(
        AuditEvent.objects.filter(action__startswith="teach.class.student").values_list("action", "after", "before")
    )
    assert actions == [
        ("teach.class.student_removed", {}, {"student": school_day["ava"].clever_id}),
        ("teach.class.student_added", {"student": school_day["ava"].clever_id}, {}),
    ]


def test_the_add_and_remove_endpoints_take_post_only(client, school_day):
    classhub_class = ClassHubClass.objects.create(district=school_day["district"], owner=school_day["me"], name="Club")
    assert client.get(reverse("teach:class-student-add", args=[classhub_class.pk])).status_code == 405
    urls = [
        reverse("teach:class-student-remove", args=[classhub_class.pk, school_day["ava"].pk]),
        reverse("teach:class-archive", args=[classhub_class.pk]),
    ]
    assert [client.get(url).status_code for url in urls] == [405, 405]


def test_csrf_is_checked_on_every_form(school_day):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    sign_in_as(strict, clever_id=school_day["colleague"].clever_id, district=school_day["district"].clever_id)
    assert strict.post(reverse("teach:class-create"), {"name": "No token"}).status_code == 403
    assert not ClassHubClass.objects.exists()


def test_a_student_of_another_school_or_district_or_archived_cannot_be_added_even_by_a_forged_post(client, school_day):
    classhub_class = ClassHubClass.objects.create(district=school_day["district"], owner=school_day["me"], name="Club")
    elsewhere = b.district("Elsewhere USD")
    stranger = b.student(elsewhere, [b.school(elsewhere, "Elsewhere Middle")], first="Ava", last="Stranger")
    for student in (school_day["high_kid"], stranger, school_day["gone"]):
        assert add(client, classhub_class, student).status_code == 404
    assert (
        client.post(reverse("teach:class-student-add", args=[classhub_class.pk]), {"student": "x"}).status_code == 404
    )
    assert (
        client.post(reverse("teach:class-student-add", args=[classhub_class.pk]), {"student": 10**9}).status_code == 404
    )
    assert not classhub_class.memberships.exists()


def test_an_archived_student_stays_in_the_class_marked_no_longer_in_clever_and_can_be_removed(client, school_day):
    classhub_class = ClassHubClass.objects.create(district=school_day["district"], owner=school_day["me"], name="Club")
    add(client, classhub_class, school_day["avery"])
    Student.objects.filter(pk=school_day["avery"].pk).update(archived_at=timezone.now())  # as the sync archives
    page = client.get(reverse("teach:class", args=[classhub_class.pk])).content.decode()
    assert "Avery Jones" in page and "No longer in Clever" in page
    assert remove(client, classhub_class, school_day["avery"]).status_code == 302


def test_archiving_a_class_takes_it_off_the_pages_and_is_audited(client, school_day):
    classhub_class = ClassHubClass.objects.create(
        district=school_day["district"], owner=school_day["me"], name="Old Club"
    )
    add(client, classhub_class, school_day["ava"])
    done = client.post(reverse("teach:class-archive", args=[classhub_class.pk]))
    assert done.status_code == 302 and done["Location"] == reverse("teach:home")
    home = client.get(reverse("teach:home")).content.decode()
    assert "“Old Club” is archived" in home  # the message, and no link to the class any more
    assert reverse("teach:class", args=[classhub_class.pk]) not in home
    assert client.get(reverse("teach:class", args=[classhub_class.pk])).status_code == 404
    assert classhub_class.memberships.count() == 1  # kept
    assert AuditEvent.objects.filter(action="teach.class.archived", subject_id=str(classhub_class.pk)).exists()


def test_class_members_show_readiness_by_their_school(client, school_day):
    from devices.services import device_setup_save

    no_email = b.student(school_day["district"], [school_day["middle"]], first="No", last="Mail", email="")
    device_setup_save(  # readiness is computed after the roster is in, as after every sync
        district=school_day["district"],
        school=None,
        platforms=["chromebook"],
        google_domains="lakeside.org",
        windows_domains="",
        actor=None,
    )
    classhub_class = ClassHubClass.objects.create(district=school_day["district"], owner=school_day["me"], name="Club")
    add(client, classhub_class, school_day["ava"])
    add(client, classhub_class, no_email)
    page = client.get(reverse("teach:class", args=[classhub_class.pk])).content.decode()
    page = page[page.index("Students in this class") :]  # after the "added" messages
    assert page.index("No Mail") < page.index("Ava Smith")  # by last name
    assert "No email" in page and "will have to log in to Clever" in page and "Ready</span>" in page


# --- the roster sync leaves ClassHub-only classes alone ---------------------------------------------------------


def test_a_full_re_import_and_an_events_sync_leave_the_class_and_its_members_untouched(client, imported_a, sandbox):
    link = (
        EducatorSchool.objects.filter(
            educator__district=imported_a, educator__is_teacher=True, educator__archived_at=None
        )
        .select_related("educator")
        .first()
    )
    teacher = link.educator
    sign_in_as(client, clever_id=teacher.clever_id, district=imported_a.clever_id)
    create(client, "Robotics club")
    classhub_class = ClassHubClass.objects.get()
    students = list(
        Student.objects.filter(
            archived_at=None, pk__in=StudentSchool.objects.filter(school_id=link.school_id).values("student_id")
        ).order_by("pk")[:3]
    )
    for student in students:
        assert add(client, classhub_class, student).status_code == 302

    def state():
        row = ClassHubClass.objects.values("name", "owner_id", "district_id", "archived_at", "created_at").get()
        members = set(ClassHubClassStudent.objects.values_list("classhub_class_id", "student_id", "added_at"))
        return row, members

    before = state()
    import_run_execute(run_id=import_run_create(district=imported_a).pk)  # a full sync, nothing changed
    assert state() == before

    # Clever changes one member and stops sharing another: the class keeps both (one shown as archived).
    users = {u["id"]: u for u in sandbox.dataset.visible(imported_a.clever_id, "users") if has_role(u, "student")}
    renamed = copy.deepcopy(users[students[0].clever_id])
    renamed["name"] = {**(renamed.get("name") or {}), "first": "Renamed"}
    sandbox.add_event("users.updated", renamed, {"name": users[students[0].clever_id]["name"]})
    sandbox.add_event("users.deleted", users[students[1].clever_id])
    result = events_sync(district=imported_a)
    assert result.status == "applied" and result.applied == 2
    assert state() == before
    assert Student.objects.get(pk=students[1].pk).archived_at is not None
    page = client.get(reverse("teach:class", args=[classhub_class.pk])).content.decode()
    assert "Renamed" in page and "No longer in Clever" in page
    assert Educator.objects.get(pk=teacher.pk).archived_at is None


def test_invisible_characters_are_dropped_from_class_names(client, school_day):
    create(client, "\u202eReading\u200b group\ufeff")
    assert ClassHubClass.objects.get().name == "Reading group"
    page = create(client, "\u200b\u200b")
    assert "Give the class a name" in page.content.decode()


def test_a_teacher_has_at_most_fifty_active_classhub_only_classes(client, school_day):
    from teach.services import MAX_ACTIVE_CLASSES

    ClassHubClass.objects.bulk_create(
        ClassHubClass(district=school_day["district"], owner=school_day["me"], name=f"Club {n}")
        for n in range(MAX_ACTIVE_CLASSES)
    )
    page = create(client, "One more")
    assert page.status_code == 200 and "archive one you no longer use first" in page.content.decode()
    assert ClassHubClass.objects.count() == MAX_ACTIVE_CLASSES


def test_a_forged_huge_id_is_a_404_not_a_crash(client, school_day):
    created = ClassHubClass.objects.create(district=school_day["district"], owner=school_day["me"], name="Club")
    huge = "9" * 30
    assert client.post(f"/teach/classes/{created.pk}/students/{huge}/remove/").status_code == 404
    assert client.get(f"/teach/classes/{huge}/").status_code == 404


def test_teachers_of_a_district_that_removed_classhub_get_no_teacher_home(client, school_day):
    from onboarding.models import DistrictStatus

    assert client.get(reverse("teach:home")).status_code == 200
    school_day["district"].status = DistrictStatus.DISCONNECTED
    school_day["district"].save()
    assert client.get(reverse("teach:home")).status_code == 403


def test_the_search_finds_accented_names_whatever_the_case_typed(client, school_day):
    elodie = b.student(school_day["district"], [school_day["middle"]], first="Élodie", last="Çelik")
    me = school_day["me"]
    for typed in ("élo", "ÉLO", "Élodie", "çel", "élodie çelik"):
        assert [row.student.pk for row in student_search(educator=me, query=typed).students] == [elodie.pk], typed
