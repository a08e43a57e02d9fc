"""Device sign-in readiness of an imported district, recomputed and timed (issue 5's "within seconds").

    python -m bench.readiness <clever_district_id>

Records the device setup (Chromebooks and Windows, with the domain most students' emails are in, so most
come out ready and the rest are spread over the reasons) as the district default and for every active
school, then times readiness_refresh(), as every sync runs it: it judges every student in each of their
schools and writes the ones who are not ready. Prints the counts by reason, the rows written and the seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time

from bench.proc import RESULT_PREFIX


def measure(clever_id: str) -> dict:
    from django.db import connection

    from devices.models import DeviceSetup, SetupDomain, StudentReadiness
    from devices.services import device_setup_save, readiness_refresh
    from onboarding.models import District
    from rosters.models import School, Student

    district = District.objects.get(clever_id=clever_id)
    domains = (
        Student.objects.filter(district=district, archived_at=None)
        .exclude(email_key="")
        .values_list("email_key", flat=True)[:1000]
    )
    found = [e.split("@", 1)[1] for e in domains if "@" in e]
    common = max(set(found), key=found.count) if found else "example.org"
    schools = list(School.objects.filter(district=district, archived_at=None))
    # The generated emails are all in one domain; give every 20th student no email and the next one an
    # email in another domain, so about 10% are not ready (and carry search keys) as in a real district.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE rosters_student SET email = '', email_key = '' WHERE district_id = %s AND id %% 20 = 0",
            [district.pk],
        )
        cursor.execute(
            "UPDATE rosters_student SET email = 'x' || email, email_key = 'x' || email_key || '.legacy.org' "
            "WHERE district_id = %s AND id %% 20 = 1 AND email_key <> ''",
            [district.pk],
        )
    # The district default through the service (validated, audited, refreshed once: the first refresh, into
    # an empty table), then a setup of its own for every school, written directly: saving each through the
    # service would refresh the whole district once per school.
    DeviceSetup.objects.filter(district=district).delete()  # a kept database may hold an earlier run's
    started = time.perf_counter()
    device_setup_save(
        district=district, school=None, platforms=["chromebook"], google_domains=common, windows_domains="", actor=None
    )
    first_seconds = time.perf_counter() - started
    setups = DeviceSetup.objects.bulk_create(
        DeviceSetup(district=district, school=school, platforms=["chromebook", "windows"]) for school in schools
    )
    SetupDomain.objects.bulk_create(
        SetupDomain(setup=setup, kind=kind, domain=common) for setup in setups for kind in ("google", "windows")
    )
    started = time.perf_counter()
    counts = readiness_refresh(district=district)
    seconds = time.perf_counter() - started
    return {
        "schools": len(schools),
        "domain": common,
        "first_readiness_seconds": first_seconds,
        "readiness_seconds": seconds,
        "readiness_judged": sum(counts.values()),  # students, once per school they are in
        "readiness_rows": StudentReadiness.objects.filter(district=district).count(),  # the not-ready ones
        "readiness_counts": counts,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classhub.settings")
    import django

    django.setup()
    print(RESULT_PREFIX + json.dumps(measure(argv[0])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
