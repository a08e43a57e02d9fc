"""Tolerant parsing of Clever objects into the plain values we store.

Clever data is messy: optional fields go missing or arrive null or of the wrong type, and enums
grow new values. Parsing never crashes on such input: an unusable record raises
``UnusableRecord`` naming the field and the fix, and the importer turns it into an issue row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any


class UnusableRecord(ValueError):  # noqa: N818  (a record problem, reported as an issue row)
    """A Clever record that cannot be stored; the import goes on without it."""

    def __init__(self, *, field: str, message: str, suggested_fix: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.suggested_fix = suggested_fix


def text(value: Any, max_length: int = 255) -> str:
    """Any scalar as a trimmed string cut to the column's length; containers and null become ''."""
    if type(value) is str:  # the common case first: this runs for every field of a million records
        return value.replace("\x00", "").strip()[:max_length]  # PostgreSQL cannot store NUL
    if value is None or isinstance(value, dict | list | tuple | set):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\x00", "").strip()[:max_length]


def mapping(value: Any) -> dict[str, Any]:
    """A nested object, or {} when it is missing or not an object."""
    return value if isinstance(value, dict) else {}


def id_list(value: Any) -> list[str]:
    """A list of Clever ids, skipping anything that is not a non-empty string."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return []
    return [item.strip() for item in value if isinstance(item, str) and item.strip()]


def date_value(value: Any) -> dt.date | None:
    """A date from Clever's ISO date or datetime strings; anything else is None."""
    raw = text(value, 40)
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


MAX_ID_LENGTH = 64


def record_id(obj: Any) -> str:
    """The Clever id of a record, or UnusableRecord when it has none."""
    if not isinstance(obj, dict):
        raise UnusableRecord(
            field="", message="The record is not an object.", suggested_fix="Report this record to Clever Support."
        )
    raw = obj.get("id")
    if not isinstance(raw, str) or not raw.strip():
        raise UnusableRecord(
            field="id", message="The record has no Clever id.", suggested_fix="Report this record to Clever Support."
        )
    clever_id = raw
    if clever_id != clever_id.strip() or any(ch.isspace() or ord(ch) < 32 for ch in clever_id):
        # Trimming it would change where it sorts in Clever's id order, which a sync relies on.
        raise UnusableRecord(
            field="id",
            message="The Clever id contains spaces or control characters.",
            suggested_fix="Report this record to Clever Support.",
        )
    if len(clever_id) > MAX_ID_LENGTH:
        # Cutting it would merge different records into one.
        raise UnusableRecord(
            field="id",
            message=f"The Clever id is {len(clever_id)} characters long; Clever ids are 24.",
            suggested_fix="Report this record to Clever Support.",
        )
    return clever_id


@dataclass(frozen=True)
class UserRoles:
    """Which roles a Clever user holds, with each role's own object."""

    student: dict[str, Any] | None
    teacher: dict[str, Any] | None
    staff: dict[str, Any] | None
    district_admin: dict[str, Any] | None

    @property
    def is_educator(self) -> bool:
        return any(role is not None for role in (self.teacher, self.staff, self.district_admin))


def user_roles(obj: dict[str, Any]) -> UserRoles:
    """The roles of a user; contacts and unknown roles are ignored (we never store contacts)."""
    roles = obj.get("roles")
    if not isinstance(roles, dict) or not roles:
        raise UnusableRecord(
            field="roles",
            message="The user has no roles, so ClassHub cannot tell a student from a teacher.",
            suggested_fix="Ask the district to check this user's role in their SIS.",
        )

    def role(name: str) -> dict[str, Any] | None:
        if roles.get(name) is None:
            return None
        if not isinstance(roles[name], dict):
            raise UnusableRecord(
                field=f"roles.{name}",
                message=f"The user's {name} role is not an object.",
                suggested_fix="Report this record to Clever Support.",
            )
        return roles[name]

    return UserRoles(
        student=role("student"),
        teacher=role("teacher"),
        staff=role("staff"),
        district_admin=role("district_admin"),
    )


def role_schools(role: dict[str, Any]) -> list[str]:
    """All school ids of a student or teacher role: ``schools`` plus the primary ``school``."""
    schools = id_list(role.get("schools"))
    primary = text(role.get("school"), 64)
    if primary and primary not in schools:
        schools.insert(0, primary)
    return schools


def person_name(obj: dict[str, Any]) -> dict[str, str]:
    """First, middle and last name; a name sent as a plain string is kept as the last name."""
    raw = obj.get("name")
    if isinstance(raw, str):
        return {"first_name": "", "middle_name": "", "last_name": text(raw)}
    name = mapping(raw)
    return {
        "first_name": text(name.get("first")),
        "middle_name": text(name.get("middle")),
        "last_name": text(name.get("last")),
    }
