from django.core.management.base import BaseCommand, CommandError

from classhub.clever.errors import CleverError
from onboarding.services import connections_sync


class Command(BaseCommand):
    help = "Poll Clever's district-token list: open requests for new connections, mark removed ones."

    def handle(self, *args, **options):
        try:
            result = connections_sync()
        except CleverError as exc:
            raise CommandError(f"Could not list Clever connections: {exc}") from exc
        for clever_id in result.new:
            self.stdout.write(f"  new connection: {clever_id}")
        for clever_id in result.sharing_changed:
            self.stdout.write(f"  sharing changed: {clever_id} (see its sharing requests)")
        for clever_id in result.disconnected:
            self.stdout.write(f"  disconnected:   {clever_id}")
        for clever_id, why in result.failed.items():
            self.stderr.write(f"  failed:         {clever_id}: {why}")
        self.stdout.write(self.style.SUCCESS(f"Clever connections: {result.summary()}"))
