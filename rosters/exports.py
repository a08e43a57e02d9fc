"""CSV downloads of roster data, streamed so a run with many issues never sits in memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from classhub.csv_files import with_excel_bom
from rosters.models import ImportIssue, ImportRun

ISSUE_COLUMNS = ["kind", "clever_id", "field", "message", "suggested_fix"]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer over a stream."""

    def write(self, value: str) -> str:
        return value


def _safe(value: str) -> str:
    # A cell starting with = + - @ would run as a formula in a spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def import_issues_rows(run: ImportRun) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(ISSUE_COLUMNS)
    issues = ImportIssue.objects.filter(run=run).order_by("id").values_list(*ISSUE_COLUMNS)
    for row in issues.iterator(chunk_size=2000):
        yield writer.writerow([_safe(str(value)) for value in row])


def import_issues_csv(run: ImportRun) -> StreamingHttpResponse:
    """The issues of one import run as a CSV download."""
    response = StreamingHttpResponse(with_excel_bom(import_issues_rows(run)), content_type="text/csv; charset=utf-8")
    filename = f"import-{run.pk}-issues-{run.district.clever_id}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
