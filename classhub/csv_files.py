"""What every CSV download shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator


def with_excel_bom(lines: Iterable[str]) -> Iterator[str]:
    """The CSV's lines after a UTF-8 byte order mark: without it Excel reads UTF-8 as the local code page, and
    names like "Zoë" or the dashes of the fixes come out garbled for the SIS team."""
    yield "\ufeff"
    yield from lines
