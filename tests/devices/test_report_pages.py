"""The readiness report on the portal and in the admin: numbers, chart, list, CSV, scoping, query counts."""

from __future__ import annotations

import csv
import html
import io
import re
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from devices.charts import readiness_chart_svg
from devices.models import DeviceSetup, Readiness
from devices.selectors import readiness_report, students_not_ready
from devices.services import device_setup_save, readiness_refresh
from onboarding.models import AuditEvent
from tests.devices import builders as b
from tests.rosters.test_issue_exports import clever_district_admin

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"


def save(district, school=None, platforms=("chromebook",), google="", windows=""):
    return device_setup_save(
        district=district,
        school=school,
        platforms=list(platforms),
        google_domains=google,
        windows_domains=windows,
        actor=None,
    )


@pytest.fixture
def lakeside():
    """Three schools: one with students of every reason, one Windows school, one without students."""
    d = b.district()
    elem, high, empty = b.school(d, "Lakeside Elementary"), b.school(d, "Lakeside High"), b.school(d, "New Academy")
    people = {
        "ready": b.student(d, [elem], "ava.smith@students.lakeside.org", sis_id="S1", grade="3"),
        "none": b.student(d, [elem], None, first="Noah", last="Brown", sis_id="S2", grade="4"),
        "gmail": b.student(d, [elem, high], "mia.jones@gmail.com", first="Mia", last="Jones", sis_id="S3"),
        "twin1": b.student(d, [elem], "twin@students.lakeside.org", first="Ana", last="Twin", sis_id="S4"),
        "twin2": b.student(d, [elem], "TWIN@students.lakeside.org", first="Ben", last="Twin", sis_id="S5"),
        "formula": b.student(d, [elem], None, first="=cmd()", last="Zed", sis_id="S6"),
        "win": b.student(d, [high], "leo@ad.lakeside.org", first="Leo", last="Kim", sis_id="S7"),
    }
    save(d, google="students.lakeside.org")
    save(d, school=high, platforms=["windows"], windows="ad.lakeside.org")
    return d, {"elem": elem, "high": high, "empty": empty}, people


@pytest.fixture
def portal_admin(client, django_user_model, lakeside):
    d = lakeside[0]
    client.force_login(clever_district_admin(django_user_model, district_clever_id=d.clever_id))
    return client


def test_counts_and_percentages_per_school_including_one_without_students(lakeside):
    d, schools, _ = lakeside
    report = readiness_report(district=d)
    by_name = {row.school.name: row for row in report.schools}
    elem, high, empty = by_name["Lakeside Elementary"], by_name["Lakeside High"], by_name["New Academy"]
    assert elem.counts == {"ready": 1, "no_email": 2, "outside_domains": 1, "shared_email": 2}
    assert (elem.total, elem.percent_ready, elem.own_setup) == (6, 16, False)  # 1 of 6, rounded down
    assert high.counts == {"ready": 1, "outside_domains": 1} and high.percent_ready == 50 and high.own_setup
    assert (empty.total, empty.percent_ready) == (0, None)  # no students: no division, no "0%"
    assert report.totals == {"ready": 2, "no_email": 2, "outside_domains": 2, "shared_email": 2}
    assert report.percent_ready == 25


def test_the_chart_shows_the_same_numbers_in_text(lakeside):
    d, schools, _ = lakeside
    svg = ET.fromstring(str(readiness_chart_svg(readiness_report(district=d))))  # noqa: S314 - our own SVG
    assert svg.find(f"{SVG}title").text == "Device sign-in readiness by school"
    assert "Lakeside High: 1 of 2 ready (50%)" in svg.find(f"{SVG}desc").text
    counts = {g.get("data-school"): g.find(f"{SVG}text[@class='counts']").text for g in svg.iter(f"{SVG}g")}
    assert counts[str(schools["elem"].pk)] == (
        "1 of 6 ready (16%) · 2 no email · 2 shared email · 1 email outside the domains"
    )
    assert counts[str(schools["high"].pk)] == "1 of 2 ready (50%) · 1 email outside the domains"
    assert counts[str(schools["empty"].pk)] == "no students"
    # Each bar segment's width is its share of the school's students.
    elem_group = next(g for g in svg.iter(f"{SVG}g") if g.get("data-school") == str(schools["elem"].pk))
    widths = {r.find(f"{SVG}title").text: float(r.get("width")) for r in elem_group.iter(f"{SVG}rect")}
    assert widths["Lakeside Elementary: 2 no email"] == pytest.approx(704 * 2 / 6, abs=0.1)


def test_the_list_explains_each_fix_in_sis_terms(portal_admin, lakeside):
    page = portal_admin.get(reverse("portal:devices")).content.decode()
    text = html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))
    assert "Set the student's email in the SIS to their Google account in students.lakeside.org." in text
    assert "Will have to log in to Clever every time they use a device." in text
    assert (
        "The email mia.jones@gmail.com is in gmail.com; Lakeside Elementary's devices sign in with "
        "students.lakeside.org." in text
    )
    assert "The email mia.jones@gmail.com is in gmail.com; Lakeside High's devices sign in with ad.lakeside.org" in text
    assert "their Windows sign-in in ad.lakeside.org" in text
    assert "is also the email of Ben Twin" in text and "is also the email of Ana Twin" in text
    assert "25% ready" in text and "no students" in text
    assert 'role="img"' in page and "<title" in page  # the chart is inline, accessible SVG


def test_search_by_name_or_email_prefix_and_filters(lakeside):
    d, schools, people = lakeside

    def found(**kwargs):
        return {(r.student.first_name, r.school.name) for r in students_not_ready(district=d, **kwargs)}

    assert found(search="TWIN") == {("Ana", "Lakeside Elementary"), ("Ben", "Lakeside Elementary")}
    assert found(search="ben t") == {("Ben", "Lakeside Elementary")}
    assert found(search="mia.j") == {("Mia", "Lakeside Elementary"), ("Mia", "Lakeside High")}
    assert found(search="mia.jones@g") == {("Mia", "Lakeside Elementary"), ("Mia", "Lakeside High")}
    assert found(search="ava") == set()  # Ava is ready
    assert found(school_id=schools["high"].pk) == {("Mia", "Lakeside High")}
    assert found(reason="no_email") == {("Noah", "Lakeside Elementary"), ("=cmd()", "Lakeside Elementary")}


def test_the_csv_lists_every_student_not_ready_with_the_fix(portal_admin, lakeside):
    response = portal_admin.get(reverse("portal:devices-csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())  # a UTF-8 mark, so Excel reads accents and dashes right
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["Clever id", "SIS id", "Name", "School", "Grade", "Email", "Reason", "Fix"]
    by_sis = {(r[1], r[3]): r for r in rows[1:]}
    assert len(rows) == 1 + 6
    noah = by_sis[("S2", "Lakeside Elementary")]
    assert noah[2:7] == ["Noah Brown", "Lakeside Elementary", "4", "", "No email"]
    assert noah[7].startswith("No email in the SIS. Set the student's email in the SIS to their Google account in")
    mia_high = by_sis[("S3", "Lakeside High")]
    assert mia_high[5:7] == ["mia.jones@gmail.com", "Email outside the school's domains"]
    assert "is in gmail.com; Lakeside High's devices sign in with ad.lakeside.org" in mia_high[7]
    assert by_sis[("S6", "Lakeside Elementary")][2] == "'=cmd() Zed"  # never a live formula


def test_a_district_admin_saves_a_setup_and_sees_the_message_for_bad_input(portal_admin, lakeside):
    d, schools, _ = lakeside
    url = reverse("portal:devices-setup")
    bad = portal_admin.post(
        url, {"school": schools["empty"].pk, "platforms": ["chromebook"], "google_domains": "x@y.org"}
    )
    assert bad.status_code == 400
    assert "enter the domain only, e.g. example.org, not an email." in bad.content.decode()
    assert "x@y.org</textarea>" in bad.content.decode()  # what was typed is kept
    good = portal_admin.post(
        url,
        {
            "school": schools["empty"].pk,
            "platforms": ["chromebook", "mac"],
            "google_domains": "a.org",
            "windows_domains": "B.org, c.org",
        },
    )
    assert good.status_code == 302 and good["Location"].endswith(f"?setup={schools['empty'].pk}#setup")
    setup = DeviceSetup.objects.get(school=schools["empty"])
    assert sorted(setup.domains.values_list("domain", flat=True)) == ["a.org", "b.org", "c.org"]
    assert AuditEvent.objects.filter(district=d, action="devices.setup.saved").latest("id").actor is not None
    page = portal_admin.get(good["Location"]).content.decode()
    assert "Saved the device setup of New Academy" in page
    reset = portal_admin.post(reverse("portal:devices-setup-reset"), {"school": schools["empty"].pk})
    assert reset.status_code == 302 and not DeviceSetup.objects.filter(school=schools["empty"]).exists()


def test_another_districts_school_is_a_404_and_strangers_sign_in_first(client, portal_admin, lakeside):
    other = b.district("Elsewhere")
    theirs = b.school(other, "Their High")
    assert portal_admin.get(reverse("portal:devices") + f"?setup={theirs.pk}").status_code == 404
    post = portal_admin.post(reverse("portal:devices-setup"), {"school": theirs.pk, "platforms": ["chromebook"]})
    assert post.status_code == 404
    assert not DeviceSetup.objects.filter(district=other).exists()
    # The list filter ignores a school that is not the admin's own.
    page = portal_admin.get(reverse("portal:devices") + f"?school={theirs.pk}")
    assert page.status_code == 200
    portal_admin.logout()
    for name in ("portal:devices", "portal:devices-csv"):
        response = portal_admin.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_signed_in_user_who_is_no_district_admin_gets_a_404(client, django_user_model, lakeside):
    client.force_login(django_user_model.objects.create_user(username="teacher"))
    assert client.get(reverse("portal:devices")).status_code == 404
    assert client.get(reverse("portal:devices-csv")).status_code == 404


def test_district_b_never_sees_district_a(client, django_user_model, lakeside):
    other = b.district("Elsewhere")
    b.student(other, [b.school(other, "Their High")], None, first="Secret", last="Student")
    save(other, google="elsewhere.org")
    client.force_login(clever_district_admin(django_user_model, district_clever_id=other.clever_id))
    page = client.get(reverse("portal:devices")).content.decode()
    assert "Secret Student" in page and "Lakeside" not in page and "Noah" not in page
    csv_text = b"".join(client.get(reverse("portal:devices-csv")).streaming_content).decode("utf-8-sig")
    assert "Secret" in csv_text and "Noah" not in csv_text


def queries(client, url: str) -> int:
    client.get(url)  # warm per-process caches first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.parametrize("query", ["", "?q=grown", "?reason=outside_domains&page=2"])
def test_the_portal_page_keeps_its_query_count_as_the_district_grows(portal_admin, lakeside, query):
    d, schools, _ = lakeside
    url = reverse("portal:devices") + query
    b.grow(d, schools["elem"], 60)
    readiness_refresh(district=d)
    small = queries(portal_admin, url)
    b.grow(d, schools["elem"], 400)
    b.grow(d, b.school(d, "Grown School"), 50)
    readiness_refresh(district=d)
    assert queries(portal_admin, url) == small


def test_the_admin_report_keeps_its_query_count_and_is_linked_from_the_district(client, rep, lakeside):
    d, schools, _ = lakeside
    client.force_login(rep)
    district_page = client.get(reverse("admin:onboarding_district_change", args=[d.pk])).content.decode()
    url = reverse("admin:devices_readiness_report", args=[d.pk])
    assert url in district_page
    b.grow(d, schools["elem"], 60)
    readiness_refresh(district=d)
    small = queries(client, url)
    b.grow(d, schools["elem"], 400)
    readiness_refresh(district=d)
    assert queries(client, url) == small
    page = client.get(url).content.decode()
    assert "Device sign-in readiness" in page and "Lakeside Elementary" in page
    csv_response = client.get(reverse("admin:devices_readiness_csv", args=[d.pk]))
    assert len(b"".join(csv_response.streaming_content).decode("utf-8-sig").splitlines()) == 1 + 6 + 460


def test_the_setup_list_in_the_admin_keeps_its_query_count(client, rep, lakeside):
    d, schools, _ = lakeside
    client.force_login(rep)
    url = reverse("admin:devices_devicesetup_changelist")
    small = queries(client, url)
    for n in range(5):
        save(d, school=b.school(d, f"More {n}"), google="more.org")
    assert queries(client, url) == small


def test_a_rep_saves_a_setup_in_the_admin_through_the_service(client, rep, lakeside):
    d, schools, _ = lakeside
    client.force_login(rep)
    add = reverse("admin:devices_devicesetup_add")
    data = {
        "district": d.pk,
        "school": schools["empty"].pk,
        "platforms": ["chromebook"],
        "google_domains": "x@y.org",
        "windows_domains": "",
        "domains-TOTAL_FORMS": "0",
        "domains-INITIAL_FORMS": "0",
    }
    bad = client.post(add, data)
    assert bad.status_code == 200 and "enter the domain only, e.g. example.org, not an email." in bad.content.decode()
    data["google_domains"] = "New.Academy.org"
    assert client.post(add, data).status_code == 302
    setup = DeviceSetup.objects.get(school=schools["empty"])
    assert list(setup.domains.values_list("domain", flat=True)) == ["new.academy.org"]
    event = AuditEvent.objects.filter(district=d, action="devices.setup.saved").latest("id")
    assert event.actor == rep and event.after["google_domains"] == ["new.academy.org"]
    # The same school twice is refused by the form, not by a database error.
    again = client.post(add, data)
    assert again.status_code == 200 and "already exists" in again.content.decode()
    change = client.get(reverse("admin:devices_devicesetup_change", args=[setup.pk])).content.decode()
    assert "new.academy.org" in change
    # An archived school is refused by the form too, with the reason.
    schools["high"].archived_at = timezone.now()
    schools["high"].save()
    archived = client.post(add, {**data, "school": schools["high"].pk})
    assert archived.status_code == 200 and "is archived (Clever no longer shares it)" in archived.content.decode()


def test_the_demo_district_report_after_import(client, django_user_model, imported_a):
    """Maple Grove as imported from the sandbox: missing emails and a legacy domain show up with the fix."""
    save(imported_a, platforms=["chromebook"], google="students.maplegrove.k12.us")
    counts = readiness_refresh(district=imported_a)
    assert counts[Readiness.NO_EMAIL] > 0 and counts[Readiness.OUTSIDE_DOMAINS] > 0 and counts[Readiness.READY] > 0
    client.force_login(clever_district_admin(django_user_model, district_clever_id=imported_a.clever_id))
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:devices") in home
    page = client.get(reverse("portal:devices") + "?reason=outside_domains").content.decode()
    assert "is in mgusd.net" in page and "sign in with students.maplegrove.k12.us" in page


def test_students_of_schools_not_set_up_are_counted_but_not_listed(portal_admin, lakeside):
    d, schools, _ = lakeside
    DeviceSetup.objects.filter(district=d).delete()
    readiness_refresh(district=d)
    page = portal_admin.get(reverse("portal:devices")).content.decode()
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Every student is ready" not in text
    assert "not listed here: ClassHub does not know yet which devices" in text
    assert "Noah" not in text  # no email, but the school's setup comes first
    save(d, google="students.lakeside.org")
    text = " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", portal_admin.get(reverse("portal:devices")).content.decode())).split()
    )
    assert "not listed here" not in text and "Noah" in text


@pytest.mark.parametrize(
    ("query", "status"),
    [("?school=%C2%B2", 200), ("?q=%F4%8F%BF%BF", 200), ("?page=999999", 200), ("?setup=%C2%B2", 404)],
)
def test_odd_query_strings_never_break_the_page(portal_admin, query, status):
    assert portal_admin.get(reverse("portal:devices") + query).status_code == status  # a school that is no id: 404


def test_odd_school_ids_in_a_post_are_a_404_not_a_500(portal_admin):
    response = portal_admin.post(reverse("portal:devices-setup"), {"school": "²", "platforms": ["chromebook"]})
    assert response.status_code == 404
