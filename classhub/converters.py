"""URL converters shared by the apps."""

from __future__ import annotations


class DatabaseId:
    """A primary key in a URL: up to 18 digits, so a forged 30-digit id is a 404, never an integer overflow
    in the database driver (SQLite and PostgreSQL keys are 64-bit)."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)
