"""A change to a source moves the data's version on too (incidents.models.DataChange).

The filters of the public list read sources (names, parents, protection), so the list
page's cache must see their changes however they are written, bulk updates and raw SQL
included. The trigger lives on the sources table but is the incidents app's concern.
"""

from django.db import migrations

FORWARD = """
CREATE FUNCTION incidents_note_source_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO incidents_datachange (changed_at) VALUES (NOW());
    RETURN NULL;
END;
$$;
CREATE TRIGGER incidents_note_source_change
    AFTER INSERT OR UPDATE OR DELETE ON sources_source
    FOR EACH STATEMENT EXECUTE FUNCTION incidents_note_source_change();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS incidents_note_source_change ON sources_source;
DROP FUNCTION IF EXISTS incidents_note_source_change();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_data_change"),
        ("sources", "0001_initial"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
