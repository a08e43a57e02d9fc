"""The staff groups of the review console and what each may do, kept in place after every migrate.

Migration 0004 created them once; this module is the current spec. It runs after every migrate (and
after the flush of tests that use real transactions), so new models' permissions reach the groups
without a data migration per change.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

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
    "devices": {
        "devicesetup": ["view", "add", "change", "delete"],
        "setupdomain": ["view"],
        "devicekey": ["view", "add", "change"],
    },
    "helpcenter": {"helpfeedback": ["view"]},  # the "Did this help?" answers, read-only
}
GROUPS = {
    "Onboarding reps": REP_PERMISSIONS,
    # Support reads everything the reps see and changes nothing.
    "Support": {app: {model: ["view"] for model in models} for app, models in REP_PERMISSIONS.items()},
}


def codename(action: str, model: str) -> str:
    return f"{action}_{model}" if action in {"view", "add", "change", "delete"} else action


def groups_ensure(**_kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)  # normally created per app after its migrate; needed here now
    for group_name, spec in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename(action, model))
            for app_label, models in spec.items()
            for model, actions in models.items()
            for action in actions
        ]
        group.permissions.set(wanted)
