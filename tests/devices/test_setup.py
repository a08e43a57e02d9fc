"""Device setup: what is checked, the messages a district admin reads, and the audit trail."""

from __future__ import annotations

import pytest

from devices.models import DeviceSetup, Readiness, SetupDomain, StudentReadiness
from devices.services import DeviceSetupInvalid, device_setup_delete, device_setup_save, split_domains
from onboarding.models import AuditEvent
from tests.devices import builders as b

pytestmark = pytest.mark.django_db


def save(district, school=None, platforms=("chromebook",), google="", windows="", actor=None):
    return device_setup_save(
        district=district,
        school=school,
        platforms=list(platforms),
        google_domains=google,
        windows_domains=windows,
        actor=actor,
    )


def errors_of(district, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(DeviceSetupInvalid) as caught:
        save(district, **kwargs)
    return caught.value.errors


def test_domains_are_split_lower_cased_and_kept_in_order():
    assert split_domains("A.org, b.org\n\n c.org ;d.org") == ["A.org", "b.org", "c.org", "d.org"]
    d = b.district()
    setup = save(
        d, google="Students.Example.ORG, example.org.", platforms=["chromebook", "windows"], windows="ad.x.org"
    )
    assert list(setup.domains.order_by("id").values_list("kind", "domain")) == [
        ("google", "students.example.org"),
        ("google", "example.org"),
        ("windows", "ad.x.org"),
    ]


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        (
            {"google": "ava@example.org"},
            "google_domains",
            "“ava@example.org” is an email address: enter the domain only, e.g. example.org, not an email.",
        ),
        (
            {"google": "example"},
            "google_domains",
            "“example” is not a domain name: use letters, digits, hyphens and dots, e.g. students.example.org.",
        ),
        ({"google": "bad_domain.org"}, "google_domains", "“bad_domain.org” is not a domain name"),
        ({"google": "-x.org"}, "google_domains", "“-x.org” is not a domain name"),
        (
            {"google": "example.org\nEXAMPLE.org"},
            "google_domains",
            "example.org is listed twice under Google domains: keep it once.",
        ),
        ({"platforms": [], "google": "x.org"}, "platforms", "Choose at least one kind of device the students of"),
        (
            {"platforms": ["chromebook"]},
            "google_domains",
            "Chromebooks sign in with Google accounts: enter the Google Workspace domain",
        ),
        (
            {"platforms": ["windows"]},
            "windows_domains",
            "Windows devices sign in with the Windows domain they are joined to: enter that domain",
        ),
        ({"platforms": ["mac", "ipad"]}, "windows_domains", "Mac, iPad devices sign in with the Windows domain"),
        (
            {"platforms": ["windows"], "windows": "ad.x.org", "google": "g.x.org"},
            "google_domains",
            "Google domains are entered but no device uses them: tick Chromebook, or clear these domains.",
        ),
    ],
)
def test_bad_setups_are_refused_with_a_message_that_says_what_to_do(kwargs, field, message):
    d = b.district()
    errors = errors_of(d, **kwargs)
    assert any(m.startswith(message) for m in errors[field]), errors
    assert not DeviceSetup.objects.filter(district=d).exists()  # nothing half-saved


def test_every_problem_is_reported_at_once():
    errors = errors_of(b.district(), platforms=["chromebook", "windows"], google="a@b.org", windows="nope")
    assert set(errors) == {"google_domains", "windows_domains"}


def test_the_same_domain_may_serve_google_and_windows():
    setup = save(b.district(), platforms=["chromebook", "windows"], google="lakeside.org", windows="lakeside.org")
    assert setup.domains.count() == 2


def test_a_school_of_another_district_is_refused():
    mine, theirs = b.district(), b.district("Theirs")
    errors = errors_of(mine, school=b.school(theirs, "Their High"), google="x.org")
    assert errors == {"school": ["Their High is not an active school of Lakeside USD."]}


def test_saving_is_audited_with_before_and_after_and_refreshes_readiness(django_user_model):
    admin = django_user_model.objects.create_user(username="district-admin")
    d = b.district()
    high = b.school(d, "Lakeside High")
    kid = b.student(d, [high], "kid@old.org")
    save(d, school=high, google="old.org", actor=admin)
    assert not StudentReadiness.objects.filter(student=kid).exists()  # ready
    save(d, school=high, google="new.org", actor=admin)
    assert StudentReadiness.objects.get(student=kid).reason == Readiness.OUTSIDE_DOMAINS

    first, second = AuditEvent.objects.filter(district=d, action="devices.setup.saved").order_by("id")
    assert first.actor == admin and first.before == {}
    assert first.after == {
        "scope": "Lakeside High",
        "platforms": ["chromebook"],
        "google_domains": ["old.org"],
        "windows_domains": [],
    }
    assert second.before["google_domains"] == ["old.org"] and second.after["google_domains"] == ["new.org"]
    assert second.subject_type == "devices.devicesetup" and second.subject_id == str(DeviceSetup.objects.get().pk)
    save(d, school=high, google="NEW.org", actor=admin)  # no change: no event
    assert AuditEvent.objects.filter(district=d, action="devices.setup.saved").count() == 2


def test_a_school_goes_back_to_the_district_default():
    d = b.district()
    high = b.school(d, "Lakeside High")
    kid = b.student(d, [high], "kid@default.org")
    save(d, google="default.org")
    save(d, school=high, google="own.org")
    assert StudentReadiness.objects.get(student=kid).reason == Readiness.OUTSIDE_DOMAINS
    assert device_setup_delete(district=d, school=high, actor=None) is True
    assert not StudentReadiness.objects.filter(student=kid).exists()  # ready
    assert device_setup_delete(district=d, school=high, actor=None) is False
    event = AuditEvent.objects.get(district=d, action="devices.setup.removed")
    assert event.before["google_domains"] == ["own.org"] and event.after["uses"] == "the district default"
    assert SetupDomain.objects.filter(setup__school=high).count() == 0


def test_thousands_of_domains_are_refused_at_once_with_a_clear_message():
    d = b.district()
    pasted = "\n".join(f"d{n}.example.org" for n in range(20_000))
    errors = errors_of(d, google=pasted)
    assert errors == {
        "google_domains": [
            "20000 Google domains entered: a school's devices sign in with a few domains, at most 50. "
            "Enter only the domains of the students' accounts."
        ]
    }


def test_the_same_domains_in_another_order_are_no_change():
    d = b.district()
    save(d, platforms=["chromebook", "windows"], google="a.org\nb.org", windows="ad.org")
    save(d, platforms=["windows", "chromebook"], google="B.org, a.org", windows="ad.org")
    assert AuditEvent.objects.filter(district=d, action="devices.setup.saved").count() == 1


def test_a_large_district_recomputes_readiness_in_the_background(
    settings, django_capture_on_commit_callbacks, queued_tasks
):
    d = b.district()
    high = b.school(d, "Lakeside High")
    kid = b.student(d, [high], "kid@old.org")
    save(d, google="old.org")  # small: recomputed during the save
    assert not StudentReadiness.objects.filter(student=kid).exists()
    settings.DEVICE_READINESS_INLINE_MAX_STUDENTS = 0
    with django_capture_on_commit_callbacks(execute=True):
        save(d, google="new.org")
    assert not StudentReadiness.objects.filter(student=kid).exists()  # not yet: queued for a worker
    results = queued_tasks()  # what a worker does, whichever broker is configured (ORM or Redis)
    assert any(str(r).startswith(d.name) for r in results)
    assert StudentReadiness.objects.get(student=kid).reason == Readiness.OUTSIDE_DOMAINS
