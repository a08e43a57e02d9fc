"""Create the two staff groups of the review console with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REP_PERMISSIONS = {
    "onboarding": {
        "district": ["view", "change", "review_district", "schedule_onboarding", "resync_district", "go_live"],
        "sharingrequest": ["view", "change"],
        "schooldecision": ["view"],
        "rolloutplanschool": ["view", "add", "change", "delete"],
        "onboardingsession": ["view"],
        "auditevent": ["view"],
        "emaillog": ["view"],
        "sharedschool": ["view"],
    },
    "rosters": {
        "importrun": ["view"],
        "importissue": ["view"],
        "school": ["view"],
        "section": ["view"],
        "student": ["view"],
    },
}
GROUPS = {
    "Onboarding reps": REP_PERMISSIONS,
    # Support reads everything the reps see and changes nothing.
    "Support": {app: {model: ["view"] for model in models} for app, models in REP_PERMISSIONS.items()},
}


def codename(action: str, model: str) -> str:
    return f"{action}_{model}" if action in {"view", "add", "change", "delete"} else action


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; create them now so the groups can hold them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, spec in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = []
        for app_label, models in spec.items():
            for model, actions in models.items():
                for action in actions:
                    wanted.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=codename(action, model))
                    )
        group.permissions.set(wanted)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("onboarding", "0003_journey_emails_sessions"),
        ("rosters", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
