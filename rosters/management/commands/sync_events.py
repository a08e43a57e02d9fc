from django.core.management.base import BaseCommand, CommandError

from onboarding.models import District
from rosters.services import events_sync


class Command(BaseCommand):
    help = "Apply a district's new Clever events now (incremental sync), page by page."

    def add_arguments(self, parser):
        parser.add_argument("clever_district_id", help="The district's Clever id (24 hex characters).")

    def handle(self, *args, clever_district_id: str, **options):
        district = District.objects.filter(clever_id=clever_district_id.strip()).first()
        if district is None:
            raise CommandError(f"No district with Clever id {clever_district_id!r}; check the id in the admin.")
        result = events_sync(district=district)
        line = f"{district.name}: {result.status}, {result.applied:,} events in {result.pages:,} page(s)"
        if result.message:
            line += f" — {result.message}"
        if result.status in ("failed", "disconnected"):
            raise CommandError(line)
        self.stdout.write(self.style.SUCCESS(line))
