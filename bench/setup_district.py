"""Bring one sandbox district to "approved" as a rep would, ready for `manage.py import_district`.

    python -m bench.setup_district <clever_district_id>

Discovers the sandbox's connections, records the purchase and approves every shared school through
the onboarding services (tests/rosters/test_messy_records.py does the same). The approval queues an
import for a worker; no worker runs here, so the queued run is closed and the ORM broker emptied: the
benchmark then runs import_district itself, and nothing else can start an import behind its back.
"""

from __future__ import annotations

import json
import os
import sys

from bench.proc import RESULT_PREFIX


def setup(clever_id: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.utils import timezone
    from django_q.models import OrmQ

    from onboarding.models import PurchaseStatus, RequestStatus, SharingRequest
    from onboarding.services import connections_sync, district_purchase_record, sharing_request_approve
    from rosters.models import ImportRun, ImportStatus

    found = connections_sync()
    request = SharingRequest.objects.filter(district__clever_id=clever_id, status=RequestStatus.PENDING).last()
    if request is None:
        raise SystemExit(f"No sharing request for district {clever_id} after discovery ({found.summary()}).")
    rep, _ = get_user_model().objects.get_or_create(
        username="bench-rep", defaults={"is_staff": True, "is_superuser": True}
    )
    district_purchase_record(district=request.district, purchase_status=PurchaseStatus.ALREADY_PURCHASED, actor=rep)
    request.refresh_from_db()
    school_ids = list(request.school_decisions.values_list("clever_school_id", flat=True))
    sharing_request_approve(request=request, school_ids=school_ids, actor=rep)
    closed = ImportRun.objects.filter(district=request.district, status=ImportStatus.QUEUED).update(
        status=ImportStatus.FAILED,
        error="Closed by the benchmark setup: the benchmark runs import_district itself (no worker runs).",
        finished_at=timezone.now(),
    )
    tasks, _ = OrmQ.objects.all().delete()
    return {
        "district_pk": request.district_id,
        "approved_schools": len(school_ids),
        "queued_runs_closed": closed,
        "broker_tasks_dropped": tasks,
    }


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "classhub.settings")
    import django

    django.setup()
    result = setup(argv[0])
    print(RESULT_PREFIX + json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
