"""Readiness is computed in the database: each reason, its precedence, multi-school students, the default."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.utils import timezone

from devices.models import Readiness, SchoolReadinessTotal, StudentReadiness
from devices.selectors import readiness_badges, school_readiness_counts
from devices.services import device_setup_save, readiness_refresh
from rosters.models import StudentSchool
from tests.devices import builders as b

pytestmark = pytest.mark.django_db


def setup(district, school, platforms, google="", windows=""):
    return device_setup_save(
        district=district,
        school=school,
        platforms=platforms,
        google_domains=google,
        windows_domains=windows,
        actor=None,
    )


def readiness(student, school=None):
    """The student's readiness in a school (their only one by default): the stored row of a student who is
    not ready, else what the school's totals say of everyone else (ready, or not set up)."""
    school_id = school.pk if school is not None else StudentSchool.objects.get(student=student).school_id
    row = StudentReadiness.objects.filter(student=student, school_id=school_id).first()
    if row is not None:
        return row
    set_up = SchoolReadinessTotal.objects.get(school_id=school_id).set_up
    return SimpleNamespace(
        reason=Readiness.READY if set_up else Readiness.NO_SETUP, email_domain="", shares_with_id=None
    )


@pytest.fixture
def lakeside():
    d = b.district()
    return d, b.school(d, "Lakeside Elementary"), b.school(d, "Lakeside High")


def test_every_reason_in_its_order(lakeside):
    d, elem, _high = lakeside
    ready = b.student(d, [elem], "ava.smith@students.lakeside.org")
    missing = b.student(d, [elem], None, first="Noah")
    blank = b.student(d, [elem], "   ", first="Liam")
    outside = b.student(d, [elem], "mia.jones@gmail.com", first="Mia")
    no_at = b.student(d, [elem], "miajones", first="Mia", last="Jones")
    shared_1 = b.student(d, [elem], "Twin@Students.Lakeside.org", first="Ana")
    shared_2 = b.student(d, [elem], " twin@students.lakeside.org ", first="Ben")
    shared_outside = b.student(d, [elem], "dup@gmail.com", first="Cal")
    shared_outside_2 = b.student(d, [elem], "DUP@gmail.com", first="Dee")
    setup(d, None, ["chromebook"], google="students.lakeside.org")

    assert readiness(ready).reason == Readiness.READY
    assert readiness(missing).reason == Readiness.NO_EMAIL
    assert readiness(blank).reason == Readiness.NO_EMAIL  # spaces only: no email
    assert (readiness(outside).reason, readiness(outside).email_domain) == (Readiness.OUTSIDE_DOMAINS, "gmail.com")
    assert (readiness(no_at).reason, readiness(no_at).email_domain) == (Readiness.OUTSIDE_DOMAINS, "")
    # Case and spaces do not make two emails different; both students are marked, each naming the other.
    assert readiness(shared_1).reason == readiness(shared_2).reason == Readiness.SHARED_EMAIL
    assert readiness(shared_1).shares_with_id == shared_2.pk
    assert readiness(shared_2).shares_with_id == shared_1.pk
    # A shared email comes before the domain check.
    assert readiness(shared_outside).reason == readiness(shared_outside_2).reason == Readiness.SHARED_EMAIL


def test_a_shared_email_only_counts_between_active_students_of_the_same_district(lakeside):
    d, elem, _ = lakeside
    other = b.district("Elsewhere")
    alone = b.student(d, [elem], "sam@students.lakeside.org")
    b.student(other, [b.school(other, "Elsewhere High")], "sam@students.lakeside.org")
    gone = b.student(d, [elem], "ivy@students.lakeside.org", first="Ivy")
    stays = b.student(d, [elem], "ivy@students.lakeside.org", first="Ivy", last="Two")
    gone.archived_at = timezone.now()
    gone.save()
    setup(d, None, ["chromebook"], google="students.lakeside.org")
    assert readiness(alone).reason == Readiness.READY
    assert readiness(stays).reason == Readiness.READY
    assert not StudentReadiness.objects.filter(student=gone).exists()  # archived: no row at all
    assert school_readiness_counts(district=d)[elem.pk] == {Readiness.READY: 2}  # nor counted


def test_a_student_in_two_schools_can_be_ready_in_one_and_outside_in_the_other(lakeside):
    d, elem, high = lakeside
    both = b.student(d, [elem, high], "ava@students.lakeside.org")
    setup(d, elem, ["chromebook"], google="students.lakeside.org")
    setup(d, high, ["windows"], windows="ad.lakeside.org")
    assert readiness(both, elem).reason == Readiness.READY
    assert readiness(both, high).reason == Readiness.OUTSIDE_DOMAINS
    assert readiness(both, high).email_domain == "students.lakeside.org"


def test_platforms_decide_which_domains_count(lakeside):
    d, elem, high = lakeside
    google_only = b.student(d, [elem, high], "kim@g.lakeside.org")
    windows_only = b.student(d, [elem, high], "lee@ad.lakeside.org", first="Lee")
    # The Chromebook school wants the Google domain; the Windows school (and its Macs) the Windows domain.
    setup(d, elem, ["chromebook"], google="g.lakeside.org")
    setup(d, high, ["windows", "mac"], windows="ad.lakeside.org")
    assert readiness(google_only, elem).reason == Readiness.READY
    assert readiness(google_only, high).reason == Readiness.OUTSIDE_DOMAINS
    assert readiness(windows_only, elem).reason == Readiness.OUTSIDE_DOMAINS
    assert readiness(windows_only, high).reason == Readiness.READY
    # A school with both kinds of devices accepts both domains.
    setup(d, high, ["chromebook", "ipad"], google="g.lakeside.org", windows="ad.lakeside.org")
    assert readiness(google_only, high).reason == readiness(windows_only, high).reason == Readiness.READY


def test_the_district_default_applies_to_schools_without_their_own_setup(lakeside):
    d, elem, high = lakeside
    kid = b.student(d, [elem, high], "kid@default.lakeside.org")
    readiness_refresh(district=d)
    assert readiness(kid, elem).reason == readiness(kid, high).reason == Readiness.NO_SETUP
    setup(d, None, ["chromebook"], google="default.lakeside.org")
    assert readiness(kid, elem).reason == readiness(kid, high).reason == Readiness.READY
    setup(d, high, ["chromebook"], google="high.lakeside.org")  # its own setup wins over the default
    assert readiness(kid, elem).reason == Readiness.READY
    assert readiness(kid, high).reason == Readiness.OUTSIDE_DOMAINS


def test_no_setup_comes_first_and_the_refresh_replaces_the_districts_rows_only(lakeside):
    d, elem, _ = lakeside
    b.student(d, [elem], None)
    other = b.district("Elsewhere")
    theirs = b.student(other, [b.school(other, "Elsewhere High")], "x@else.org")
    setup(other, None, ["chromebook"], google="else.org")
    counts = readiness_refresh(district=d)
    assert counts[Readiness.NO_SETUP] == 1 and counts[Readiness.NO_EMAIL] == 0
    assert readiness_refresh(district=d) == counts  # twice is the same
    assert readiness(theirs).reason == Readiness.READY
    # A school without a setup is counted as a whole, not student by student.
    assert not StudentReadiness.objects.filter(district=d).exists()


def test_archived_schools_and_students_without_schools_have_no_rows(lakeside):
    d, elem, high = lakeside
    kid = b.student(d, [elem, high], "k@l.org")
    loose = b.student(d, [], "loose@l.org")
    high.archived_at = timezone.now()
    high.save()
    outside = b.student(d, [elem, high], "k@gmail.com", first="Out")
    setup(d, None, ["chromebook"], google="l.org")
    assert list(StudentReadiness.objects.filter(student=outside).values_list("school_id", flat=True)) == [elem.pk]
    assert not StudentReadiness.objects.filter(student__in=[kid, loose]).exists()
    # The archived school has no totals; the active one counts its two students, the loose one is nowhere.
    assert school_readiness_counts(district=d) == {elem.pk: {Readiness.READY: 1, Readiness.OUTSIDE_DOMAINS: 1}}


def test_only_students_who_are_not_ready_are_stored_with_search_keys(lakeside):
    d, elem, _ = lakeside
    ok = b.student(d, [elem], "ok@l.org")
    bad = b.student(d, [elem], "Bad.Email@GMAIL.com", first=" Zoë ", last="O'Neil")
    setup(d, None, ["chromebook"], google="l.org")
    assert not StudentReadiness.objects.filter(student=ok).exists()  # ready students have no row
    row = readiness(bad)
    assert (row.search_first_last, row.search_last_first, row.search_email) == (
        "zoë o'neil",
        "o'neil zoë",
        "bad.email@gmail.com",
    )


def test_badges_say_each_students_readiness_in_a_school(lakeside, django_assert_num_queries):
    d, elem, high = lakeside
    ok = b.student(d, [elem, high], "ok@l.org")
    bad = b.student(d, [elem, high], "bad@gmail.com", first="Bad")
    setup(d, elem, ["chromebook"], google="l.org")  # the high school is not set up
    with django_assert_num_queries(2):
        badges = readiness_badges(district=d, students_by_school={elem.pk: [ok.pk, bad.pk], high.pk: [ok.pk]})
    assert badges == {
        (elem.pk, ok.pk): Readiness.READY,
        (elem.pk, bad.pk): Readiness.OUTSIDE_DOMAINS,
        (high.pk, ok.pk): Readiness.NO_SETUP,
    }


def test_counts_per_school_add_up_from_not_ready_rows_and_totals(lakeside):
    d, elem, high = lakeside
    for n in range(3):
        b.student(d, [elem], f"s{n}@l.org", first=f"S{n}")
    b.student(d, [elem], None, first="NoMail")
    b.student(d, [elem, high], "both@l.org", first="Both")
    setup(d, elem, ["chromebook"], google="l.org")
    counts = readiness_refresh(district=d)
    assert school_readiness_counts(district=d) == {
        elem.pk: {Readiness.READY: 4, Readiness.NO_EMAIL: 1},
        high.pk: {Readiness.NO_SETUP: 1},
    }
    assert counts == {**dict.fromkeys(Readiness.values, 0), "ready": 4, "no_email": 1, "no_setup": 1}


def test_names_are_searchable_whatever_their_case_and_accents(lakeside):
    from devices.selectors import students_not_ready

    d, elem, _ = lakeside
    b.student(d, [elem], None, first="ÉMILE", last="ÄNGSTRÖM")
    setup(d, None, ["chromebook"], google="l.org")
    for term in ("émile", "Émile", "ängs", "ÄNGSTRÖM", "\U0010ffff"):
        found = [str(r.student) for r in students_not_ready(district=d, search=term)]
        assert found == ([] if term == "\U0010ffff" else ["ÉMILE ÄNGSTRÖM"]), term
