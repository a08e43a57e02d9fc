"""load_folder, DatasetError, share() and add_event()."""

import json

import pytest

from classhub.clever.sandbox import DEMO_DISTRICTS, DatasetError, load_folder
from classhub.clever.sandbox.dataset import KINDS, list_response

A, B, C = (d["clever_id"] for d in DEMO_DISTRICTS)


def write_demo_as_clever_files(dataset, folder):
    """What the districts' tokens see, written in the three accepted file shapes."""
    for kind in KINDS:
        objs = {o["id"]: o for did in dataset.districts for o in dataset.visible(did, kind)}
        ordered = [objs[k] for k in sorted(objs)]
        if kind == "users":  # a list of pages, as saved while paging
            content = [list_response(kind, ordered[i : i + 50]) for i in range(0, len(ordered), 50)]
        elif kind == "terms":  # a plain list of objects
            content = ordered
        else:
            content = list_response(kind, ordered)
        (folder / f"{kind}.json").write_text(json.dumps(content))


def test_load_folder_round_trip(dataset, tmp_path):
    write_demo_as_clever_files(dataset, tmp_path)
    loaded = load_folder(tmp_path)
    assert set(loaded.districts) == set(dataset.districts)
    for did in dataset.districts:
        assert loaded.shared_schools[did] == dataset.shared_schools[did]
        for kind in KINDS:
            assert loaded.visible(did, kind) == dataset.visible(did, kind), (did, kind)


def test_load_folder_synthesizes_referenced_districts_and_serves(tmp_path, api):
    school = {"id": "5a0000000000000000000001", "district": "5a00000000000000000000d1", "name": "Solo School"}
    (tmp_path / "schools.json").write_text(json.dumps([school]))
    loaded = load_folder(tmp_path)
    assert loaded.districts == {
        "5a00000000000000000000d1": {
            "id": "5a00000000000000000000d1",
            "name": "District 5a00000000000000000000d1",
        }
    }
    assert loaded.visible("5a00000000000000000000d1", "schools") == [school]
    assert loaded.events == [] and loaded.users == {}


@pytest.mark.parametrize(
    "name, content, expected",
    [
        (
            "users.json",
            '{"data": [\n{"data": {"id": "1"}}\n{"data": {}}]}',
            "users.json: not valid JSON (line 3, column 1",
        ),
        (
            "schools.json",
            '[{"id": "a"}, {"id": "b"}, {"id": "c"}, {"name": "no id"}]',
            "schools.json: item 3 has no 'id'",
        ),
        ("sections.json", '[{"id": "a"}, 7]', "sections.json: item 1 is not an object"),
        ("terms.json", '"just a string"', "terms.json: expected a Clever list response"),
        ("courses.json", '{"links": []}', "courses.json: expected a 'data' list"),
        ("districts.json", '{"data": [{"uri": "/v3.0/districts/x"}]}', "districts.json: item 0 is not"),
        ("events.json", '[{"id": "01"}]', "events.json: item 0 needs 'type' and 'data.object'"),
    ],
)
def test_bad_files_name_file_and_reason(tmp_path, name, content, expected):
    (tmp_path / name).write_text(content)
    with pytest.raises(DatasetError) as info:
        load_folder(tmp_path)
    assert str(info.value).startswith(expected), str(info.value)


def test_unreadable_folder(tmp_path):
    with pytest.raises(DatasetError):
        load_folder(tmp_path / "missing")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(DatasetError):
        load_folder(tmp_path / "file.txt")


def test_share_changes_visibility_and_emits_events(dataset):
    before_events = len(dataset.events)
    middle = next(s["id"] for s in dataset.visible(A, "schools") if s["name"] == "Maple Grove Middle School")
    high = next(s["id"] for s in dataset.visible(A, "schools") if s["name"] == "Maple Grove High School")
    cedar = next(s["id"] for s in dataset.visible(A, "schools") if s["name"] == "Cedar Hollow Elementary School")
    cedar_students = [
        u["id"] for u in dataset.visible(A, "users", "student") if u["roles"]["student"]["schools"] == [cedar]
    ]
    dropped_sections = [s["id"] for s in dataset.visible(A, "sections") if s["school"] == high]
    events = dataset.share(A, [middle])
    assert [s["id"] for s in dataset.visible(A, "schools")] == [middle]
    assert not set(cedar_students) & {u["id"] for u in dataset.visible(A, "users")}
    types = {}
    for e in events:
        types.setdefault(e["type"], set()).add(e["data"]["object"]["id"])
    assert types["schools.deleted"] == {high, cedar}
    assert set(cedar_students) <= types["users.deleted"]
    assert types["sections.deleted"] == set(dropped_sections)
    assert "users.created" not in types
    # the multi-school student (middle + high) stays visible through the middle school
    assert any(len(u["roles"]["student"]["schools"]) == 2 for u in dataset.visible(A, "users", "student"))
    assert len(dataset.events) == before_events + len(events)
    back = dataset.share(A, [middle, high, cedar])
    assert {e["type"] for e in back} == {"schools.created", "users.created", "sections.created"}
    with pytest.raises(ValueError):
        dataset.share(A, list(dataset.shared_schools[B]))


def test_share_events_reach_only_that_district_over_http(api, server, dataset):
    cursor_a = api.district_get(A, "/v3.0/events?ending_before=last&limit=1").json()["data"][0]["data"]["id"]
    cursor_b = api.district_get(B, "/v3.0/events?ending_before=last&limit=1").json()["data"][0]["data"]["id"]
    keep = sorted(dataset.shared_schools[A])[:1]
    resp = api.post(f"/sandbox/districts/{A}/sharing", json={"school_ids": keep})
    assert resp.status_code == 200 and resp.json()["events"]
    items, _ = api.follow(f"/v3.0/events?starting_after={cursor_a}&limit=10", server.token_for(A))
    assert [e["id"] for e in items] == resp.json()["events"]
    assert all(e["type"].endswith(".deleted") and "previous_attributes" not in e["data"] for e in items)
    assert api.district_get(B, f"/v3.0/events?starting_after={cursor_b}").json()["data"] == []
    assert [s["data"]["id"] for s in api.district_get(A, "/v3.0/schools").json()["data"]] == keep
    assert api.post(f"/sandbox/districts/{A}/sharing", json={"school_ids": "x"}).status_code == 400
    assert api.post("/sandbox/districts/nope/sharing", json={"school_ids": []}).status_code == 404


def test_add_event_updates_data_and_event_stream(api, server, dataset):
    user = dict(dataset.visible(A, "users", "teacher")[0])
    user["name"] = dict(user["name"], last="Renamed")
    resp = api.post(
        "/sandbox/events",
        json={
            "type": "users.updated",
            "object": user,
            "previous_attributes": {"name": dataset.users[user["id"]]["name"]},
        },
    )
    assert resp.status_code == 201
    event = resp.json()["data"]
    assert event["data"]["previous_attributes"]["name"]["last"] != "Renamed"
    assert api.district_get(A, f"/v3.0/users/{user['id']}").json()["data"]["name"]["last"] == "Renamed"
    latest = api.district_get(A, "/v3.0/events?ending_before=last&limit=1").json()["data"][0]["data"]
    assert latest == event
    assert api.district_get(B, f"/v3.0/events/{event['id']}").status_code == 404
    server.add_event("users.deleted", user)
    assert api.district_get(A, f"/v3.0/users/{user['id']}").status_code == 404
    assert api.post("/sandbox/events", json={"type": "users.exploded", "object": user}).status_code == 400


def test_reference_fields_of_the_wrong_type_name_the_file_item_and_field(tmp_path):
    import json

    import pytest

    from classhub.clever.sandbox import DatasetError, load_folder

    (tmp_path / "schools.json").write_text(json.dumps([{"id": "a" * 24, "district": ["x"], "name": "S"}]))
    with pytest.raises(DatasetError, match=r"schools\.json: item 0 .*'district' must be an id string"):
        load_folder(tmp_path)
    (tmp_path / "schools.json").write_text(json.dumps([{"id": 7, "name": "S"}]))
    with pytest.raises(DatasetError, match=r"schools\.json: item 0 has an 'id' that is not a string"):
        load_folder(tmp_path)
    (tmp_path / "schools.json").write_text(json.dumps([{"id": "a" * 24, "district": "d" * 24}]))
    (tmp_path / "sections.json").write_text(json.dumps([{"id": "b" * 24, "district": "d" * 24, "school": ["x"]}]))
    with pytest.raises(DatasetError, match=r"sections\.json: item 0 .*'school' must be an id string"):
        load_folder(tmp_path)


def test_names_of_any_type_do_not_break_the_sign_in_page(tmp_path):
    import json

    import requests

    from classhub.clever.sandbox import SandboxServer, load_folder

    district, school = "d" * 24, "a" * 24
    (tmp_path / "districts.json").write_text(json.dumps([{"id": district, "name": None}]))
    (tmp_path / "schools.json").write_text(json.dumps([{"id": school, "district": district, "name": None}]))
    users = [
        {"id": "1" * 24, "district": district, "name": {"first": 5}, "roles": {"teacher": {"school": school}}},
        {"id": "2" * 24, "district": district, "name": "Plain", "roles": {"teacher": {"school": school}}},
    ]
    (tmp_path / "users.json").write_text(json.dumps(users))
    with SandboxServer(load_folder(tmp_path), quiet=True).start() as server:
        page = requests.get(
            f"{server.url}/oauth/authorize",
            params={"response_type": "code", "client_id": server.client_id, "redirect_uri": "http://x/cb"},
            timeout=5,
        )
        assert page.status_code == 200 and "Plain" in page.text and "5" in page.text
        assert requests.get(f"{server.url}/sandbox/", timeout=5).status_code == 200
