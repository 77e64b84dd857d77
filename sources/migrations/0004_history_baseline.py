from django.db import migrations

from history.baseline import record_baseline


class Migration(migrations.Migration):
    dependencies = [("sources", "0003_track_history")]

    operations = [
        migrations.RunPython(
            record_baseline("sources.SourceEvent", "sources.ReportEvent"),
            migrations.RunPython.noop,
        )
    ]
