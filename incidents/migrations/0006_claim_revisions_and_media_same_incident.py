"""The database refuses revisions that break a chain, and media on another incident's claim.

A claim may supersede only an earlier claim of the same source about the same
incident, never one dated after it and never one of its own revisions (a cycle);
media attached to a claim belong to that claim's incident. A check constraint
cannot look at two rows, so constraint triggers guard both tables. The messages
match incidents.models (SUPERSEDES_*, MEDIA_OTHER_INCIDENT), which the admin and
the API show first.
"""

from django.db import migrations

SQL = """
CREATE FUNCTION incidents_claim_revision_consistent() RETURNS trigger AS $$
DECLARE
    previous incidents_claim%ROWTYPE;
BEGIN
    IF NEW.supersedes_id IS NOT NULL THEN
        SELECT * INTO previous FROM incidents_claim WHERE id = NEW.supersedes_id;
        IF previous.source_id <> NEW.source_id OR previous.incident_id <> NEW.incident_id THEN
            RAISE EXCEPTION 'A claim can only supersede an earlier claim by the same source about the same incident'
                USING ERRCODE = 'check_violation';
        END IF;
        IF previous.claimed_on > NEW.claimed_on THEN
            RAISE EXCEPTION 'A revision cannot be dated before the claim it supersedes'
                USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            WITH RECURSIVE chain(id) AS (
                SELECT NEW.supersedes_id
                UNION
                SELECT c.supersedes_id FROM incidents_claim c JOIN chain ON c.id = chain.id
                WHERE c.supersedes_id IS NOT NULL
            )
            SELECT 1 FROM chain WHERE id = NEW.id
        ) THEN
            RAISE EXCEPTION 'A claim cannot supersede itself or one of its own revisions'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF EXISTS (
            SELECT 1 FROM incidents_claim r
            WHERE r.supersedes_id = NEW.id
              AND (r.source_id <> NEW.source_id OR r.incident_id <> NEW.incident_id)
        ) THEN
            RAISE EXCEPTION 'A claim can only supersede an earlier claim by the same source about the same incident'
                USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT 1 FROM incidents_claim r
            WHERE r.supersedes_id = NEW.id AND r.claimed_on < NEW.claimed_on
        ) THEN
            RAISE EXCEPTION 'A revision cannot be dated before the claim it supersedes'
                USING ERRCODE = 'check_violation';
        END IF;
        IF EXISTS (
            SELECT 1 FROM incidents_media m
            WHERE m.claim_id = NEW.id AND m.incident_id <> NEW.incident_id
        ) THEN
            RAISE EXCEPTION 'Media attached to a claim must belong to the claim''s incident'
                USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER claim_revision_consistent
    AFTER INSERT OR UPDATE OF supersedes_id, source_id, incident_id, claimed_on ON incidents_claim
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION incidents_claim_revision_consistent();

CREATE FUNCTION incidents_media_claim_same_incident() RETURNS trigger AS $$
BEGIN
    IF NEW.claim_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM incidents_claim c WHERE c.id = NEW.claim_id AND c.incident_id = NEW.incident_id
    ) THEN
        RAISE EXCEPTION 'Media attached to a claim must belong to the claim''s incident'
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER media_claim_same_incident
    AFTER INSERT OR UPDATE OF claim_id, incident_id ON incidents_media
    DEFERRABLE INITIALLY IMMEDIATE
    FOR EACH ROW EXECUTE FUNCTION incidents_media_claim_same_incident();
"""

REVERSE_SQL = """
DROP TRIGGER media_claim_same_incident ON incidents_media;
DROP FUNCTION incidents_media_claim_same_incident();
DROP TRIGGER claim_revision_consistent ON incidents_claim;
DROP FUNCTION incidents_claim_revision_consistent();
"""


class Migration(migrations.Migration):
    dependencies = [("incidents", "0005_evidence_and_provenance")]

    operations = [migrations.RunSQL(SQL, REVERSE_SQL)]
