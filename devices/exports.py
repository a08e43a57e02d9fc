"""The students who are not ready, as a CSV for the district's SIS team, streamed row by row."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from django.http import StreamingHttpResponse

from classhub.csv_files import with_excel_bom
from devices.selectors import device_setups, readiness_fix, students_not_ready
from onboarding.models import District

COLUMNS = ["Clever id", "SIS id", "Name", "School", "Grade", "Email", "Reason", "Fix"]


class _Echo:
    """A file-like object whose write returns the line, for csv.writer over a stream."""

    def write(self, value: str) -> str:
        return value


def _safe(value: str) -> str:
    # A cell starting with = + - @ (or a tab or carriage return before one) would run as a formula in a
    # spreadsheet (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def not_ready_rows(district: District) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    setups = device_setups(district=district)
    for row in students_not_ready(district=district).iterator(chunk_size=2000):
        student = row.student
        fix = readiness_fix(row, setups.get(row.school_id) or setups.get(None))
        values = [
            student.clever_id,
            student.sis_id,
            str(student) if str(student) != student.clever_id else "",
            row.school.name,
            student.grade,
            student.email,
            row.get_reason_display(),
            f"{fix.problem} {fix.fix} {fix.consequence}",
        ]
        yield writer.writerow([_safe(str(v)) for v in values])


def not_ready_csv(district: District) -> StreamingHttpResponse:
    """Every student of the district who is not ready (one row per student and school), as a download."""
    response = StreamingHttpResponse(with_excel_bom(not_ready_rows(district)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="device-readiness-{district.clever_id}.csv"'
    return response
