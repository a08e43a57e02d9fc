from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from classhub.clever.sandbox.demo import demo_districts
from onboarding.models import District, RolloutPlanSchool

DEMO_REP_USERNAME = "rep"
DEMO_REP_PASSWORD = "classhub-demo"  # noqa: S105  (local demo only; refused in production)


class Command(BaseCommand):
    help = (
        "Local demo only: create the rep login and record what the rep knows of the three sandbox "
        "districts before they connect (purchase status Clever notified, rollout plans)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="the sandbox's --seed")

    @transaction.atomic
    def handle(self, *args, seed: int, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_setup creates a known password; it never runs with CLASSHUB_ENV=production.")
        user_model = get_user_model()
        rep, created = user_model.objects.get_or_create(
            username=DEMO_REP_USERNAME,
            defaults={"is_staff": True, "is_superuser": True, "first_name": "Demo rep"},
        )
        if created:
            rep.set_password(DEMO_REP_PASSWORD)
            rep.save()
        for spec in demo_districts(seed):
            district, _ = District.objects.get_or_create(clever_id=spec["clever_id"], defaults={"name": spec["name"]})
            district.purchase_status = spec["purchase_status"]
            district.sharing_type = spec["sharing_type"]
            district.save(update_fields=["purchase_status", "sharing_type", "updated_at"])
            for school in spec["rollout_plan"]:
                RolloutPlanSchool.objects.get_or_create(
                    district=district, name=school["name"], defaults={"nces_id": school.get("nces_id") or ""}
                )
            self.stdout.write(f"  demo district ready: {district.name} ({district.clever_id})")
        self.stdout.write(self.style.SUCCESS(f"Demo rep login: {DEMO_REP_USERNAME} / {DEMO_REP_PASSWORD}"))
