"""Every page, API endpoint and CSV under /portal/ and /api/, as a table: one district never reaches another's.

For each route the table says how to aim it at a district's objects (URL ids, query, form fields) and how the
route keeps to the signed-in person's district: "404" when aimed at another district's object (and not 404
when aimed at their own: the control), or a check that the answer holds only their own district. The same
table drives the anonymous, the teacher and the CSRF tests, and a guard fails when a route is added under
/portal/, /api/, /teach/ or /help/ without a row here (or a reason in an exemption list).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from classhub.clever.sso.contacts import contact_user_for
from devices.keys import device_key_create
from devices.models import DeviceKey, DeviceSetup
from devices.services import device_setup_save
from onboarding.models import (
    District,
    DistrictStatus,
    RequestStatus,
    SchoolDecision,
    SchoolDecisionStatus,
    SharedSchool,
    SharingRequest,
)
from rosters.models import Educator, ImportIssue, ImportRun, ImportStatus, School, Student, StudentSchool

pytestmark = pytest.mark.django_db


# ----- two districts, each with one of everything a route can point at ---------------------------------------


@dataclass
class Side:
    """One district and its objects."""

    district: District
    school: School
    student: Student  # not ready on devices: their email is outside the district's domains
    run: ImportRun
    key: DeviceKey
    key_plaintext: str


def build_side(letter: str) -> Side:
    district = District.objects.create(
        clever_id=f"{letter * 4}{'0' * 20}",
        name=f"District {letter.upper()} Unified",
        status=DistrictStatus.IMPORTED,
        contact_email=f"contact@district-{letter}.example.org",
        contact_name=f"Pat {letter.upper()}",
    )
    school = School.objects.create(
        clever_id=f"{letter * 4}{'1' * 20}", district=district, name=f"{letter.upper()} High"
    )
    student = Student.objects.create(
        clever_id=f"{letter * 4}{'2' * 20}",
        district=district,
        school=school,
        first_name="Student",
        last_name=f"Of{letter.upper()}",
        email=f"student@district-{letter}.example.org",
        email_key=f"student@district-{letter}.example.org",
    )
    StudentSchool.objects.create(student=student, school=school)
    # A student whose email is outside the district's domains: a row of the not-ready CSV.
    outside = Student.objects.create(
        clever_id=f"{letter * 4}{'4' * 20}",
        district=district,
        school=school,
        first_name="Outside",
        last_name=f"Of{letter.upper()}",
        email=f"outside.{letter}@gmail.example",
        email_key=f"outside.{letter}@gmail.example",
    )
    StudentSchool.objects.create(student=outside, school=school)
    # The school was shared and approved, so Sync now can queue an import.
    SharedSchool.objects.create(district=district, clever_school_id=school.clever_id, name=school.name)
    approved = SharingRequest.objects.create(
        district=district, status=RequestStatus.APPROVED, decided_at=timezone.now()
    )
    SchoolDecision.objects.create(
        request=approved,
        clever_school_id=school.clever_id,
        school_name=school.name,
        decision=SchoolDecisionStatus.APPROVED,
    )
    Educator.objects.create(
        clever_id=f"{letter * 4}{'3' * 20}", district=district, first_name="Teacher", last_name=letter, is_teacher=True
    )
    device_setup_save(
        district=district,
        school=None,
        platforms=["chromebook"],
        google_domains=f"district-{letter}.example.org",
        windows_domains="",
        actor=None,
    )
    run = ImportRun.objects.create(district=district, status=ImportStatus.SUCCEEDED, counts={"issues": 1})
    ImportIssue.objects.create(run=run, kind="users", clever_id="x", message=f"A problem of {district.name}")
    key, plaintext = device_key_create(district=district, name=f"key of {letter}", actor=None)
    return Side(district, school, outside, run, key, plaintext)


@dataclass
class World:
    a: Side
    b: Side


@pytest.fixture
def world() -> World:
    return World(a=build_side("a"), b=build_side("b"))


def clever_user(*, username: str, clever_id: str, district: District, roles: dict):
    """A user as a Clever sign-in leaves them: a Clever account whose record carries the district and roles."""
    user = get_user_model().objects.create_user(username=username)
    SocialAccount.objects.create(
        user=user,
        provider="clever",
        uid=clever_id,
        extra_data={"data": {"id": clever_id, "district": district.clever_id, "roles": roles}},
    )
    return user


def clever_admin_of(side: Side):
    return clever_user(
        username="clever-admin-a", clever_id="ad" * 12, district=side.district, roles={"district_admin": {}}
    )


def contact_of(side: Side):
    """District A's contact, as signing in with an emailed code leaves them."""
    return contact_user_for(side.district)


def teacher_of(side: Side):
    educator = Educator.objects.get(district=side.district)
    return clever_user(
        username="clever-teacher-a", clever_id=educator.clever_id, district=side.district, roles={"teacher": {}}
    )


ACTORS = {"clever_admin": clever_admin_of, "contact": contact_of}


# ----- what "only their own district" means for routes without an id -------------------------------------------


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def shows_a_not_b(world: World, response) -> None:
    assert response.status_code == 200, response.status_code
    text = body_of(response)
    assert world.a.district.name in text and world.b.district.name not in text


def status_is_a(world: World, response) -> None:
    assert response.status_code == 200
    assert response.json()["import"]["id"] == world.a.run.pk


def purchase_left_b_alone(world: World, response) -> None:
    assert response.status_code == 302
    world.b.district.refresh_from_db()
    assert world.b.district.purchase_confirmed_by_district == ""


def sync_only_a(world: World, response) -> None:
    assert response.status_code == 302
    assert ImportRun.objects.filter(district=world.b.district).count() == 1  # only the one built above
    assert ImportRun.objects.filter(district=world.a.district).count() == 2  # A's sync was queued


def csv_without_b(world: World, response) -> None:
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(body_of(response))))
    assert any(world.a.student.email in row for row in rows)
    assert not any(world.b.student.email in row for row in rows)


def keys_page_without_b(world: World, response) -> None:
    assert response.status_code == 200
    text = body_of(response)
    assert world.a.key.prefix in text and world.b.key.prefix not in text


def key_made_for_a(world: World, response) -> None:
    assert response.status_code == 200
    assert DeviceKey.objects.filter(district=world.b.district).count() == 1
    assert DeviceKey.objects.filter(district=world.a.district).count() == 2


def listing_is_a(world: World, response) -> None:
    assert response.status_code == 200
    assert [d["clever_id"] for d in response.json()["results"]] == [world.a.district.clever_id]


def identify_never_matches_b(world: World, response) -> None:
    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "clever_login_required"
    assert world.b.student.last_name not in json.dumps(answer)


# ----- the table -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """How to call one route, aimed at one district's objects, and how it keeps to the caller's district."""

    name: str
    method: str = "GET"
    args: Callable[[Side], list] = lambda side: []
    query: Callable[[Side], dict] = lambda side: {}
    data: Callable[[Side], dict] = lambda side: {}
    # None: aimed at district B's object, the answer is 404. Otherwise: the answer holds only district A.
    own_only: Callable[[World, object], None] | None = None
    # How the caller proves who they are: the session (pages, districts API) or a device key.
    auth: str = "session"
    api: bool = False  # anonymous callers get 401/403 instead of the sign-in page

    def __str__(self) -> str:
        return self.name


ROUTES = [
    Route("portal:home", own_only=shows_a_not_b),
    Route("portal:import-status", own_only=status_is_a),
    Route(
        "portal:purchase-confirm",
        "POST",
        data=lambda s: {"purchase_status": "already_purchased"},
        own_only=purchase_left_b_alone,
    ),
    Route("portal:sync-now", "POST", own_only=sync_only_a),
    Route("portal:help", own_only=shows_a_not_b),
    Route("portal:import-issues-csv", args=lambda s: [s.run.pk]),
    Route("portal:devices", query=lambda s: {"setup": s.school.pk}),
    Route("portal:devices-setup", "POST", data=lambda s: {"school": s.school.pk, "platforms": ["chromebook"]}),
    Route("portal:devices-setup-reset", "POST", data=lambda s: {"school": s.school.pk}),
    Route("portal:devices-csv", own_only=csv_without_b),
    Route("portal:device-keys", own_only=keys_page_without_b),
    Route("portal:device-key-create", "POST", data=lambda s: {"name": "new"}, own_only=key_made_for_a),
    Route("portal:device-key-rotate", "POST", args=lambda s: [s.key.pk], data=lambda s: {"grace_hours": "0"}),
    Route("portal:device-key-revoke", "POST", args=lambda s: [s.key.pk]),
    Route("api-districts", api=True, own_only=listing_is_a),
    Route("api-district", args=lambda s: [s.district.clever_id], api=True),
    Route(
        "api-devices-identify",
        "POST",
        data=lambda s: {"email": s.student.email, "platform": "chromebook"},
        own_only=identify_never_matches_b,
        auth="device_key",
        api=True,
    ),
]
ROUTES_BY_NAME = {route.name: route for route in ROUTES}

# Routes under the guarded prefixes that hold no district data, with the reason.
EXEMPT = {
    "api-schema": "the OpenAPI description of the API: no district data",
    "api-docs": "Swagger UI for that description, served by the app: no district data",
    "help:guide": "the public help guide: the same text for everyone, no district data",
}
# Routes whose district and owner checks are tested route by route in their own app's tests, with the file.
COVERED_ELSEWHERE = {
    "teach:home": "tests/teach/test_access.py: a teacher sees only their own sections and classes",
    "teach:after-sign-in": "tests/teach/test_roles.py: redirects only, to the person's own home",
    "teach:class-create": "tests/teach/test_access.py: a class is always the signed-in teacher's own",
    "teach:class": "tests/teach/test_access.py: another teacher's or district's class by id is a 404",
    "teach:class-archive": "tests/teach/test_access.py: another teacher's or district's class by id is a 404",
    "teach:class-student-add": "tests/teach/test_access.py: another district's student, even forged, is a 404",
    "teach:class-student-remove": "tests/teach/test_access.py: only a member of my own class, else 404",
}

GUARDED_PREFIXES = ("portal/", "api/", "teach/", "help/")


def call(client: Client, route: Route, side: Side, *, world: World | None = None, **headers):
    url = reverse(route.name, args=route.args(side))
    if route.method == "GET":
        return client.get(url, route.query(side), **headers)
    if route.auth == "device_key":
        headers.setdefault("HTTP_AUTHORIZATION", f"Bearer {world.a.key_plaintext}")
        return client.post(url, json.dumps(route.data(side)), content_type="application/json", **headers)
    return client.post(url, route.data(side), **headers)


# ----- the tests ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", list(ACTORS))
@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_a_district_a_user_never_reaches_district_b(client, world, route, actor):
    client.force_login(ACTORS[actor](world.a))
    if route.own_only is not None:
        route.own_only(world, call(client, route, world.b, world=world))
        return
    aimed_at_b = call(client, route, world.b, world=world)
    assert aimed_at_b.status_code == 404, aimed_at_b.status_code
    assert world.b.district.name not in body_of(aimed_at_b)
    # The control: aimed at their own district's object, the same route answers.
    assert call(client, route, world.a, world=world).status_code != 404


def test_district_b_is_untouched_after_every_route(client, world):
    """B's key, setup and runs after A's admin called every route aimed at B."""
    client.force_login(clever_admin_of(world.a))
    b_setups = list(DeviceSetup.objects.filter(district=world.b.district).values())
    for route in ROUTES:
        call(client, route, world.b, world=world)
    world.b.key.refresh_from_db()
    assert world.b.key.revoked_at is None
    assert DeviceKey.objects.filter(district=world.b.district).count() == 1
    assert ImportRun.objects.filter(district=world.b.district).count() == 1
    assert list(DeviceSetup.objects.filter(district=world.b.district).values()) == b_setups


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_anonymous_callers_are_sent_to_sign_in(client, world, route):
    response = call(client, route, world.a, world=world, HTTP_AUTHORIZATION="")
    if route.api:
        assert response.status_code in (401, 403)
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login") + "?next=")


@pytest.mark.parametrize("route", [r for r in ROUTES if r.auth == "session"], ids=str)
def test_a_teacher_of_district_a_gets_no_district_pages(client, world, route):
    """The portal is for district admins and contacts: a teacher gets a refusal or nothing, never data."""
    client.force_login(teacher_of(world.a))
    response = call(client, route, world.a, world=world)
    if route.name == "api-districts":
        assert response.json()["results"] == []
    else:
        assert response.status_code in (403, 404), response.status_code
    assert world.a.student.email not in body_of(response)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.method == "POST" and r.auth == "session"], ids=str)
def test_every_form_post_needs_the_csrf_token(world, route):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clever_admin_of(world.a))
    response = call(client, route, world.a, world=world)
    assert response.status_code == 403
    assert b"CSRF" in response.content


def test_the_device_api_does_not_use_the_session_so_csrf_does_not_apply_and_a_key_is_needed(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(clever_admin_of(world.a))
    route = ROUTES_BY_NAME["api-devices-identify"]
    assert call(client, route, world.a, world=world, HTTP_AUTHORIZATION="").status_code == 401  # a session is no key
    assert call(client, route, world.a, world=world).status_code == 200


def test_the_review_console_is_for_classhub_staff_only(client, world, rep):
    change_b = reverse("admin:onboarding_district_change", args=[world.b.district.pk])
    assert client.get(change_b)["Location"].startswith(reverse("admin:login"))
    client.force_login(clever_admin_of(world.a))
    for url in (reverse("admin:index"), change_b, reverse("admin:devices_devicekey_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    client.force_login(rep)
    assert client.get(change_b).status_code == 200
    csrf_client = Client(enforce_csrf_checks=True)
    login = csrf_client.post(reverse("admin:login"), {"username": "rep-test", "password": "rep-pass-123"})
    assert login.status_code == 403  # no CSRF token


# ----- the guard ---------------------------------------------------------------------------------------------


def guarded_route_names(patterns=None, prefix: str = "", namespace: str = "") -> dict[str, str]:
    """Every named route of the project, by (namespaced) name, with its path pattern."""
    found: dict[str, str] = {}
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found.update(guarded_route_names(entry.url_patterns, path, inner))
        elif isinstance(entry, URLPattern) and path.lstrip("^").startswith(GUARDED_PREFIXES):
            found[f"{namespace}{entry.name}" if entry.name else path] = path
    return found


def test_every_route_under_portal_api_teach_and_help_is_in_the_table():
    known = set(ROUTES_BY_NAME) | set(EXEMPT) | set(COVERED_ELSEWHERE)
    missing = {name: path for name, path in guarded_route_names().items() if name not in known}
    assert not missing, f"add these routes to ROUTES in {__name__} (or EXEMPT, with the reason): {missing}"
    stale = set(ROUTES_BY_NAME) - set(guarded_route_names())
    assert not stale, f"these rows name routes that no longer exist: {stale}"
