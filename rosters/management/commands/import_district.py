import sys
import time

from django.core.management.base import BaseCommand, CommandError

from classhub.errors import ClassHubError
from onboarding.models import District
from rosters.importer import PHASES
from rosters.models import ImportRun, ImportStatus
from rosters.services import import_run_create, import_run_execute


class TerminalProgress:
    """One self-rewriting line: a bar (when the run has an estimate), the phase, records read, rate, time left.

    The estimate comes from the previous run or the review's dry run; Clever's API gives no totals.
    """

    BAR_WIDTH = 24

    def __init__(self, stream) -> None:
        self.stream = stream
        self.started = time.monotonic()
        self.interactive = stream.isatty()
        self.last_phase = ""
        self.done = 0
        self.phase_numbers = {phase: n for n, (phase, _importer) in enumerate(PHASES, start=1)}

    def line(self, run: ImportRun) -> str:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        step = self.phase_numbers.get(run.phase)
        where = f"[{step}/{len(PHASES)}]" if step else "[   ]"
        rate = run.done / elapsed
        text = f"{where} {run.get_phase_display():<30} {run.done:>10,} records {rate:>8,.0f}/s"
        if run.estimated_total:
            fraction = min(1.0, run.done / run.estimated_total)
            filled = int(fraction * self.BAR_WIDTH)
            bar = "#" * filled + "-" * (self.BAR_WIDTH - filled)
            left = (run.estimated_total - run.done) / rate if rate and run.done < run.estimated_total else 0
            text = f"[{bar}] {fraction:4.0%} " + text + f"  ~{int(left // 60)}:{int(left % 60):02d} left"
        return text

    def __call__(self, run: ImportRun) -> None:
        if self.interactive:
            self.stream.write(f"\r{self.line(run)}")
            self.stream.flush()
        elif run.phase != self.last_phase:
            # In a log, one line as each phase starts, with what was read before it.
            self.stream.write(f"{self.line(run)}\n")
        self.last_phase = run.phase
        self.done = run.done

    def close(self) -> None:
        elapsed = time.monotonic() - self.started
        prefix = "\n" if self.interactive else ""
        self.stream.write(f"{prefix}Read {self.done:,} records from Clever in {elapsed:,.1f}s.\n")


class Command(BaseCommand):
    help = "Import a district's approved schools from Clever now, in the foreground, with progress."

    def add_arguments(self, parser):
        parser.add_argument("clever_district_id", help="The district's Clever id (24 hex characters).")

    def handle(self, *args, clever_district_id: str, **options):
        district = District.objects.filter(clever_id=clever_district_id.strip()).first()
        if district is None:
            raise CommandError(
                f"No district with Clever id {clever_district_id!r}. Run sync_clever_connections first, "
                "or check the id in the admin."
            )
        try:
            run = import_run_create(district=district)
        except ClassHubError as exc:
            raise CommandError(str(exc)) from exc
        progress = TerminalProgress(sys.stderr)
        try:
            run = import_run_execute(run_id=run.pk, on_progress=progress)
        finally:
            progress.close()
        if run.status != ImportStatus.SUCCEEDED:
            raise CommandError(f"Import #{run.pk} failed: {run.error}")
        counts = ", ".join(f"{n:,} {kind}" for kind, n in run.counts.items())
        self.stdout.write(self.style.SUCCESS(f"Import #{run.pk} of {district.name} succeeded: {counts}"))
