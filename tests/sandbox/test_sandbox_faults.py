"""Fault injection, request log and internal-error handling."""

import time

from classhub.clever.sandbox import DEMO_DISTRICTS

A = DEMO_DISTRICTS[0]["clever_id"]


def test_429_then_success(api, server):
    server.inject_fault(path_prefix="/v3.0/users", status=429)
    first = api.district_get(A, "/v3.0/users?limit=5")
    assert first.status_code == 429
    reset = int(first.headers["X-RateLimit-Reset"])
    assert time.time() - 1 <= reset <= time.time() + 2
    assert "message" in first.json()
    assert api.district_get(A, "/v3.0/users?limit=5").status_code == 200
    assert [p for m, p in server.request_log if p.startswith("/v3.0/users")] == ["/v3.0/users?limit=5"] * 2


def test_5xx_count_headers_and_body(api, server):
    server.inject_fault(path_prefix="/v3.0/sections", status=503, count=2)
    server.inject_fault(path_prefix="/v3.0/schools", status=429, headers={"Retry-After": "2"}, body="<html>busy</html>")
    assert [api.district_get(A, "/v3.0/sections").status_code for _ in range(3)] == [503, 503, 200]
    resp = api.district_get(A, "/v3.0/schools")
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "2"
    assert "X-RateLimit-Reset" not in resp.headers and resp.text == "<html>busy</html>"
    assert resp.headers["Content-Type"].startswith("text/html")
    assert api.district_get(A, "/v3.0/users").status_code == 200


def test_slow_response_and_control_endpoint(api, server):
    assert (
        api.post(
            "/sandbox/faults", json={"path_prefix": "/v3.0/terms", "status": None, "delay_seconds": 0.3}
        ).status_code
        == 201
    )
    started = time.monotonic()
    assert api.district_get(A, "/v3.0/terms").status_code == 200
    assert time.monotonic() - started >= 0.3
    api.post("/sandbox/faults", json={"path_prefix": "/oauth/tokens", "status": 500, "count": 5})
    assert api.session.delete(server.url + "/sandbox/faults").status_code == 200
    assert (
        api.session.get(
            server.url + "/oauth/tokens?owner_type=district", auth=(server.client_id, server.client_secret)
        ).status_code
        == 200
    )
    assert api.post("/sandbox/faults", json={"path_prefix": "/x", "status": 1000}).status_code == 400


def test_internal_error_is_a_generic_500(api, server, monkeypatch, capsys):
    def boom(*args):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(server, "_me", boom)
    resp = api.district_get(A, "/v3.0/me")
    assert resp.status_code == 500 and resp.json() == {"message": "sandbox internal error"}
    assert "secret detail" in capsys.readouterr().err


def test_overview_json_and_html(api, server, dataset):
    body = api.get("/sandbox/?format=json").json()
    assert {d["id"] for d in body["districts"]} == set(dataset.districts)
    assert all(d["access_token"] == server.token_for(d["id"]) for d in body["districts"])
    html = api.get("/sandbox/")
    assert html.status_code == 200 and "Maple Grove" in html.text


def test_stop_really_stops(dataset):
    import requests

    from classhub.clever.sandbox import SandboxServer

    srv = SandboxServer(dataset, quiet=True).start()
    with requests.Session() as session:
        assert session.get(srv.url + "/sandbox/?format=json").status_code == 200
        srv.stop()
        try:
            session.get(srv.url + "/sandbox/?format=json", timeout=2)
            raise AssertionError("server still answering after stop()")
        except requests.ConnectionError:
            pass
