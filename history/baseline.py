"""The first history event of rows that existed before their table's history began.

A change's old values are read from the object's previous event. A database that
held data before history was switched on gets one "baseline" event per existing row,
so the first change made afterwards still shows what it replaced. On a new database
the tables are empty and nothing is written.
"""

import json

BASELINE_LABEL = "baseline"
BASELINE_REASON = "History begins: the record as it stood when history tracking was switched on"


def record_baseline(*event_models):
    """A RunPython function writing a baseline event for every row of the tracked tables.

    Each argument is "app_label.EventModel" of an event model tracking a table.
    """

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        context = json.dumps({"reason": BASELINE_REASON})
        for label in event_models:
            event_model = apps.get_model(label)
            obj = event_model._meta.get_field("pgh_obj")
            tracked = obj.related_model._meta
            tracked_columns = {f.column for f in tracked.concrete_fields}
            columns = [
                f.column
                for f in event_model._meta.concrete_fields
                if not f.name.startswith("pgh_") and f.column in tracked_columns
            ]
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"INSERT INTO {connection.ops.quote_name(event_model._meta.db_table)} "
                    f"(pgh_created_at, pgh_label, pgh_context, pgh_obj_id, {quoted}) "
                    f"SELECT NOW(), %s, %s::jsonb, {connection.ops.quote_name(tracked.pk.column)}, "
                    f"{quoted} FROM {connection.ops.quote_name(tracked.db_table)}",
                    [BASELINE_LABEL, context],
                )

    return forwards
