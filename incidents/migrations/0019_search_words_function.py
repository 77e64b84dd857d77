"""The query of the search documents: incidents.search._every_word()."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION incidents_search_words(query tsquery) RETURNS tsquery
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL UNSAFE AS $$
BEGIN
    -- Phrases ("a <-> b", "a <2> b") become ANDs: the documents keep no positions.
    RETURN regexp_replace(query::text, '<(?:[0-9]+|-)>', '&', 'g')::tsquery;
END;
$$;
"""

BACKWARD = "DROP FUNCTION IF EXISTS incidents_search_words(tsquery);"


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0018_incident_search_document"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
