"""The staff groups of the review console, kept in place after every migrate (and every test flush).

Migration 0004 creates them on a fresh database; this keeps them there when a flush empties the
tables (as tests that use real transactions do) and brings their permissions up to date.
"""

from __future__ import annotations

import importlib

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

_groups_migration = importlib.import_module("onboarding.migrations.0004_review_groups")


def groups_ensure(**_kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0)  # normally created per app after its migrate; needed here now
    for group_name, spec in _groups_migration.GROUPS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        wanted = [
            Permission.objects.get(
                content_type__app_label=app_label, codename=_groups_migration.codename(action, model)
            )
            for app_label, models in spec.items()
            for model, actions in models.items()
            for action in actions
        ]
        group.permissions.set(wanted)
