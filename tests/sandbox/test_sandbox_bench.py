"""What `make bench` needs of the sandbox: generated districts (--students) and events added in batches."""

import copy
import io
import threading
import time

import pytest
import requests

from classhub.clever.sandbox import DatasetError, SandboxServer
from classhub.clever.sandbox.cli import bench_dataset, serve

from .conftest import Api


@pytest.fixture
def bench():
    """A running sandbox with one 40-student benchmark district, and a client for it."""
    with SandboxServer(bench_dataset([40], seed=7), quiet=True) as server, requests.Session() as session:
        (district,) = server.dataset.districts
        yield server, Api(server, session), district


def test_one_district_per_size_each_with_an_admin_and_an_event_to_seed_a_cursor():
    ds = bench_dataset([60, 20], seed=5)
    assert sorted(d["name"] for d in ds.districts.values()) == ["Benchmark District 5", "Benchmark District 6"]
    assert sorted(len(ds.visible(did, "users", "student")) for did in ds.districts) == [20, 60]
    for did in ds.districts:
        assert len(ds.visible(did, "users", "district_admin")) == 1
        assert [e["type"] for e in ds.visible(did, "events")] == ["districts.created"]
    again = bench_dataset([60, 20], seed=5)
    assert again.users == ds.users and again.sections == ds.sections  # same sizes and seed, same data


def test_a_district_needs_students():
    with pytest.raises(DatasetError, match="at least one student"):
        bench_dataset([0])


def test_serve_students_serves_the_generated_districts_instead_of_the_demo():
    out, stop = io.StringIO(), threading.Event()
    thread = threading.Thread(
        target=serve, kwargs={"port": 0, "quiet": True, "students": [30, 10], "out": out, "stop_event": stop}
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while "http://" not in out.getvalue() and time.monotonic() < deadline:
            time.sleep(0.02)
        url = out.getvalue().split(" at ", 1)[1].split(" ", 1)[0]
        districts = requests.get(url + "/sandbox/?format=json", timeout=5).json()["districts"]
    finally:
        stop.set()
        thread.join(timeout=10)
    assert sorted(d["name"] for d in districts) == ["Benchmark District 1", "Benchmark District 2"]
    assert sorted(d["counts"]["users"] for d in districts) == [10 + 1 + 1, 30 + 1 + 1]  # + a teacher, an admin


def test_a_list_of_events_is_applied_in_order_and_read_page_by_page(bench):
    server, api, did = bench
    ds = server.dataset
    (seed_event,) = ds.visible(did, "events")
    student, other = ds.visible(did, "users", "student")[:2]
    section = ds.visible(did, "sections")[0]
    renamed = copy.deepcopy(student)
    renamed["name"]["first"] = "Renamed"
    regrouped = dict(section, students=section["students"][1:])
    resp = api.post(
        "/sandbox/events",
        json=[
            {"type": "users.updated", "object": renamed, "previous_attributes": {"name": student["name"]}},
            {"type": "sections.updated", "object": regrouped, "previous_attributes": {"students": section["students"]}},
            {"type": "users.deleted", "object": other},
        ],
    )
    assert resp.status_code == 201 and resp.json()["count"] == 3
    ids = resp.json()["ids"]
    assert ids == sorted(ids) and ids[0] > seed_event["id"]
    page = api.district_get(did, f"/v3.0/events?starting_after={seed_event['id']}&limit=2").json()
    assert [e["data"]["type"] for e in page["data"]] == ["users.updated", "sections.updated"]
    assert page["data"][0]["data"]["data"]["previous_attributes"]["name"]["first"] == student["name"]["first"]
    rest = api.district_get(did, next(link["uri"] for link in page["links"] if link["rel"] == "next")).json()
    assert [e["data"]["id"] for e in rest["data"]] == ids[2:]  # a deletion is seen by the district it left
    assert api.district_get(did, f"/v3.0/users/{student['id']}").json()["data"]["name"]["first"] == "Renamed"
    assert (
        api.district_get(did, f"/v3.0/sections/{section['id']}").json()["data"]["students"] == section["students"][1:]
    )
    assert api.district_get(did, f"/v3.0/users/{other['id']}").status_code == 404


def test_a_bad_event_in_a_list_applies_none_of_them(bench):
    server, api, did = bench
    student = server.dataset.visible(did, "users", "student")[0]
    renamed = dict(student, email="changed@example.org")
    before = len(server.dataset.events)
    resp = api.post("/sandbox/events", json=[{"type": "users.updated", "object": renamed}, {"type": "users.exploded"}])
    assert resp.status_code == 400 and "event 1" in resp.json()["message"]
    assert len(server.dataset.events) == before
    assert server.dataset.users[student["id"]]["email"] == student["email"]
    assert api.post("/sandbox/events", data=b"[1, 2").status_code == 400
    assert api.post("/sandbox/events", json="a string").status_code == 400
