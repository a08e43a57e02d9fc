"""The Clever client against the sandbox: paging, retries and typed errors."""

from __future__ import annotations

import time

import pytest

from classhub.clever.client import CleverClient, RetryPolicy
from classhub.clever.errors import (
    CleverAuthError,
    CleverNotFound,
    CleverRateLimited,
    CleverRequestRejected,
    CleverTokenRevoked,
    CleverUnavailable,
)


def users_path_hits(sandbox) -> int:
    return sum(1 for method, path in sandbox.request_log if path.startswith("/v3.0/users"))


def test_lists_one_token_per_connected_district(clever_client, sandbox, demo):
    tokens = clever_client.list_district_tokens()
    assert sorted(t.district_id for t in tokens) == sorted(spec["clever_id"] for spec in demo.values())
    assert all(t.access_token for t in tokens)


def test_token_list_with_wrong_secret_is_an_auth_error_and_not_retried(sandbox, sleeps, settings):
    client = CleverClient.from_settings(client_secret="wrong", retry=RetryPolicy(sleep=sleeps))
    with pytest.raises(Exception) as excinfo:
        client.list_district_tokens()
    assert excinfo.value.status == 401
    assert sleeps.waits == []


def test_pages_follow_next_links_and_return_every_user_once(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    pages = list(api.iter_pages("users", limit=7))
    ids = [user["id"] for page in pages for user in page]
    expected = [u["id"] for u in sandbox.dataset.visible(demo["a"]["clever_id"], "users")]
    assert ids == expected
    assert len(pages) == -(-len(expected) // 7)


def test_429_waits_for_retry_after_then_succeeds(clever_client, sandbox, sleeps, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=429, count=2, headers={"Retry-After": "3"})
    schools = list(api.iter_objects("schools"))
    assert len(schools) == 3
    assert sleeps.waits[:2] == [3.0, 3.0]


def test_429_honours_the_latest_rate_limit_reset(clever_client, sandbox, sleeps, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    now = time.time()
    reset = f"{int(now) + 2}, {int(now) + 5}"
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=429, count=1, headers={"X-RateLimit-Reset": reset})
    list(api.iter_objects("schools"))
    assert len(sleeps.waits) == 1
    assert 3.5 <= sleeps.waits[0] <= 5.5


def test_5xx_backs_off_exponentially_with_a_cap(sandbox, sleeps, demo):
    client = CleverClient.from_settings(
        retry=RetryPolicy(max_retries=5, base_delay=1.0, max_delay=4.0, sleep=sleeps, jitter=lambda: 1.0)
    )
    api = client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=503, count=4)
    assert len(list(api.iter_objects("schools"))) == 3
    assert sleeps.waits == [1.0, 2.0, 4.0, 4.0]


def test_5xx_gives_up_after_max_retries_with_a_typed_error(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=502, count=50)
    with pytest.raises(CleverUnavailable):
        list(api.iter_objects("schools"))


def test_429_gives_up_as_rate_limited(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=429, count=50, headers={"Retry-After": "0"})
    with pytest.raises(CleverRateLimited):
        list(api.iter_objects("schools"))


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, CleverRequestRejected),
        (404, CleverNotFound),
        (413, CleverRequestRejected),
        (501, CleverRequestRejected),
    ],
)
def test_never_retries_client_errors_and_501(clever_client, sandbox, sleeps, demo, status, error):
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/users", status=status, count=5)
    before = users_path_hits(sandbox)
    with pytest.raises(error):
        list(api.iter_objects("users"))
    assert users_path_hits(sandbox) - before == 1
    assert sleeps.waits == []


def test_revoked_district_token_is_its_own_error_and_not_retried(clever_client, sandbox, sleeps, demo):
    district_id = demo["a"]["clever_id"]
    api = clever_client.for_district(district_id)
    sandbox.revoke_token(district_id)
    with pytest.raises(CleverTokenRevoked):
        api.get(f"districts/{district_id}")
    assert sleeps.waits == []
    with pytest.raises(CleverTokenRevoked):
        clever_client.for_district(district_id)  # and it has vanished from the token list


def test_one_401_for_a_token_clever_still_lists_is_tried_again(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=401, body="<html>Unauthorized</html>")
    assert len(list(api.iter_objects("schools"))) == 3


def test_a_token_refused_twice_while_still_listed_is_an_auth_error_not_a_removal(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=401, count=2, body="<html>Unauthorized</html>")
    with pytest.raises(CleverAuthError) as refused:
        list(api.iter_objects("schools"))
    assert not isinstance(refused.value, CleverTokenRevoked)


def test_every_call_times_out_and_is_retried(sandbox, sleeps, demo):
    client = CleverClient.from_settings(timeout=0.3, retry=RetryPolicy(max_retries=2, sleep=sleeps))
    api = client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/schools", status=None, count=1, delay_seconds=1.5)
    assert len(list(api.iter_objects("schools"))) == 3
    assert len(sleeps.waits) == 1


def test_a_limit_above_clevers_maximum_is_refused_before_any_call(clever_client, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    with pytest.raises(ValueError, match="limit"):
        list(api.iter_pages("users", limit=10_001))


def test_stops_on_an_empty_page_even_with_a_next_link(clever_client, sandbox, demo):
    api = clever_client.for_district(demo["a"]["clever_id"])
    expected = len(sandbox.dataset.visible(demo["a"]["clever_id"], "schools"))
    pages = list(api.iter_pages("schools", limit=expected))  # a full page carries a next link to an empty page
    assert [len(p) for p in pages] == [expected]
    assert sandbox.request_log[-1][1].startswith("/v3.0/schools?") and "starting_after" in sandbox.request_log[-1][1]


def _page(ids: list, next_uri: str | None) -> dict:
    links = [{"rel": "next", "uri": next_uri}] if next_uri else []
    return {"data": [{"data": {"id": i}} for i in ids], "links": links}


def test_next_links_that_go_round_in_a_circle_end_the_paging(clever_client, sandbox, demo, monkeypatch):
    from classhub.clever import client as client_module
    from classhub.clever.errors import CleverMalformedResponse

    monkeypatch.setattr(client_module, "MAX_STALLED_PAGES", 3)
    api = clever_client.for_district(demo["a"]["clever_id"])
    sandbox.inject_fault(path_prefix="/v3.0/users", status=200, count=1, body=_page(["a5"], "/v3.0/users?x=1"))
    # Clever's next link keeps leading back to a page it has served: no higher id ever comes.
    sandbox.inject_fault(path_prefix="/v3.0/users", status=200, count=10, body=_page(["a1"], "/v3.0/users?x=1"))
    with pytest.raises(CleverMalformedResponse, match="round in a circle"):
        list(api.iter_pages("users", limit=1))
    assert users_path_hits(sandbox) == 4  # stopped after three pages without progress


def test_pages_of_records_with_no_or_lower_ids_do_not_end_the_paging(clever_client, sandbox, demo):
    """Unusable records (no id, odd ids) on page after page are for the importer to report, not a circle."""
    api = clever_client.for_district(demo["a"]["clever_id"])
    for n in range(15):
        body = _page([None] if n % 2 else ["000bad"], f"/v3.0/users?limit=1&starting_after=x{n:02d}")
        sandbox.inject_fault(path_prefix="/v3.0/users", status=200, count=1, body=body)
    sandbox.inject_fault(path_prefix="/v3.0/users", status=200, count=1, body=_page(["zzz"], None))
    assert len(list(api.iter_pages("users", limit=1))) == 16
