from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from classhub.clever.sandbox.demo import demo_districts
from onboarding.models import District, RolloutPlanSchool

DEMO_REP_USERNAME = "rep"
DEMO_SUPPORT_USERNAME = "support"
DEMO_PASSWORD = "classhub-demo"  # noqa: S105  (local demo only; refused in production)


class Command(BaseCommand):
    help = (
        "Local demo only: create the rep and support logins and record what the rep knows of the three "
        "sandbox districts before they connect (purchase status Clever notified, sharing type, rollout plans)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=1, help="the sandbox's --seed")

    @transaction.atomic
    def handle(self, *args, seed: int, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_setup creates a known password; it never runs with CLASSHUB_ENV=production.")
        # Reps work from their group's permissions, not as superusers; support can only look.
        self._demo_staff(DEMO_REP_USERNAME, "Demo rep", "Onboarding reps")
        self._demo_staff(DEMO_SUPPORT_USERNAME, "Demo support", "Support")
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
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo logins: {DEMO_REP_USERNAME} / {DEMO_PASSWORD} (rep), "
                f"{DEMO_SUPPORT_USERNAME} / {DEMO_PASSWORD} (support, read-only)"
            )
        )

    def _demo_staff(self, username: str, first_name: str, group_name: str) -> None:
        user, created = get_user_model().objects.get_or_create(username=username, defaults={"first_name": first_name})
        user.is_staff = True
        user.is_superuser = False
        if created:
            user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=group_name)])
