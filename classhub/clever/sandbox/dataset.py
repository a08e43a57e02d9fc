"""In-memory Clever data (v3.0 object shapes) and what each district's token may see."""

from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime

KINDS = ("districts", "schools", "users", "sections", "terms", "courses")
ROLES = ("student", "teacher", "staff", "district_admin", "contact")
FILES = tuple(f"{kind}.json" for kind in KINDS) + ("events.json",)


class DatasetError(Exception):
    """A dataset folder or file that cannot be used; the message starts with the file name."""


def now_iso() -> str:
    """Current UTC time in Clever's ISO 8601 form with milliseconds and Z."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def user_school_ids(user: dict) -> set[str]:
    """Schools a user belongs to through student, teacher or staff roles."""
    roles = user.get("roles") or {}
    found: set[str] = set()
    for role in ("student", "teacher", "staff"):
        info = roles.get(role)
        if not isinstance(info, dict):
            continue
        found.update(s for s in (info.get("schools") or []) if s)
        # staff has no singular school in Clever, but a stray one costs nothing to honour
        if info.get("school"):
            found.add(info["school"])
    return found


def has_role(user: dict, role: str) -> bool:
    """True when the user holds the given Clever role."""
    return isinstance((user.get("roles") or {}).get(role), dict)


def event_kind(event_type: str) -> str:
    """'users.updated' -> 'users'."""
    return event_type.split(".", 1)[0]


@dataclass
class SandboxDataset:
    """All Clever objects of the sandbox plus which schools each district shares."""

    districts: dict[str, dict] = field(default_factory=dict)
    schools: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    sections: dict[str, dict] = field(default_factory=dict)
    terms: dict[str, dict] = field(default_factory=dict)
    courses: dict[str, dict] = field(default_factory=dict)
    events: list[dict] = field(default_factory=list)
    shared_schools: dict[str, set[str]] = field(default_factory=dict)
    # event id -> district that may read it ("" = nobody); events absent here are
    # attributed to their object's district
    event_audience: dict[str, str] = field(default_factory=dict, repr=False)
    _cache: dict = field(default_factory=dict, repr=False, compare=False)

    # ----- reading -------------------------------------------------------

    def collection(self, kind: str) -> dict[str, dict]:
        """The id -> object dict for one kind."""
        if kind not in KINDS:
            raise KeyError(kind)
        return getattr(self, kind)

    def invalidate(self) -> None:
        """Forget cached visibility; call after mutating the dicts directly."""
        self._cache.clear()

    def visible(self, district_id: str, kind: str, role: str | None = None) -> list[dict]:
        """Objects of a kind that the district's token sees, sorted by id."""
        return self._visible_index(district_id, kind, role)[0]

    def visible_ids(self, district_id: str, kind: str, role: str | None = None) -> list[str]:
        """Sorted ids matching visible()."""
        return self._visible_index(district_id, kind, role)[1]

    def is_visible(self, district_id: str, kind: str, obj_id: str) -> bool:
        """True when the district's token may read that object."""
        return obj_id in self._visible_index(district_id, kind, None)[2]

    def _visible_index(self, district_id: str, kind: str, role: str | None):
        """Cached (objects, ids, id set) so paging large districts stays cheap."""
        key = (district_id, kind, role)
        hit = self._cache.get(key)
        if hit is None:
            if role is not None:
                objs = [u for u in self._visible_index(district_id, kind, None)[0] if has_role(u, role)]
            else:
                objs = sorted(self._compute_visible(district_id, kind), key=lambda o: o["id"])
            ids = [o["id"] for o in objs]
            hit = self._cache[key] = (objs, ids, set(ids))
        return hit

    def _compute_visible(self, district_id: str, kind: str) -> list[dict]:
        """Uncached visibility rules for one kind."""
        shared = self.shared_schools.get(district_id, set())
        if kind == "districts":
            d = self.districts.get(district_id)
            return [d] if d else []
        if kind == "schools":
            return [s for sid, s in self.schools.items() if sid in shared and s.get("district") == district_id]
        if kind == "users":
            return [
                u for u in self.users.values() if u.get("district") == district_id and self._user_visible(u, shared)
            ]
        if kind == "sections":
            return [s for s in self.sections.values() if s.get("district") == district_id and s.get("school") in shared]
        if kind in ("terms", "courses"):
            return [o for o in self.collection(kind).values() if o.get("district") == district_id]
        if kind == "events":
            return [e for e in self.events if self.event_district(e) == district_id]
        raise KeyError(kind)

    @staticmethod
    def _user_visible(user: dict, shared: set[str]) -> bool:
        """District admins and contacts are district-wide; others need a shared school."""
        if has_role(user, "district_admin") or has_role(user, "contact"):
            return True
        return bool(user_school_ids(user) & shared)

    def event_district(self, event: dict) -> str:
        """District allowed to read an event ('' when none)."""
        if event.get("id") in self.event_audience:
            return self.event_audience[event["id"]]
        obj = (event.get("data") or {}).get("object") or {}
        if event_kind(event.get("type", "")) == "districts":
            return obj.get("id", "")
        return obj.get("district", "")

    def event_ids(self) -> set[str]:
        """Ids of every event, whoever may read it."""
        return {e["id"] for e in self.events}

    # ----- changing ------------------------------------------------------

    def _next_event_id(self) -> str:
        """An id sorting after every existing event, so id order is time order."""
        tops = [int(e["id"], 16) for e in self.events if _is_hex(e.get("id", ""))]
        return f"{max(tops, default=0x650000000000000000000000) + 1:024x}"

    def _append_event(self, event_type: str, obj: dict, previous: dict | None, audience: str) -> dict:
        """Record one event for one district."""
        event = {
            "id": self._next_event_id(),
            "created": now_iso(),
            "type": event_type,
            "data": {"object": copy.deepcopy(obj)},
        }
        if event_type.endswith(".updated"):
            event["data"]["previous_attributes"] = copy.deepcopy(previous or {})
        self.events.append(event)
        self.event_audience[event["id"]] = audience
        self._cache.clear()
        return event

    def add_event(self, type: str, obj: dict, previous: dict | None = None) -> dict:
        """Apply a created/updated/deleted change to the data and record its event.

        *.created / *.updated store obj (replacing any object with that id), *.deleted
        removes it. The event is readable by the object's district if that district can
        see the object (before the change for deletions, after it otherwise).
        """
        kind, _, action = type.partition(".")
        if kind not in KINDS or action not in ("created", "updated", "deleted"):
            raise ValueError(f"unknown event type {type!r}")
        if not isinstance(obj, dict) or not obj.get("id"):
            raise ValueError("event object needs an 'id'")
        district = obj["id"] if kind == "districts" else obj.get("district", "")
        coll = self.collection(kind)
        if action == "deleted":
            seen = bool(district) and self.is_visible(district, kind, obj["id"])
            coll.pop(obj["id"], None)
        else:
            coll[obj["id"]] = copy.deepcopy(obj)  # later edits by the caller must not leak in
            self._cache.clear()
            seen = bool(district) and self.is_visible(district, kind, obj["id"])
        self._cache.clear()
        return self._append_event(type, obj, previous, district if seen else "")

    def share(self, district_id: str, school_ids) -> list[dict]:
        """Replace the schools a district shares; emit created/deleted events; return them."""
        if district_id not in self.districts:
            raise ValueError(f"unknown district {district_id}")
        new = set(school_ids)
        foreign = sorted(s for s in new if self.schools.get(s, {}).get("district") != district_id)
        if foreign:
            raise ValueError(f"not schools of district {district_id}: {', '.join(foreign)}")
        before = {
            k: dict(zip(self.visible_ids(district_id, k), self.visible(district_id, k), strict=True))
            for k in ("schools", "users", "sections")
        }
        self.shared_schools[district_id] = new
        self._cache.clear()
        after = {
            k: dict(zip(self.visible_ids(district_id, k), self.visible(district_id, k), strict=True))
            for k in ("schools", "users", "sections")
        }
        emitted = []
        # parents first when appearing, children first when disappearing
        for kind in ("schools", "users", "sections"):
            for oid in sorted(set(after[kind]) - set(before[kind])):
                emitted.append(self._append_event(f"{kind}.created", after[kind][oid], None, district_id))
        for kind in ("sections", "users", "schools"):
            for oid in sorted(set(before[kind]) - set(after[kind])):
                emitted.append(self._append_event(f"{kind}.deleted", before[kind][oid], None, district_id))
        return emitted

    def summary(self) -> dict:
        """Counts per district, for banners and the sandbox overview."""
        out = {}
        for did in sorted(self.districts):
            out[did] = {
                "name": self.districts[did].get("name", ""),
                "shared_schools": sorted(self.shared_schools.get(did, set())),
                **{k: len(self.visible_ids(did, k)) for k in KINDS[1:] + ("events",)},
            }
        return out


def _is_hex(value: str) -> bool:
    """True for a non-empty hexadecimal string."""
    try:
        int(value, 16)
        return True
    except (TypeError, ValueError):
        return False


# ----- loading a folder -------------------------------------------------------


def _read_json(path: str, name: str):
    """Parse one file, turning every failure into a DatasetError naming it."""
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{name}: cannot read ({exc})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{name}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def _page_items(page: dict, name: str, page_no: int | None) -> list:
    """The inner objects of one Clever list response."""
    where = f" page {page_no}" if page_no is not None else ""
    data = page.get("data")
    if not isinstance(data, list):
        raise DatasetError(f"{name}:{where} expected a 'data' list")
    items = []
    for i, wrapped in enumerate(data):
        if not isinstance(wrapped, dict) or not isinstance(wrapped.get("data"), dict):
            raise DatasetError(f"{name}:{where} item {i} is not {{'data': {{...}}, 'uri': ...}}")
        items.append(wrapped["data"])
    return items


def _extract_objects(raw, name: str) -> list[dict]:
    """Accept a list response, a list of list responses, or a plain list of objects."""
    if isinstance(raw, dict):
        items = _page_items(raw, name, None)
    elif isinstance(raw, list):
        if raw and all(isinstance(p, dict) and isinstance(p.get("data"), list) for p in raw):
            items = [obj for n, page in enumerate(raw) for obj in _page_items(page, name, n)]
        else:
            items = raw
    else:
        raise DatasetError(f"{name}: expected a Clever list response or a JSON list, got {type(raw).__name__}")
    for i, obj in enumerate(items):
        if not isinstance(obj, dict):
            raise DatasetError(f"{name}: item {i} is not an object")
        if "id" in obj and obj["id"] and not isinstance(obj["id"], str):
            raise DatasetError(f"{name}: item {i} has an 'id' that is not a string ({obj['id']!r})")
        if not obj.get("id") or not isinstance(obj["id"], str):
            raise DatasetError(f"{name}: item {i} has no 'id'")
        _check_references(obj, name, i)
    return items


def _check_references(obj: dict, name: str, index: int) -> None:
    """The fields the sandbox decides sharing by must be ids (strings); other fields may be anything."""
    where = f"{name}: item {index} ({obj['id']})"

    def one(value, field_name: str) -> None:
        if value is not None and not isinstance(value, str):
            raise DatasetError(f"{where}: '{field_name}' must be an id string, got {type(value).__name__}")

    def many(value, field_name: str) -> None:
        if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            raise DatasetError(f"{where}: '{field_name}' must be a list of id strings")

    one(obj.get("district"), "district")
    if name == "sections.json":
        one(obj.get("school"), "school")
        one(obj.get("teacher"), "teacher")
        many(obj.get("students"), "students")
        many(obj.get("teachers"), "teachers")
    roles = obj.get("roles")
    if name == "users.json" and isinstance(roles, dict):
        for role_name, role in roles.items():
            if isinstance(role, dict):
                one(role.get("school"), f"roles.{role_name}.school")
                many(role.get("schools"), f"roles.{role_name}.schools")


def load_folder(path) -> SandboxDataset:
    """Load Clever list files from a folder; the folder's schools are all shared."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        raise DatasetError(f"{os.path.basename(path) or path}: not a readable directory ({path})")
    try:
        present = set(os.listdir(path))
    except OSError as exc:
        raise DatasetError(f"{os.path.basename(path) or path}: cannot list directory ({exc})") from None
    ds = SandboxDataset()
    for kind in KINDS:
        name = f"{kind}.json"
        if name in present:
            for obj in _extract_objects(_read_json(os.path.join(path, name), name), name):
                ds.collection(kind)[obj["id"]] = obj
    if "events.json" in present:
        events = _extract_objects(_read_json(os.path.join(path, "events.json"), "events.json"), "events.json")
        for i, ev in enumerate(events):
            if not isinstance(ev.get("type"), str) or not isinstance((ev.get("data") or {}).get("object"), dict):
                raise DatasetError(f"events.json: item {i} needs 'type' and 'data.object'")
        ds.events = sorted(events, key=lambda e: e["id"])
    _synthesize_districts(ds)
    for sid, school in ds.schools.items():
        ds.shared_schools.setdefault(school.get("district", ""), set()).add(sid)
    ds.shared_schools.pop("", None)
    for did in ds.districts:
        ds.shared_schools.setdefault(did, set())
    return ds


def _synthesize_districts(ds: SandboxDataset) -> None:
    """Add a minimal district for ids that objects reference but no file describes."""
    for kind in ("schools", "users", "sections", "terms", "courses"):
        for obj in ds.collection(kind).values():
            did = obj.get("district")
            if isinstance(did, str) and did and did not in ds.districts:
                ds.districts[did] = {"id": did, "name": f"District {did}"}


def list_response(kind: str, objects: list[dict]) -> dict:
    """A single-page Clever list response for a kind (what load_folder reads back)."""
    return {
        "data": [{"data": o, "uri": f"/v3.0/{kind}/{o['id']}"} for o in objects],
        "links": [{"rel": "self", "uri": f"/v3.0/{kind}"}],
    }
