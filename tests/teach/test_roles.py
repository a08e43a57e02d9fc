"""Each person lands on their home after signing in; a teacher who is also a district admin switches between them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from rosters.models import Educator, SectionTeacher
from tests.teach import builders as b
from tests.teach.clever_users import sign_in_as, sign_in_through_sandbox

pytestmark = pytest.mark.django_db

SWITCH = ">Teacher home</a>"
PORTAL_LINK = ">District portal</a>"


def test_a_teacher_signing_in_with_clever_lands_on_the_teacher_home(client, imported_a, sandbox):
    teacher = Educator.objects.filter(
        district=imported_a, is_teacher=True, is_district_admin=False, section_links__isnull=False
    ).first()
    landed = sign_in_through_sandbox(client, sandbox, teacher.clever_id)
    assert landed.status_code == 302 and landed["Location"] == reverse("teach:home")  # straight home
    page = client.get(landed["Location"])
    assert page.status_code == 200 and str(teacher) in page.content.decode()
    assert SWITCH not in page.content.decode()  # one role: nothing to switch
    assert client.get(reverse("home"))["Location"] == reverse("teach:after-sign-in")  # the front door too


def test_a_teacher_who_is_a_district_admin_lands_on_the_portal_and_switches_between_both_homes(
    client, imported_a, sandbox
):
    both = Educator.objects.get(district=imported_a, is_teacher=True, is_district_admin=True)
    landed = sign_in_through_sandbox(client, sandbox, both.clever_id)
    assert landed["Location"] == reverse("portal:home")

    portal = client.get(reverse("portal:home"))
    assert portal.status_code == 200
    html = portal.content.decode()
    assert SWITCH in html and PORTAL_LINK in html
    assert f'href="{reverse("portal:home")}" aria-current="page"' in html

    home = client.get(reverse("teach:home"))
    assert home.status_code == 200
    html = home.content.decode()
    assert SWITCH in html and PORTAL_LINK in html
    assert f'href="{reverse("teach:home")}" aria-current="page"' in html
    section_names = SectionTeacher.objects.filter(educator=both).values_list("section__name", flat=True)
    assert any(name in html for name in section_names) or "You have no sections this term" in html


def test_a_district_admin_who_does_not_teach_sees_no_switch_and_is_routed_to_the_portal(client, imported_a, sandbox):
    admin = Educator.objects.filter(district=imported_a, is_district_admin=True, is_teacher=False).first()
    landed = sign_in_through_sandbox(client, sandbox, admin.clever_id)
    assert landed["Location"] == reverse("portal:home")
    assert SWITCH not in client.get(reverse("portal:home")).content.decode()
    refused = client.get(reverse("teach:home"))
    assert refused.status_code == 403 and b"Your Clever account is not a teacher account" in refused.content
    assert f'<a href="{reverse("portal:home")}">district portal</a>'.encode() in refused.content


def test_the_switch_needs_a_teacher_record_not_only_the_role(client):
    district = b.district()
    # Clever says teacher and district admin, but no roster record yet (not imported): the portal only.
    sign_in_as(client, clever_id=b.clever_id(), district=district.clever_id, roles=("teacher", "district_admin"))
    assert SWITCH not in client.get(reverse("portal:home")).content.decode()
    assert client.get(reverse("teach:after-sign-in"))["Location"] == reverse("portal:home")


def test_the_switch_costs_one_query_at_most_beyond_the_page(client, django_assert_max_num_queries):
    district = b.district()
    school = b.school(district, "Lakeside Middle")
    me = b.teacher(district, [school], is_district_admin=True)
    sign_in_as(client, clever_id=me.clever_id, district=district.clever_id, roles=("teacher", "district_admin"))
    client.get(reverse("teach:home"))
    # Session, user, Clever account, teacher record, sections, classes — and the switch's one lookup.
    with django_assert_max_num_queries(7):
        page = client.get(reverse("teach:home"))
    assert SWITCH in page.content.decode()


def test_routing_after_sign_in(client, rep, django_user_model):
    district = b.district()
    client.force_login(rep)
    assert client.get(reverse("teach:after-sign-in"))["Location"] == reverse("admin:index")
    client.logout()
    # A teacher Clever knows but ClassHub has not imported yet is told why on the teacher home.
    sign_in_as(client, clever_id=b.clever_id(), district=district.clever_id, roles=("teacher",))
    assert client.get(reverse("teach:after-sign-in"))["Location"] == reverse("teach:home")
    client.logout()
    sign_in_as(client, clever_id=b.clever_id(), district=district.clever_id, roles=("staff",))
    assert client.get(reverse("teach:after-sign-in"))["Location"] == reverse("portal:home")
