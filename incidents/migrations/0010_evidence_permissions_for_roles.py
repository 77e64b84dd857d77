"""Give the editorial roles the evidence records: intermediaries, media, identifiers, captures."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PARTS = [("incidents", "claimvia"), ("incidents", "media"), ("incidents", "incidentidentifier")]
RESEARCHER = [
    *[(app, f"{action}_{model}") for app, model in PARTS for action in ("view", "add", "change")],
    ("incidents", "delete_claimvia"),
    ("incidents", "delete_incidentidentifier"),
    ("sources", "view_capture"),
]
EDITOR = [*RESEARCHER, ("incidents", "delete_media")]


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in (("Researcher", RESEARCHER), ("Editor", EDITOR)):
        group = Group.objects.get(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    administrator = Group.objects.get(name="Administrator")
    administrator.permissions.add(
        *Permission.objects.filter(content_type__app_label__in=["incidents", "sources"])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_track_claim_revisions"),
        ("sources", "0005_merge_captures_and_history"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
