"""POST /api/v1/devices/identify: who is signed in on a device, or why they must sign in with Clever."""

from __future__ import annotations

import datetime as dt
import json
import time

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from devices.api_auth import DeviceKeyRateThrottle
from devices.identify import district_setups_forget
from devices.keys import device_key_create, device_key_revoke, device_key_rotate
from devices.models import DeviceKey
from rosters.models import Enrollment, Section, SectionTeacher, Student
from tests.devices import identify_data as data

pytestmark = pytest.mark.django_db

URL = "/api/v1/devices/identify"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Rate counters live in the shared cache and setups in a per-process cache: start each test empty."""
    cache.clear()
    district_setups_forget()
    DeviceKeyRateThrottle.forget()
    yield
    cache.clear()
    district_setups_forget()
    DeviceKeyRateThrottle.forget()


def identify(client, key: str | None, body, *, header: str = "bearer", raw: bool = False):
    headers = {}
    if key is not None:
        headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if header == "bearer" else {"HTTP_X_DEVICE_KEY": key}
    payload = body if raw else json.dumps(body)
    return client.post(URL, data=payload, content_type="application/json", **headers)


@pytest.fixture
def lincoln():
    """One district: two schools, a default setup (Google + Windows), a student in both schools with sections."""
    district = data.district("Lincoln USD")
    middle = data.school(district, "Lincoln Middle")
    high = data.school(district, "Lincoln High")
    data.setup(
        district, google=["students.lincoln.org"], windows=["ad.lincoln.org"], platforms=["chromebook", "windows"]
    )
    ada = data.student(district, middle, "ada.lovelace@students.lincoln.org", also=[high])
    hopper = data.teacher(district, "Grace", "Hopper")
    turing = data.teacher(district, "Alan", "Turing")
    gone = data.teacher(district, "Old", "Teacher")
    gone.archived_at = timezone.now()
    gone.save()
    current, past = data.term(district), data.term(district, current=False)
    data.section(district, middle, "Math 7", period="2", term_=current, teachers=[hopper, turing, gone], students=[ada])
    data.section(district, high, "Robotics", period="5", teachers=[turing], students=[ada])  # no term: current
    data.section(district, middle, "Last year's art", period="1", term_=past, teachers=[hopper], students=[ada])
    archived = data.section(district, middle, "Dropped", period="3", teachers=[hopper], students=[ada])
    archived.archived_at = timezone.now()
    archived.save()
    key, plaintext = device_key_create(district=district, name="Chrome extension", actor=None)
    return {"district": district, "middle": middle, "high": high, "ada": ada, "key": key, "plaintext": plaintext}


def test_a_matched_student_comes_with_their_current_sections_and_co_teachers(client, lincoln):
    response = identify(
        client, lincoln["plaintext"], {"email": "ada.lovelace@students.lincoln.org", "platform": "chromebook"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "status": "matched",
        "student": {
            "clever_id": lincoln["ada"].clever_id,
            "name": "Ada Lovelace",
            "grade": "7",
            "school": {"clever_id": lincoln["middle"].clever_id, "name": "Lincoln Middle"},
        },
        "sections": [
            # Current term or no term, active only; the primary teacher first, archived teachers left out.
            {
                "clever_id": Section.objects.get(name="Math 7").clever_id,
                "name": "Math 7",
                "period": "2",
                "teachers": ["Grace Hopper", "Alan Turing"],
            },
            {
                "clever_id": Section.objects.get(name="Robotics").clever_id,
                "name": "Robotics",
                "period": "5",
                "teachers": ["Alan Turing"],
            },
        ],
    }


def test_the_email_is_matched_trimmed_and_case_insensitively(client, lincoln):
    body = {"email": "  Ada.LOVELACE@Students.Lincoln.org ", "platform": "chromebook", "device_id": "5CD123"}
    assert identify(client, lincoln["plaintext"], body).json()["status"] == "matched"
    assert identify(client, lincoln["plaintext"], body, header="x-device-key").json()["status"] == "matched"


def test_domains_are_those_of_the_devices_platform(client, lincoln):
    district = lincoln["district"]
    data.student(district, lincoln["middle"], "bo@ad.lincoln.org", first="Bo", last="Windows")
    key = lincoln["plaintext"]
    # The same Google account: recognised on a Chromebook, refused on Windows, Mac and iPad (Windows domain).
    for platform in ("windows", "mac", "ipad"):
        answer = identify(client, key, {"email": "ada.lovelace@students.lincoln.org", "platform": platform}).json()
        assert answer["status"] == "clever_login_required"
        assert answer["reason"] == "outside_domains"
        assert "ad.lincoln.org" in answer["message"] and "Lincoln Middle" in answer["message"]
    assert identify(client, key, {"email": "bo@ad.lincoln.org", "platform": "windows"}).json()["status"] == "matched"
    assert identify(client, key, {"email": "bo@ad.lincoln.org", "platform": "chromebook"}).json()["reason"] == (
        "outside_domains"
    )


def test_a_schools_own_setup_replaces_the_district_default(client, lincoln):
    data.setup(lincoln["district"], lincoln["middle"], google=["middle.lincoln.org"])
    cy = data.student(lincoln["district"], lincoln["middle"], "cy@students.lincoln.org", first="Cy")
    answer = identify(client, lincoln["plaintext"], {"email": cy.email, "platform": "chromebook"}).json()
    assert answer["reason"] == "outside_domains"
    assert "middle.lincoln.org" in answer["message"]
    # Ada is also in Lincoln High, which keeps the default: recognised there.
    ada = identify(client, lincoln["plaintext"], {"email": lincoln["ada"].email, "platform": "chromebook"}).json()
    assert ada["status"] == "matched"
    # Lincoln Middle's own setup has no Windows domain: the default's does not apply there.
    fay = data.student(lincoln["district"], lincoln["middle"], "fay@ad.lincoln.org", first="Fay")
    answer = identify(client, lincoln["plaintext"], {"email": fay.email, "platform": "windows"}).json()
    assert answer["reason"] == "outside_domains"
    assert "no Windows domain is set up" in answer["message"]


def test_a_multi_school_student_is_matched_in_any_of_their_schools_domains(client, lincoln):
    district = lincoln["district"]
    data.setup(district, lincoln["middle"], google=["middle.lincoln.org"])
    data.setup(district, lincoln["high"], google=["high.lincoln.org"])
    dee = data.student(district, lincoln["middle"], "dee@high.lincoln.org", first="Dee", also=[lincoln["high"]])
    answer = identify(client, lincoln["plaintext"], {"email": dee.email, "platform": "chromebook"}).json()
    assert answer["status"] == "matched"
    assert answer["student"]["school"]["name"] == "Lincoln Middle"  # the primary school
    only_middle = data.student(district, lincoln["middle"], "eve@high.lincoln.org", first="Eve")
    answer = identify(client, lincoln["plaintext"], {"email": only_middle.email, "platform": "chromebook"}).json()
    assert answer["reason"] == "outside_domains"


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("nobody@gmail.com", "unknown_email"),
        # A school account nobody has on file: the student's SIS record lacks (this) email.
        ("new.kid@students.lincoln.org", "no_email_on_file"),
        ("twin@students.lincoln.org", "shared_email"),
        ("left@students.lincoln.org", "archived_student"),
    ],
)
def test_each_reason_to_sign_in_with_clever(client, lincoln, email, reason):
    district, middle = lincoln["district"], lincoln["middle"]
    data.student(district, middle, "twin@students.lincoln.org", first="Twin", last="One")
    data.student(district, middle, "TWIN@students.lincoln.org ", first="Twin", last="Two")
    left = data.student(district, middle, "left@students.lincoln.org", first="Left")
    Student.objects.filter(pk=left.pk).update(archived_at=timezone.now())
    data.student(district, middle, "blank-email@nowhere", first="No")  # a student without email does not match
    data.student(district, middle, "", first="Empty")
    answer = identify(client, lincoln["plaintext"], {"email": email, "platform": "chromebook"}).json()
    assert answer["status"] == "clever_login_required"
    assert answer["reason"] == reason
    assert answer["message"]
    if reason == "shared_email":
        assert "Twin" not in answer["message"]  # never tells a device who the others are


def test_an_archived_duplicate_does_not_make_an_email_shared(client, lincoln):
    old = data.student(lincoln["district"], lincoln["middle"], lincoln["ada"].email, first="Old", last="Ada")
    Student.objects.filter(pk=old.pk).update(archived_at=timezone.now())
    answer = identify(client, lincoln["plaintext"], {"email": lincoln["ada"].email, "platform": "chromebook"}).json()
    assert answer["status"] == "matched"
    assert answer["student"]["clever_id"] == lincoln["ada"].clever_id


def test_a_school_without_setup_and_no_district_default_says_so(client):
    district = data.district("Unset USD")
    school = data.school(district, "Unset Elementary")
    data.student(district, school, "kid@unset.org")
    _, key = device_key_create(district=district, name="", actor=None)
    answer = identify(client, key, {"email": "kid@unset.org", "platform": "chromebook"}).json()
    assert answer["reason"] == "school_not_set_up"
    assert "Unset Elementary" in answer["message"]


def test_a_key_only_ever_sees_its_own_district(client, lincoln):
    other = data.district("Other USD")
    school = data.school(other, "Other School")
    data.setup(other, google=["students.lincoln.org"])
    data.student(other, school, "only.in.other@students.lincoln.org")
    _, other_key = device_key_create(district=other, name="", actor=None)
    body = {"email": "only.in.other@students.lincoln.org", "platform": "chromebook"}
    assert identify(client, lincoln["plaintext"], body).json()["reason"] == "no_email_on_file"
    assert identify(client, other_key, body).json()["status"] == "matched"
    ada = {"email": lincoln["ada"].email, "platform": "chromebook"}
    assert identify(client, other_key, ada).json()["status"] == "clever_login_required"


def test_missing_wrong_and_revoked_keys_get_the_same_401_without_detail(client, lincoln):
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    revoked, revoked_plaintext = device_key_create(district=lincoln["district"], name="old", actor=None)
    device_key_revoke(key=revoked, actor=None)
    responses = [
        identify(client, None, body),
        identify(client, "chk_not-a-key", body),
        identify(client, revoked_plaintext, body),
        identify(client, revoked_plaintext, body, header="x-device-key"),
        client.post(URL, data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION="Basic abc"),
    ]
    for response in responses:
        assert response.status_code == 401
        assert response.content == b""
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_after_rotation_the_old_key_stops_working(client, lincoln):
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    new, new_plaintext = device_key_rotate(key=lincoln["key"], actor=None)
    assert identify(client, lincoln["plaintext"], body).status_code == 401
    assert identify(client, new_plaintext, body).json()["status"] == "matched"


def test_a_rotation_with_grace_keeps_the_old_key_until_then(client, lincoln):
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    _, new_plaintext = device_key_rotate(key=lincoln["key"], actor=None, grace=dt.timedelta(hours=24))
    assert identify(client, lincoln["plaintext"], body).status_code == 200
    assert identify(client, new_plaintext, body).status_code == 200
    DeviceKey.objects.filter(pk=lincoln["key"].pk).update(revoked_at=timezone.now() - dt.timedelta(seconds=1))
    assert identify(client, lincoln["plaintext"], body).status_code == 401


def test_requests_are_rate_limited_per_key(client, lincoln, settings):
    settings.DEVICE_IDENTIFY_RATE = "3/min"
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    assert [identify(client, lincoln["plaintext"], body).status_code for _ in range(3)] == [200, 200, 200]
    limited = identify(client, lincoln["plaintext"], body)
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 60
    # Another key of the same district has its own allowance.
    _, other = device_key_create(district=lincoln["district"], name="Windows agent", actor=None)
    assert identify(client, other, body).status_code == 200


def test_the_rate_limit_holds_across_processes(client, lincoln, settings):
    """What other gunicorn workers counted is in the shared cache, and this process refuses on it."""
    settings.DEVICE_IDENTIFY_RATE = "5/min"
    assert "locmem" not in settings.CACHES["default"]["BACKEND"]  # a per-process cache would not hold
    if time.time() % 60 > 58:
        time.sleep(2.5)  # not across a window's end
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    assert identify(client, lincoln["plaintext"], body).status_code == 200
    window = int(time.time() // 60)
    cache.incr(f"devices:identify-rate:{lincoln['key'].pk}:60:{window}", 4)  # another worker's four requests
    limited = identify(client, lincoln["plaintext"], body)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) <= 60


def test_last_used_is_written_at_most_once_a_minute(client, lincoln, django_assert_num_queries):
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    identify(client, lincoln["plaintext"], body)
    first = DeviceKey.objects.get(pk=lincoln["key"].pk).last_used_at
    assert first is not None
    identify(client, lincoln["plaintext"], body)
    assert DeviceKey.objects.get(pk=lincoln["key"].pk).last_used_at == first
    DeviceKey.objects.filter(pk=lincoln["key"].pk).update(last_used_at=first - dt.timedelta(minutes=2))
    identify(client, lincoln["plaintext"], body)
    assert DeviceKey.objects.get(pk=lincoln["key"].pk).last_used_at > first


def test_malformed_json_is_a_400(client, lincoln):
    response = identify(client, lincoln["plaintext"], '{"email": "ada@', raw=True)
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    response = identify(client, lincoln["plaintext"], "[1, 2]", raw=True)
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"platform": "chromebook"}, "email"),
        ({"email": "   ", "platform": "chromebook"}, "email"),
        ({"email": "no-at-sign", "platform": "chromebook"}, "email"),
        ({"email": ["a@b.org"], "platform": "chromebook"}, "email"),
        ({"email": "a" * 250 + "@b.org", "platform": "chromebook"}, "email"),
        ({"email": "ada@students.lincoln.org"}, "platform"),
        ({"email": "ada@students.lincoln.org", "platform": "linux"}, "platform"),
        ({"email": "ada@students.lincoln.org", "platform": ["chromebook"]}, "platform"),
        ({"email": "ada\x00@students.lincoln.org", "platform": "chromebook"}, "email"),
        ({"email": "ada@students.lincoln.org", "platform": "chromebook", "device_id": None}, "device_id"),
        ({"email": "ada@students.lincoln.org", "platform": "chromebook", "device_id": "x" * 200}, "device_id"),
    ],
)
def test_missing_or_invalid_fields_are_a_400_naming_the_field(client, lincoln, body, field):
    response = identify(client, lincoln["plaintext"], body)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_non_ascii_email_is_matched_too(client, lincoln):
    zoe = data.student(lincoln["district"], lincoln["middle"], "zoë@students.lincoln.org", first="Zoë")
    answer = identify(client, lincoln["plaintext"], {"email": " ZOË@students.lincoln.org", "platform": "chromebook"})
    assert answer.json()["student"]["clever_id"] == zoe.clever_id


def test_the_imported_demo_district_is_identified(client, imported_a):
    """Data as the Clever import leaves it: a student with email, their sections and teachers."""
    student = (
        Student.objects.filter(district=imported_a, archived_at=None, enrollments__isnull=False)
        .exclude(email="")
        .exclude(email__contains=" ")
        .first()
    )
    domain = student.email.strip().lower().rpartition("@")[2]
    data.setup(imported_a, google=[domain])
    _, key = device_key_create(district=imported_a, name="", actor=None)
    answer = identify(client, key, {"email": student.email.upper(), "platform": "chromebook"}).json()
    if Student.objects.filter(district=imported_a, email_key=student.email_key).count() > 1:
        assert answer["reason"] == "shared_email"
        return
    assert answer["status"] == "matched"
    assert answer["student"]["clever_id"] == student.clever_id
    section_ids = set(Enrollment.objects.filter(student=student).values_list("section__clever_id", flat=True))
    assert {s["clever_id"] for s in answer["sections"]} <= section_ids
    for section in answer["sections"]:
        names = {
            f"{t.educator.first_name} {t.educator.last_name}".strip()
            for t in SectionTeacher.objects.filter(section__clever_id=section["clever_id"]).select_related("educator")
        }
        assert set(section["teachers"]) <= names


def grow(district, school, students: int, sections_each: int = 3):
    """Add many students, each in several sections with two teachers: a bigger district, same request."""
    teachers = [data.teacher(district, f"T{i}", "Teacher") for i in range(4)]
    for i in range(students):
        kid = data.student(district, school, f"kid{i}@students.lincoln.org", first=f"Kid{i}")
        for j in range(sections_each):
            data.section(district, school, f"S{i}-{j}", teachers=teachers[j % 2 : j % 2 + 2], students=[kid])


@pytest.mark.parametrize("setup_cache_seconds", [0, 10])
def test_the_query_count_is_the_same_whatever_the_district_size(
    client, lincoln, settings, django_assert_num_queries, setup_cache_seconds
):
    settings.DEVICE_SETUP_CACHE_SECONDS = setup_cache_seconds
    body = {"email": lincoln["ada"].email, "platform": "chromebook"}
    identify(client, lincoln["plaintext"], body)  # writes last_used_at and, when caching, loads the setups
    # key, student (with school links), [setups], sections with their teachers
    expected = 4 if setup_cache_seconds == 0 else 3
    with django_assert_num_queries(expected):
        assert identify(client, lincoln["plaintext"], body).json()["status"] == "matched"
    grow(lincoln["district"], lincoln["middle"], students=60)
    for extra in range(5):
        data.section(lincoln["district"], lincoln["high"], f"Extra {extra}", teachers=[], students=[lincoln["ada"]])
    with django_assert_num_queries(expected):
        answer = identify(client, lincoln["plaintext"], body).json()
    assert len(answer["sections"]) == 7
    # Refusals cost no more.
    with django_assert_num_queries(expected - 1):
        assert identify(client, lincoln["plaintext"], {**body, "email": "kid1@gmail.com"}).json()["status"] != "matched"


def test_the_schema_describes_the_identify_endpoint(client):
    from drf_spectacular.validation import validate_schema

    response = client.get(reverse("api-schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)
    operation = schema["paths"]["/api/v1/devices/identify"]["post"]
    assert set(operation["responses"]) >= {"200", "400", "401", "429"}
    assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert schema["components"]["securitySchemes"]["deviceKey"]["scheme"] == "bearer"
    request = schema["components"]["schemas"]["IdentifyRequest"]
    assert set(request["required"]) == {"email", "platform"}


def test_the_docs_page_serves_swagger_ui_from_the_app_itself(client):
    page = client.get(reverse("api-docs"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "unpkg" not in html.lower()
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


def test_the_benchmarks_reference_endpoint_does_not_exist_in_normal_runs(client):
    assert client.post("/api/v1/bench/reference", data="{}", content_type="application/json").status_code == 404


def test_json_nested_too_deeply_is_a_400_not_a_500(client, lincoln):
    body = '{"email": ' + "[" * 5000 + "]" * 5000 + ', "platform": "chromebook"}'
    response = identify(client, lincoln["plaintext"], body, raw=True)
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("status", ["disconnected", "denied"])
def test_a_district_that_left_classhub_has_its_keys_refused(client, lincoln, status):
    body = {"email": "ada.lovelace@students.lincoln.org", "platform": "chromebook"}
    assert identify(client, lincoln["plaintext"], body).json()["status"] == "matched"
    lincoln["district"].status = status
    lincoln["district"].save()
    response = identify(client, lincoln["plaintext"], body)
    assert response.status_code == 401 and response.content == b""


def test_an_email_with_two_at_signs_is_judged_by_its_first_domain_as_the_report_does(client, lincoln):
    data.student(lincoln["district"], lincoln["middle"], "odd@evil.com@students.lincoln.org")
    body = {"email": "odd@evil.com@students.lincoln.org", "platform": "chromebook"}
    answer = identify(client, lincoln["plaintext"], body).json()
    assert (answer["status"], answer["reason"]) == ("clever_login_required", "outside_domains")


def test_an_archived_schools_own_setup_no_longer_matches(client, lincoln):
    district, high = lincoln["district"], lincoln["high"]
    only_high = data.student(district, high, "kim@old-domain.org")
    data.setup(district, high, google=["old-domain.org"], platforms=["chromebook"])
    body = {"email": "kim@old-domain.org", "platform": "chromebook"}
    assert identify(client, lincoln["plaintext"], body).json()["status"] == "matched"
    high.archived_at = timezone.now()
    high.save()
    district_setups_forget()
    assert only_high.pk and identify(client, lincoln["plaintext"], body).json()["status"] == "clever_login_required"


@pytest.mark.parametrize("rate", ["10/day", "10/minutes", "10/hours", "5/s"])
def test_every_rate_period_drf_knows_works(client, lincoln, settings, rate):
    settings.DEVICE_IDENTIFY_RATE = rate
    body = {"email": "ada.lovelace@students.lincoln.org", "platform": "chromebook"}
    assert identify(client, lincoln["plaintext"], body).status_code == 200


@pytest.mark.parametrize("rate", ["10/5m", "ten/min", "0/min", "600"])
def test_a_bad_rate_setting_is_reported_by_the_system_check(settings, rate):
    from devices.checks import identify_rate_check

    settings.DEVICE_IDENTIFY_RATE = rate
    errors = identify_rate_check(None)
    assert [e.id for e in errors] == ["devices.E001"] and "DEVICE_IDENTIFY_RATE" in errors[0].msg
