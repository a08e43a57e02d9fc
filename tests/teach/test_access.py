"""A teacher only ever reaches their own sections and classes: every URL, GET and POST, by id, in any district."""

from __future__ import annotations

import pytest
from django.urls import reverse

from teach.models import ClassHubClass, ClassHubClassStudent
from tests.teach import builders as b
from tests.teach.clever_users import sign_in_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts():
    """In each of two districts a teacher with a class of one student; a second teacher in the first district."""
    world = {}
    for key in ("a", "b"):
        district = b.district(f"District {key}")
        school = b.school(district, f"School {key}")
        owner = b.teacher(district, [school], last=f"Owner{key}")
        kid = b.student(district, [school], first="Kid", last=key)
        classhub_class = ClassHubClass.objects.create(district=district, owner=owner, name=f"Class {key}")
        ClassHubClassStudent.objects.create(classhub_class=classhub_class, student=kid)
        b.section(school, [(owner, True)], [kid], name=f"Section of {key}")
        world[key] = {"district": district, "school": school, "owner": owner, "kid": kid, "class": classhub_class}
    world["neighbour"] = b.teacher(world["a"]["district"], [world["a"]["school"]], last="Neighbour")
    return world


def class_urls(classhub_class, student):
    """Every URL of a class: (method, url, form data)."""
    pk = classhub_class.pk
    return [
        ("get", reverse("teach:class", args=[pk]), {}),
        ("get", reverse("teach:class", args=[pk]) + "?q=kid", {}),
        ("post", reverse("teach:class-student-add", args=[pk]), {"student": student.pk}),
        ("post", reverse("teach:class-student-remove", args=[pk, student.pk]), {}),
        ("post", reverse("teach:class-archive", args=[pk]), {}),
    ]


def untouched(world) -> bool:
    return all(
        ClassHubClass.objects.filter(pk=world[k]["class"].pk, archived_at=None).exists()
        and list(world[k]["class"].memberships.values_list("student_id", flat=True)) == [world[k]["kid"].pk]
        for k in ("a", "b")
    )


def test_anonymous_visitors_are_sent_to_sign_in_from_every_url(client, two_districts):
    urls = [("get", reverse("teach:home"), {}), ("get", reverse("teach:class-create"), {})]
    urls += [("post", reverse("teach:class-create"), {"name": "x"}), ("get", reverse("teach:after-sign-in"), {})]
    urls += class_urls(two_districts["a"]["class"], two_districts["a"]["kid"])
    for method, url, data in urls:
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login") + "?next="), url
    assert untouched(two_districts) and ClassHubClass.objects.count() == 2


def test_another_teachers_class_is_a_404_on_every_url(client, two_districts):
    world = two_districts
    sign_in_as(client, clever_id=world["neighbour"].clever_id, district=world["a"]["district"].clever_id)
    for method, url, data in class_urls(world["a"]["class"], world["a"]["kid"]):
        assert getattr(client, method)(url, data).status_code == 404, url
    home = client.get(reverse("teach:home")).content.decode()
    assert "Class a" not in home and "Section of a" not in home
    assert untouched(world)


def test_another_districts_class_and_students_are_a_404_on_every_url(client, two_districts):
    world = two_districts
    sign_in_as(client, clever_id=world["a"]["owner"].clever_id, district=world["a"]["district"].clever_id)
    for method, url, data in class_urls(world["b"]["class"], world["b"]["kid"]):
        assert getattr(client, method)(url, data).status_code == 404, url
    # Their student, by a forged POST into my own class; and in my search.
    own = world["a"]["class"]
    forged = client.post(reverse("teach:class-student-add", args=[own.pk]), {"student": world["b"]["kid"].pk})
    assert forged.status_code == 404
    page = client.get(reverse("teach:class", args=[own.pk]), {"q": "kid"}).content.decode()
    assert "Kid a" in page and "Kid b" not in page
    home = client.get(reverse("teach:home")).content.decode()
    assert "Class b" not in home and "Section of b" not in home
    assert untouched(world)


def test_a_student_of_my_class_is_removed_only_through_my_class(client, two_districts):
    world = two_districts
    sign_in_as(client, clever_id=world["a"]["owner"].clever_id, district=world["a"]["district"].clever_id)
    # My class, their student (not a member): 404, and their class keeps its student.
    url = reverse("teach:class-student-remove", args=[world["a"]["class"].pk, world["b"]["kid"].pk])
    assert client.post(url).status_code == 404
    assert untouched(world)


def test_people_without_a_teacher_record_get_the_explanation_on_every_url(client, two_districts):
    world = two_districts
    sign_in_as(client, clever_id=b.clever_id(), district=world["a"]["district"].clever_id)
    urls = [("get", reverse("teach:home"), {}), ("post", reverse("teach:class-create"), {"name": "x"})]
    for method, url, data in urls + class_urls(world["a"]["class"], world["a"]["kid"]):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403 and b"ClassHub does not have your classes yet" in response.content, url
    assert untouched(world) and ClassHubClass.objects.count() == 2
