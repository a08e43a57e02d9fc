"""OAuth host: district token listing, revocation, SSO code flow, instant login."""

import time
from urllib.parse import parse_qs, urlsplit

import pytest

from classhub.clever.sandbox import DEMO_DISTRICTS

A, B, C = (d["clever_id"] for d in DEMO_DISTRICTS)
REDIRECT = "http://localhost:8000/auth/clever/callback"


def list_tokens(api, server, query="?owner_type=district", auth="ok"):
    """GET /oauth/tokens with the given client credentials."""
    creds = (server.client_id, server.client_secret) if auth == "ok" else auth
    return api.session.get(server.url + "/oauth/tokens" + query, auth=creds)


def authorize(api, server, **params):
    """GET /oauth/authorize with defaults for the mandatory parameters."""
    query = {"response_type": "code", "client_id": server.client_id, "redirect_uri": REDIRECT, **params}
    return api.get("/oauth/authorize", params=query)


def code_from(resp):
    """The query of a redirect's Location."""
    assert resp.status_code == 302, resp.text[:500]
    location = urlsplit(resp.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    return parse_qs(location.query)


def exchange(api, server, code, redirect_uri=REDIRECT, auth=None, as_json=False):
    """POST /oauth/tokens with an authorization code."""
    body = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    kwargs = {"json": body} if as_json else {"data": body}
    return api.session.post(
        server.url + "/oauth/tokens", auth=auth or (server.client_id, server.client_secret), **kwargs
    )


def test_token_list_needs_basic_auth(api, server):
    missing = api.get("/oauth/tokens?owner_type=district")
    assert missing.status_code == 401 and missing.json()["error"] == "invalid_client"
    assert "error_description" in missing.json()
    assert list_tokens(api, server, auth=(server.client_id, "wrong")).status_code == 401
    assert list_tokens(api, server, query="").status_code == 400
    assert list_tokens(api, server, query="?owner_type=user").status_code == 400


def test_token_list_has_one_token_per_district(api, server, dataset):
    body = list_tokens(api, server).json()
    assert body["links"] == []
    owners = [t["owner"] for t in body["data"]]
    assert sorted(o["id"] for o in owners) == sorted(dataset.districts)
    assert all(o["type"] == "district" for o in owners)
    for entry in body["data"]:
        assert set(entry) == {"id", "created", "owner", "access_token", "scopes"}
        assert entry["access_token"] == server.token_for(entry["owner"]["id"])
        assert entry["created"].endswith("Z")
    one = list_tokens(api, server, query=f"?owner_type=district&district={B}").json()["data"]
    assert [t["owner"]["id"] for t in one] == [B]


def test_revoke_gives_401_and_removes_the_token(api, server):
    old = server.token_for(A)
    server.revoke_token(A)
    assert api.get("/v3.0/users", old).status_code == 401
    assert A not in {t["owner"]["id"] for t in list_tokens(api, server).json()["data"]}
    with pytest.raises(KeyError):
        server.token_for(A)
    assert api.post(f"/sandbox/districts/{A}/connect").status_code == 200
    new = server.token_for(A)
    assert new != old and api.get("/v3.0/users", new).status_code == 200
    assert api.get("/v3.0/users", old).status_code == 401


def test_rotate_and_disconnect_via_control_endpoints(api, server):
    old = server.token_for(B)
    rotated = api.post(f"/sandbox/districts/{B}/rotate").json()["access_token"]
    assert rotated != old and rotated == server.token_for(B)
    assert api.get("/v3.0/schools", old).status_code == 401
    assert api.get("/v3.0/schools", rotated).status_code == 200
    assert api.post(f"/sandbox/districts/{B}/revoke").status_code == 200
    assert B not in {t["owner"]["id"] for t in list_tokens(api, server).json()["data"]}
    assert api.get("/v3.0/schools", rotated).status_code == 401


def test_authorize_page_choose_user_code_token_me_user(api, server, dataset):
    page = authorize(api, server, state="st-123", district_id=A)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]
    assert "Clever sandbox — sign in as…" in page.text
    teacher = dataset.visible(A, "users", "teacher")[0]
    student = dataset.visible(A, "users", "student")[0]
    assert teacher["name"]["last"] in page.text and student["id"] in page.text
    contact = dataset.visible(A, "users", "contact")[0]
    assert contact["id"] not in page.text
    query = code_from(authorize(api, server, state="st-123", district_id=A, sandbox_user=teacher["id"]))
    assert query["state"] == ["st-123"]
    token_resp = exchange(api, server, query["code"][0])
    assert token_resp.status_code == 200
    body = token_resp.json()
    assert body["token_type"] == "bearer"
    me = api.get("/v3.0/me", body["access_token"]).json()
    assert me == {
        "type": "user",
        "data": {"id": teacher["id"], "district": A, "type": "user", "authorized_by": "district"},
        "links": [{"rel": "canonical", "uri": f"/v3.0/users/{teacher['id']}"}],
    }
    own = api.get(f"/v3.0/users/{teacher['id']}", body["access_token"]).json()["data"]
    assert own["roles"]["teacher"] == teacher["roles"]["teacher"]
    assert api.get(f"/v3.0/districts/{A}", body["access_token"]).status_code == 200
    assert api.get(f"/v3.0/users/{student['id']}", body["access_token"]).status_code == 404
    assert api.get("/v3.0/users", body["access_token"]).status_code == 401


def test_code_works_once_and_must_match_redirect_uri(api, server, dataset):
    user = dataset.visible(A, "users", "teacher")[0]
    code = code_from(authorize(api, server, sandbox_user=user["id"]))["code"][0]
    assert exchange(api, server, code).status_code == 200
    reuse = exchange(api, server, code)
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    code = code_from(authorize(api, server, sandbox_user=user["id"]))["code"][0]
    assert exchange(api, server, code, redirect_uri=REDIRECT + "/").json()["error"] == "invalid_grant"
    code = code_from(authorize(api, server, sandbox_user=user["id"]))["code"][0]
    bad_client = exchange(api, server, code, auth=("someone", "else"))
    assert bad_client.status_code == 401 and bad_client.json()["error"] == "invalid_client"
    assert exchange(api, server, code, as_json=True).status_code == 200
    assert exchange(api, server, "never-issued").json()["error"] == "invalid_grant"


def test_expired_code(api, server, dataset):
    user = dataset.visible(A, "users", "teacher")[0]
    server.code_ttl = 0.05
    code = code_from(authorize(api, server, sandbox_user=user["id"]))["code"][0]
    time.sleep(0.1)
    resp = exchange(api, server, code)
    assert resp.status_code == 400 and resp.json()["error"] == "invalid_grant"


def test_no_state_when_none_given_and_instant_login(api, server, dataset):
    user = dataset.visible(B, "users", "student")[0]
    assert "state" not in code_from(authorize(api, server, sandbox_user=user["id"]))
    resp = api.get("/sandbox/instant-login", params={"user_id": user["id"], "redirect_uri": REDIRECT})
    query = code_from(resp)
    assert set(query) == {"code"}
    assert (
        api.get("/v3.0/me", exchange(api, server, query["code"][0]).json()["access_token"]).json()["data"]["id"]
        == user["id"]
    )
    assert api.get("/sandbox/instant-login", params={"user_id": "nobody", "redirect_uri": REDIRECT}).status_code == 400


def test_typed_email_is_case_insensitive_and_ambiguous_emails_ask(api, server, dataset):
    teacher = next(u for u in dataset.visible(A, "users", "teacher") if u.get("email"))
    query = code_from(authorize(api, server, sandbox_login=teacher["email"].upper()))
    token = exchange(api, server, query["code"][0]).json()["access_token"]
    assert api.get("/v3.0/me", token).json()["data"]["id"] == teacher["id"]
    unknown = authorize(api, server, sandbox_login="nobody@nowhere.example")
    assert unknown.status_code == 200 and "No user with email" in unknown.text
    emails = {}
    for u in dataset.visible(B, "users"):
        if u.get("email"):
            emails.setdefault(u["email"].lower(), []).append(u)
    shared = next(users for users in emails.values() if len(users) > 1)
    page = authorize(api, server, sandbox_login=shared[0]["email"])
    assert page.status_code == 200 and "Several users" in page.text
    assert all(u["id"] in page.text for u in shared)


def test_authorize_rejects_unknown_client_and_redirects_urls_with_query(api, server, dataset):
    assert authorize(api, server, client_id="other").status_code == 400
    assert authorize(api, server, district_id="ffffffffffffffffffffffff").status_code == 400
    user = dataset.visible(C, "users", "teacher")[0]
    resp = api.get(
        "/oauth/authorize",
        params={
            "response_type": "code",
            "client_id": server.client_id,
            "redirect_uri": REDIRECT + "?next=/home",
            "sandbox_user": user["id"],
        },
    )
    assert resp.headers["Location"].startswith(REDIRECT + "?next=/home&code=")
