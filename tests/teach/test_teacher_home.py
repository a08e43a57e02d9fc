"""The teacher home: who the teacher is (by Clever id only), their current sections, rosters, badges, speed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from devices.services import device_setup_save, readiness_refresh
from rosters.models import Educator, EducatorSchool, SectionTeacher, Term
from teach.selectors.sections import term_is_current
from tests.teach import builders as b
from tests.teach.clever_users import sign_in_as

pytestmark = pytest.mark.django_db

HOME = "/teach/"


@pytest.fixture
def lakeside():
    """A district with one school (set up for Chromebooks in lakeside.org) and a term running today."""
    district = b.district()
    school = b.school(district, "Lakeside Middle")
    today = timezone.localdate()
    running = b.term(district, today - dt.timedelta(days=30), today + dt.timedelta(days=30), name="Fall")
    device_setup_save(
        district=district,
        school=None,
        platforms=["chromebook"],
        google_domains="lakeside.org",
        windows_domains="",
        actor=None,
    )
    return district, school, running


def sign_in_teacher(client, educator: Educator, **fields):
    return sign_in_as(client, clever_id=educator.clever_id, district=educator.district.clever_id, **fields)


def test_a_teacher_sees_their_sections_by_period_with_co_teachers_and_sorted_rosters(client, lakeside):
    district, school, running = lakeside
    me = b.teacher(district, [school], first="Maya", last="Ortiz")
    partner = b.teacher(district, [school], first="Sam", last="Reed")
    other = b.teacher(district, [school], first="Not", last="Mine")
    ava = b.student(district, [school], first="Ava", last="Zimmer", grade="7")
    ben = b.student(district, [school], first="ben", last="adams", grade="Kindergarten")
    cal = b.student(district, [school], first="Cal", last="Adams", grade="WeirdNewGrade")
    nameless = b.student(district, [school], first="", last="", grade="")
    gone = b.student(district, [school], first="Gone", last="Away", archived_at=timezone.now())
    b.section(school, [(me, False), (partner, True)], [ava, ben, cal, nameless, gone], name="Science", period="10")
    b.section(school, [(me, True)], [ava], name="Advisory", period="2", subject="homeroom/advisory", grade="7")
    b.section(school, [(me, True)], [ben], name="Art", period="", term=running)
    b.section(school, [(other, True)], [ava], name="Somebody Else's Class", period="1")
    b.section(school, [(me, True)], [ava], name="Archived Class", period="1", archived_at=timezone.now())

    sign_in_teacher(client, me)
    page = client.get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    # Periods sort as numbers (2 before 10); a section without a period comes last.
    assert html.index("Advisory") < html.index("Science") < html.index("Art")
    assert "Somebody Else" not in html and "Archived Class" not in html
    assert "Period 2" in html and "Homeroom/advisory" in html and "Grade 7" in html
    assert "Lakeside Middle" in html
    science = html[html.index("Science") : html.index("Art")]
    assert "Teachers: You, Sam Reed (primary teacher)" in science
    # Students by last then first name, case-insensitively; no name: their Clever id; archived: not listed.
    order = [science.index(name) for name in ("ben adams", "Cal Adams", "Ava Zimmer", nameless.clever_id)]
    assert order == sorted(order)
    assert "Gone Away" not in html
    assert "Kindergarten" in science and "WeirdNewGrade" in science  # unknown grades shown as sent
    advisory = html[html.index("Advisory") : html.index("Science")]
    assert "Teachers: You (primary teacher)" in advisory


def test_badges_say_ready_or_why_not_in_plain_words(client, lakeside):
    district, school, _ = lakeside
    me = b.teacher(district, [school])
    ready = b.student(district, [school], first="Ready", last="One", email="ready@lakeside.org")
    no_email = b.student(district, [school], first="Nomail", last="Two", email="")
    outside = b.student(district, [school], first="Gmail", last="Three", email="kid@gmail.com")
    b.section(school, [(me, True)], [ready, no_email, outside])
    readiness_refresh(district=district)  # as after every sync: these students came after the setup
    sign_in_teacher(client, me)
    html = client.get(HOME).content.decode()
    row = {name: html[html.index(name) :].split("</tr>")[0] for name in ("Ready One", "Nomail Two", "Gmail Three")}
    assert "Ready</span>" in row["Ready One"] and "log in to Clever" not in row["Ready One"]
    assert "No email" in row["Nomail Two"] and "will have to log in to Clever" in row["Nomail Two"]
    assert "Email outside the school" in row["Gmail Three"] and "will have to log in to Clever" in row["Gmail Three"]
    assert "2 not ready" in html


def test_a_school_not_set_up_yet_shows_that_instead_of_ready(client):
    district = b.district()
    school = b.school(district, "New School")
    me = b.teacher(district, [school])
    b.section(school, [(me, True)], [b.student(district, [school], first="Kim", last="Lo")])
    sign_in_teacher(client, me)
    html = client.get(HOME).content.decode()
    assert "School not set up yet" in html
    # Said once for the section, not as every student's fault.
    assert html.count("ClassHub does not know yet which devices New School uses") == 1
    assert "will have to log in to Clever every time" in html and "not ready to be recognised" not in html


def test_only_sections_of_the_current_term_are_shown_and_messy_terms_count_as_current(client, lakeside):
    district, school, running = lakeside
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    me = b.teacher(district, [school])
    terms = {
        "Running Term": running,
        "Ends Today": b.term(district, today - 10 * day, today),
        "Starts Today": b.term(district, today, today + 10 * day),
        "Ended Term": b.term(district, today - 100 * day, today - day),
        "Future Term": b.term(district, today + day, today + 100 * day),
        "No Dates": b.term(district, None, None),
        "Only Start Past": b.term(district, today - 5 * day, None),
        "Only End Past": b.term(district, None, today - 5 * day),
        "No Term": None,
    }
    for name, term in terms.items():
        b.section(school, [(me, True)], name=f"{name} Class", term=term)
    sign_in_teacher(client, me)
    html = client.get(HOME).content.decode()
    shown = {name for name in terms if f"{name} Class" in html}
    assert shown == {"Running Term", "Ends Today", "Starts Today", "No Dates", "Only Start Past", "No Term"}
    assert "You have 3 more" in html  # the ended and future ones are only counted


def test_term_is_current_honours_each_known_date():
    today = dt.date(2026, 12, 3)
    term = Term(start_date=dt.date(2026, 8, 24), end_date=dt.date(2027, 1, 22))
    assert term_is_current(term, today)
    assert not term_is_current(Term(start_date=dt.date(2027, 1, 25), end_date=dt.date(2027, 6, 11)), today)
    assert term_is_current(None, today)
    assert term_is_current(Term(start_date=None, end_date=None), today)


def test_a_teacher_without_sections_gets_in_and_is_told_why_and_what_to_do(client, lakeside):
    district, school, _ = lakeside
    me = b.teacher(district, [school])
    sign_in_teacher(client, me)
    page = client.get(HOME)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You have no sections this term" in html
    assert "SIS" in html and "through Clever" in html and "ask your school's Clever admin" in html
    assert "Create a ClassHub-only class" in html
    assert '<label for="id_name">Class name</label>' in html


def test_the_home_costs_the_same_queries_for_two_small_sections_and_a_thousand_students(
    client, lakeside, django_assert_num_queries
):
    district, school, running = lakeside
    second_school = b.school(district, "Lakeside High")

    def teacher_with(sections: int, students_each: int, tag: str) -> Educator:
        me = b.teacher(district, [school], last=tag)
        partner = b.teacher(district, [school], last=f"Partner{tag}")
        for n in range(sections):
            at = school if n % 2 else second_school
            kids = b.many_students(district, at, students_each, last=f"{tag}{n}")
            b.section(
                at, [(me, n % 3 == 0), (partner, n % 3 != 0)], kids, name=f"{tag} {n}", period=str(n), term=running
            )
        return me

    small = teacher_with(2, 5, "Small")
    big = teacher_with(8, 130, "Big")  # 1,040 students

    def count(educator: Educator) -> int:
        client.logout()
        sign_in_teacher(client, educator)
        client.post(reverse("teach:class-create"), {"name": "Club"})  # a ClassHub-only class too
        client.get(HOME)  # warm per-process caches (templates, content types)
        with django_assert_num_queries(NUMBER_OF_QUERIES) as captured:
            page = client.get(HOME)
        assert page.status_code == 200
        return len(captured.captured_queries)

    assert count(small) == count(big) == NUMBER_OF_QUERIES
    assert client.get(HOME).content.decode().count("<tr><td>") == 8 * 130


# Session, user, Clever account, teacher record, sections, their teachers, enrollments with students,
# two for the readiness badges, ClassHub-only classes.
NUMBER_OF_QUERIES = 10


# --- who the teacher is --------------------------------------------------------------------------------------


def test_the_teacher_is_found_by_clever_id_never_by_email(client, lakeside):
    district, school, _ = lakeside
    teacher = b.teacher(district, [school], email="maya@lakeside.org")
    b.section(school, [(teacher, True)], [b.student(district, [school], first="Secret", last="Student")])
    # Someone whose Clever email is the teacher's, but who is another Clever user.
    sign_in_as(client, clever_id=b.clever_id(), district=district.clever_id, email="maya@lakeside.org")
    page = client.get(HOME)
    assert page.status_code == 403
    html = page.content.decode()
    assert "ClassHub does not have your classes yet" in html
    assert "Secret Student" not in html and "Math" not in html


def test_the_teacher_record_must_be_in_the_district_of_the_clever_identity(client, lakeside):
    district, school, _ = lakeside
    teacher = b.teacher(district, [school])
    b.section(school, [(teacher, True)], name="Their Class")
    elsewhere = b.district("Elsewhere USD")
    sign_in_as(client, clever_id=teacher.clever_id, district=elsewhere.clever_id)
    page = client.get(HOME)
    assert page.status_code == 403 and b"Their Class" not in page.content


@pytest.mark.parametrize(
    ("record", "says"),
    [
        ({"archived_at": timezone.now()}, "Your district no longer shares your record"),
        ({"is_teacher": False, "is_school_staff": True}, "Your Clever account is not a teacher account"),
    ],
)
def test_an_archived_or_non_teacher_record_gets_a_page_saying_why(client, lakeside, record, says):
    district, school, _ = lakeside
    educator = b.teacher(district, [school], **record)
    sign_in_teacher(client, educator, roles=("staff",))
    page = client.get(HOME)
    assert page.status_code == 403 and says in page.content.decode()


@pytest.mark.parametrize(
    "extra_data",
    [{}, {"data": None}, {"data": "garbage"}, {"data": {"roles": "teacher"}}, {"data": {"district": None}}],
)
def test_a_messy_clever_identity_gets_the_explanation_not_a_crash(client, django_user_model, extra_data):
    from allauth.socialaccount.models import SocialAccount

    user = django_user_model.objects.create_user(username="messy")
    SocialAccount.objects.create(user=user, provider="clever", uid=b.clever_id(), extra_data=extra_data)
    client.force_login(user)
    page = client.get(HOME)
    assert page.status_code == 403 and b"ClassHub does not have your classes yet" in page.content


def test_someone_signed_in_without_clever_is_told_the_page_is_for_clever_teachers(client, rep, django_user_model):
    client.force_login(rep)
    page = client.get(HOME)
    assert page.status_code == 403 and b"review console" in page.content
    client.force_login(django_user_model.objects.create_user(username="contact-by-code"))
    page = client.get(HOME)
    assert page.status_code == 403 and b"sign in with\n     Clever" in page.content


# --- against the demo district, imported from the sandbox --------------------------------------------------


def test_a_demo_teacher_of_a_co_taught_section_sees_it_with_the_co_teacher(client, imported_a):
    links: dict = {}
    for link in SectionTeacher.objects.filter(section__district=imported_a).select_related("section", "educator"):
        links.setdefault(link.section, []).append(link)
    # Algebra I: a primary teacher and a second one (the demo's co-taught section).
    co_taught, pair = next((s, ls) for s, ls in links.items() if len(ls) == 2 and any(lk.is_primary for lk in ls))
    primary = next(link.educator for link in pair if link.is_primary)
    second = next(link.educator for link in pair if not link.is_primary)
    sign_in_teacher(client, second)
    html = client.get(HOME).content.decode()
    if term_is_current(co_taught.term, timezone.localdate()):
        assert co_taught.name in html and f"{primary} (primary teacher)" in html
        for enrollment in co_taught.enrollments.select_related("student"):
            assert str(enrollment.student) in html
    else:
        assert co_taught.name not in html
    # The demo's counselor teaches nothing: they get in and see the empty state.
    idle = (
        Educator.objects.filter(district=imported_a, is_teacher=True, archived_at=None, section_links=None)
        .filter(pk__in=EducatorSchool.objects.values("educator_id"))
        .first()
    )
    client.logout()
    sign_in_teacher(client, idle)
    assert b"You have no sections this term" in client.get(HOME).content


def test_two_students_of_the_same_name_in_one_roster_are_told_apart(client, lakeside):
    district, school, running = lakeside
    me = b.teacher(district, [school], first="Maya", last="Ortiz")
    marie = b.student(district, [school], first="Aiden", last="Jackson", middle_name="Marie")
    plain = b.student(district, [school], first="Aiden", last="Jackson")
    other = b.student(district, [school], first="Zoe", last="Kim", middle_name="Ann")
    b.section(school, [(me, True)], [marie, plain, other], name="Homeroom", term=running)
    sign_in_teacher(client, me)
    page = client.get(reverse("teach:home")).content.decode()
    assert "Aiden M. Jackson" in page and f"Aiden Jackson ({plain.clever_id[-6:]})" in page
    assert "Zoe Kim" in page and "Zoe A. Kim" not in page  # no namesake: the name as Clever sent it
