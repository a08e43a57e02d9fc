"""Data API: envelope, paging, visibility, nested endpoints, token errors."""

from classhub.clever.sandbox import DEMO_DISTRICTS

A, B, C = (d["clever_id"] for d in DEMO_DISTRICTS)


def test_paging_users_limit_7_returns_every_visible_user_once_in_id_order(api, server, dataset):
    items, pages = api.follow("/v3.0/users?limit=7", server.token_for(A))
    ids = [u["id"] for u in items]
    expected = [u["id"] for u in dataset.visible(A, "users")]
    assert ids == expected == sorted(expected)
    assert len(ids) == len(set(ids))
    assert all(len(p["data"]) <= 7 for p in pages)
    first = pages[0]
    assert first["data"][0]["uri"] == f"/v3.0/users/{ids[0]}"
    assert {"rel": "self", "uri": "/v3.0/users?limit=7"} in first["links"]
    assert {"rel": "next", "uri": f"/v3.0/users?limit=7&starting_after={ids[6]}"} in first["links"]


def test_full_last_page_has_next_link_that_leads_to_an_empty_page(api, server, dataset):
    teachers = dataset.visible(A, "users", "teacher")
    assert len(teachers) % 6 == 0, "demo should keep 12 visible teachers in district a"
    items, pages = api.follow("/v3.0/users?role=teacher&limit=6", server.token_for(A))
    assert [u["id"] for u in items] == [t["id"] for t in teachers]
    assert pages[-1]["data"] == []
    assert any("role=teacher" in link["uri"] for link in pages[1]["links"] if link["rel"] == "next")


def test_role_filter(api, server, dataset):
    for role in ("student", "teacher", "staff", "district_admin", "contact"):
        items, _ = api.follow(f"/v3.0/users?role={role}&limit=50", server.token_for(A))
        assert items and all(role in u["roles"] for u in items)
        assert len(items) == len(dataset.visible(A, "users", role))
    assert api.district_get(A, "/v3.0/users?role=parent").status_code == 400


def test_limits(api):
    resp = api.district_get(A, "/v3.0/users?limit=10001")
    assert resp.status_code == 413 and "message" in resp.json()
    assert resp.headers["Content-Type"].startswith("application/json")
    assert api.district_get(A, "/v3.0/users?limit=10000").status_code == 200
    assert api.district_get(A, "/v3.0/users?limit=0").status_code == 400
    assert api.district_get(A, "/v3.0/users?limit=ten").status_code == 400
    assert len(api.district_get(A, "/v3.0/users").json()["data"]) == 100


def test_ending_before_and_prev(api, dataset):
    ids = [u["id"] for u in dataset.visible(A, "users")]
    last = api.district_get(A, "/v3.0/users?ending_before=last&limit=5").json()
    assert [w["data"]["id"] for w in last["data"]] == ids[-5:]
    prev = next(link["uri"] for link in last["links"] if link["rel"] == "prev")
    assert prev.endswith(f"ending_before={ids[-5]}")
    before = api.district_get(A, prev).json()
    assert [w["data"]["id"] for w in before["data"]] == ids[-10:-5]
    assert api.district_get(A, "/v3.0/users?starting_after=x&ending_before=y").status_code == 400


def test_district_sees_only_its_shared_schools_and_their_people(api, server, dataset):
    riverbend = next(s for s in dataset.schools.values() if s["name"] == "Riverbend Elementary School")
    schools, _ = api.follow("/v3.0/schools", server.token_for(A))
    assert sorted(s["id"] for s in schools) == sorted(dataset.shared_schools[A])
    assert riverbend["id"] not in {s["id"] for s in schools}
    assert api.district_get(A, f"/v3.0/schools/{riverbend['id']}").json() == {"message": "Not Found"}
    b_school = next(iter(dataset.shared_schools[B]))
    assert api.district_get(A, f"/v3.0/schools/{b_school}").status_code == 404
    assert api.district_get(B, f"/v3.0/schools/{b_school}").status_code == 200
    hidden_student = next(
        u for u in dataset.users.values() if u.get("roles", {}).get("student", {}).get("school") == riverbend["id"]
    )
    assert api.district_get(A, f"/v3.0/users/{hidden_student['id']}").status_code == 404
    hidden_section = next(s for s in dataset.sections.values() if s["school"] == riverbend["id"])
    assert api.district_get(A, f"/v3.0/sections/{hidden_section['id']}").status_code == 404
    sections, _ = api.follow("/v3.0/sections", server.token_for(A))
    assert all(s["school"] in dataset.shared_schools[A] for s in sections)
    districts, _ = api.follow("/v3.0/districts", server.token_for(A))
    assert [d["id"] for d in districts] == [A]
    assert api.district_get(A, f"/v3.0/districts/{B}").status_code == 404


def test_single_object_envelope(api, dataset):
    user = dataset.visible(A, "users")[0]
    body = api.district_get(A, f"/v3.0/users/{user['id']}").json()
    assert body == {"data": user, "links": [{"rel": "self", "uri": f"/v3.0/users/{user['id']}"}]}


def test_terms_courses_and_nested_endpoints(api, server, dataset):
    terms, _ = api.follow("/v3.0/terms", server.token_for(A))
    courses, _ = api.follow("/v3.0/courses", server.token_for(A))
    assert terms and all(t["district"] == A and t["start_date"] and t["end_date"] for t in terms)
    assert courses and all(c["district"] == A for c in courses)
    section = next(s for s in dataset.visible(A, "sections") if len(s["teachers"]) > 1)
    members, _ = api.follow(f"/v3.0/sections/{section['id']}/users", server.token_for(A))
    assert {u["id"] for u in members} == set(section["students"]) | set(section["teachers"])
    teachers, _ = api.follow(f"/v3.0/sections/{section['id']}/users?role=teacher", server.token_for(A))
    assert {u["id"] for u in teachers} == set(section["teachers"])
    mine, _ = api.follow(f"/v3.0/users/{section['teachers'][1]}/sections", server.token_for(A))
    assert section["id"] in {s["id"] for s in mine}
    school_users, _ = api.follow(f"/v3.0/schools/{section['school']}/users?role=student", server.token_for(A))
    assert set(section["students"]) <= {u["id"] for u in school_users}
    assert api.district_get(A, f"/v3.0/schools/{section['school']}/teachers").status_code == 404


def test_token_errors_and_unknown_paths(api, server):
    assert api.get("/v3.0/users").status_code == 401
    resp = api.get("/v3.0/users", "not-a-token")
    assert resp.status_code == 401 and "message" in resp.json()
    assert api.district_get(A, "/v3.0/students").status_code == 404
    assert api.district_get(A, "/v3.0/users/ffffffffffffffffffffffff").status_code == 404
    assert api.get("/nowhere").status_code == 404
    me = api.district_get(A, "/v3.0/me").json()
    assert me["type"] == "district" and me["data"] == {"id": A, "type": "district"}


def test_events_cursor_seed_and_unknown_cursor(api, dataset):
    seed = api.district_get(A, "/v3.0/events?ending_before=last&limit=1").json()
    assert len(seed["data"]) == 1
    last_id = seed["data"][0]["data"]["id"]
    assert api.district_get(A, f"/v3.0/events?starting_after={last_id}").json()["data"] == []
    assert api.district_get(A, "/v3.0/events?starting_after=ffffffffffffffffffffffff").status_code == 404
