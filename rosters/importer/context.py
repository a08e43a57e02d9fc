"""What one import run carries from phase to phase: scope, id maps, counts and issues."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from classhub.clever.client import DistrictAPI
from classhub.clever.parsing import UnusableRecord
from rosters.models import ImportIssue, ImportRun


@dataclass
class ImportContext:
    run: ImportRun
    api: DistrictAPI
    approved_school_ids: set[str]
    page_limit: int = 1000
    on_progress: Callable[[ImportRun], None] | None = None
    school_pks: dict[str, int] = field(default_factory=dict)
    term_pks: dict[str, int] = field(default_factory=dict)
    course_pks: dict[str, int] = field(default_factory=dict)
    student_pks: dict[str, int] = field(default_factory=dict)
    educator_pks: dict[str, int] = field(default_factory=dict)
    counts: Counter = field(default_factory=Counter)
    pending_issues: list[ImportIssue] = field(default_factory=list)

    @property
    def district(self):
        return self.run.district

    def issue(self, *, kind: str, clever_id: str, problem: UnusableRecord) -> None:
        """Keep an unusable record as an issue row; it is written with the page it came in."""
        self.pending_issues.append(
            ImportIssue(
                run=self.run,
                kind=kind,
                clever_id=clever_id[:64],
                field=problem.field[:64],
                message=problem.message,
                suggested_fix=problem.suggested_fix,
            )
        )

    def flush_issues(self) -> None:
        """Write the issues gathered so far (call inside the page's transaction)."""
        if self.pending_issues:
            ImportIssue.objects.bulk_create(self.pending_issues)
            self.counts["issues"] += len(self.pending_issues)
            self.pending_issues = []
