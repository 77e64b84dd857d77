"""The database refuses a denial of a claim about another incident.

A check constraint cannot look at two tables, so triggers guard the link table and
the two columns that could break the rule afterwards. The message matches
incidents.models.DENIAL_OTHER_INCIDENT, which the admin and the API show first.
"""

from django.db import migrations

SQL = """
CREATE FUNCTION incidents_denial_same_incident() RETURNS trigger AS $$
BEGIN
    IF EXISTS (
        SELECT 1
        FROM incidents_denial_denies dd
        JOIN incidents_denial d ON d.id = dd.denial_id
        JOIN incidents_claim c ON c.id = dd.claim_id
        WHERE d.incident_id <> c.incident_id
          AND (
            (TG_TABLE_NAME = 'incidents_denial_denies' AND dd.id = NEW.id)
            OR (TG_TABLE_NAME = 'incidents_denial' AND d.id = NEW.id)
            OR (TG_TABLE_NAME = 'incidents_claim' AND c.id = NEW.id)
          )
    ) THEN
        RAISE EXCEPTION 'A denial can only answer claims about the same incident'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER denial_denies_same_incident
    AFTER INSERT OR UPDATE ON incidents_denial_denies
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION incidents_denial_same_incident();
CREATE CONSTRAINT TRIGGER denial_incident_same_as_claims
    AFTER UPDATE OF incident_id ON incidents_denial
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION incidents_denial_same_incident();
CREATE CONSTRAINT TRIGGER claim_incident_same_as_denials
    AFTER UPDATE OF incident_id ON incidents_claim
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION incidents_denial_same_incident();
"""

REVERSE_SQL = """
DROP TRIGGER claim_incident_same_as_denials ON incidents_claim;
DROP TRIGGER denial_incident_same_as_claims ON incidents_denial;
DROP TRIGGER denial_denies_same_incident ON incidents_denial_denies;
DROP FUNCTION incidents_denial_same_incident();
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
