"""The three editorial roles, as groups with their permissions.

- Researcher: enters and edits drafts (incidents, claims, figures, denials, sources,
  reports) and submits them for review; cannot publish or change published material.
- Editor: everything a researcher does, plus reviewing, publishing, unpublishing and
  withdrawing incidents, correcting published ones and setting the assessment.
- Administrator: every permission on the application's records and on user accounts.

Running it again (or after new permissions appear) brings the groups up to date.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITING = [
    f"{app}.{action}_{model}"
    for app, model in [
        ("incidents", "incident"),
        ("incidents", "claim"),
        ("incidents", "figure"),
        ("incidents", "denial"),
        ("sources", "source"),
        ("sources", "report"),
    ]
    for action in ("view", "add", "change")
]
RESEARCHER = [
    *EDITING,
    "incidents.delete_claim",
    "incidents.delete_figure",
    "incidents.delete_denial",
    "incidents.view_casualtycategory",
    "incidents.view_correction",
]
EDITOR = [
    *RESEARCHER,
    "incidents.publish_incident",
    "incidents.review_incident",
    "incidents.set_assessment",
    "incidents.delete_incident",
    "incidents.add_casualtycategory",
    "incidents.change_casualtycategory",
    "sources.delete_source",
    "sources.delete_report",
]
ROLES = {"Researcher": RESEARCHER, "Editor": EDITOR}
ADMINISTRATOR_APPS = ["incidents", "sources", "auth"]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(labels):
        wanted = {tuple(label.split(".")) for label in labels}
        found = [
            p
            for p in Permission.objects.select_related("content_type")
            if (p.content_type.app_label, p.codename) in wanted
        ]
        missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
        if missing:
            raise RuntimeError(f"Missing permissions for the editorial roles: {sorted(missing)}")
        return found

    for name, labels in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions(labels))
    administrator, _ = Group.objects.get_or_create(name="Administrator")
    administrator.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMINISTRATOR_APPS)
    )


def remove_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[*ROLES, "Administrator"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0006_history_baseline"),
        ("sources", "0004_history_baseline"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
