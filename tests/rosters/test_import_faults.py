"""Imports under faults: rotated tokens, malformed answers, districts that moved on."""

from __future__ import annotations

import threading

import pytest
from django.core.management import CommandError, call_command

from classhub.clever.client import CleverClient, RetryPolicy
from classhub.clever.errors import CleverMalformedResponse
from onboarding.models import DistrictStatus
from onboarding.services import connections_sync
from rosters.models import ImportRun, ImportStatus, Student
from rosters.services import import_run_create, import_run_execute

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved_a(approve_demo):
    return approve_demo("a")


def test_a_rotated_token_is_fetched_again_and_the_call_goes_on(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    old = api.token
    sandbox.rotate_token(demo["a"]["clever_id"])
    assert len(list(api.iter_objects("schools"))) == 3
    assert api.token != old


def test_a_token_rotated_in_the_middle_of_an_import_does_not_stop_it(approved_a, sandbox):
    sandbox.inject_fault(path_prefix="/v3.0/users", status=None, count=1, delay_seconds=1.0)
    rotate = threading.Timer(0.4, sandbox.rotate_token, args=[approved_a.clever_id])
    rotate.start()
    run = import_run_execute(run_id=import_run_create(district=approved_a).pk)
    rotate.join()
    assert run.status == ImportStatus.SUCCEEDED, run.error
    approved_a.refresh_from_db()
    assert approved_a.status == DistrictStatus.IMPORTED


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v3.0/users", [1, 2, 3]),
        ("/v3.0/sections", {"data": [], "links": "abc"}),
        ("/v3.0/courses", {"data": {"not": "a list"}}),
    ],
)
def test_a_malformed_answer_fails_the_run_with_a_message_not_a_crash(approved_a, sandbox, path, body):
    sandbox.inject_fault(path_prefix=path, status=200, count=1, body=body)
    run = import_run_execute(run_id=import_run_create(district=approved_a).pk)
    if path == "/v3.0/sections":
        assert run.status == ImportStatus.SUCCEEDED  # links of the wrong type are ignored, data is fine
        return
    assert run.status == ImportStatus.FAILED
    assert "unexpected shape" in run.error and "run again" in run.error


def test_a_malformed_token_list_is_a_typed_error(sandbox, sleeps):
    client = CleverClient.from_settings(retry=RetryPolicy(sleep=sleeps))
    sandbox.inject_fault(path_prefix="/oauth/tokens", status=200, count=1, body=[])
    with pytest.raises(CleverMalformedResponse):
        client.list_district_tokens()


def test_an_import_of_a_district_that_disconnected_is_refused_and_leaves_no_run(approved_a, sandbox):
    sandbox.revoke_token(approved_a.clever_id)
    connections_sync()
    runs_before = ImportRun.objects.filter(district=approved_a).count()
    with pytest.raises(CommandError, match="removed ClassHub in Clever"):
        call_command("import_district", approved_a.clever_id)
    assert ImportRun.objects.filter(district=approved_a).count() == runs_before


def test_a_queued_run_whose_district_disconnected_meanwhile_is_closed_with_the_reason(approved_a, sandbox):
    run = ImportRun.objects.get(district=approved_a)  # queued by the approval
    sandbox.revoke_token(approved_a.clever_id)
    connections_sync()
    run = import_run_execute(run_id=run.pk)
    assert run.status == ImportStatus.FAILED and "disconnected" in run.error
    assert Student.objects.filter(district=approved_a).count() == 0
