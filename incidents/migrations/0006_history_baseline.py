from django.db import migrations

from history.baseline import record_baseline


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_workflow_versions_history_and_guards")]

    operations = [
        migrations.RunPython(
            record_baseline(
                "incidents.IncidentEvent",
                "incidents.ClaimEvent",
                "incidents.FigureEvent",
                "incidents.DenialEvent",
            ),
            migrations.RunPython.noop,
        )
    ]
