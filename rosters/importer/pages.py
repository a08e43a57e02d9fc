"""Reading Clever lists for a full sync: pages fetched one ahead, each with the id range it covers."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from classhub.clever.client import DistrictAPI
from rosters.importer.writer import Existing

if TYPE_CHECKING:
    from rosters.importer.context import ImportContext

_END = object()


class _Failure:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def prefetched(pages: Iterator[Any]) -> Iterator[Any]:
    """Iterate ``pages`` in a background thread, one page ahead.

    While this process writes page n, Clever is already producing page n+1, so reading and writing
    overlap instead of taking turns. Errors surface in the caller, at the page where they happened.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for page in pages:
                if not put(page):
                    return
            put(_END)
        except BaseException as exc:  # noqa: BLE001  (handed to the consumer, which re-raises it)
            put(_Failure(exc))

    thread = threading.Thread(target=produce, name="clever-prefetch", daemon=True)
    thread.start()
    try:
        while True:
            item = handoff.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()  # the consumer stopped early (an error while writing): let the reader go


def item_id(item: Any) -> str | None:
    """The id as Clever sent it (and sorted it); record_id() decides whether it is usable."""
    raw = item.get("id") if isinstance(item, dict) else None
    return raw if isinstance(raw, str) and raw else None


def pages_with_ranges(api: DistrictAPI, path: str, *, limit: int) -> Iterator[tuple[list, str | None, str | None]]:
    """Yield (page, after, upto): the page covers the ids after < id <= upto (Clever sorts by id).

    A last, empty page covers everything after the highest id, so what is stored there counts as unseen.
    """
    after: str | None = None
    for page in prefetched(api.iter_pages(path, limit=limit)):
        ids = [i for i in map(item_id, page) if i is not None]
        # No usable id yet: "" ends an empty range (every id is greater), so nothing counts as unseen.
        upto = max([*ids, after] if after is not None else ids, default="")
        yield page, after, upto
        after = upto
    yield [], after, None  # everything stored beyond the last id was not sent


def split_unchanged(
    page: list, existing: Sequence[dict[str, Existing]], ctx: ImportContext
) -> tuple[list, list[set[str]]]:
    """Set aside the objects whose stored record (in any of the ``existing`` maps) has the same digest.

    Returns the objects still to build and write, and per map the ids found unchanged. This is what
    makes a sync with nothing new cheap: an unchanged object is hashed, never parsed into rows.
    """
    todo: list = []
    unchanged: list[set[str]] = [set() for _ in existing]
    for obj in page:
        clever_id = item_id(obj)
        if clever_id is not None:
            digest = ctx.source(obj)
            for found, stored in zip(unchanged, existing, strict=True):
                record = stored.get(clever_id)
                if record is not None and not record.archived and record.digest == digest:
                    found.add(clever_id)
                    break
            else:
                todo.append(obj)
        else:
            todo.append(obj)  # no usable id: the builder turns it into an issue
    return todo, unchanged
