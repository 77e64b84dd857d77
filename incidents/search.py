"""Full-text search and the SQL form of the dispute rules.

Each search expression here is also the expression of a GIN index declared on its
model, so PostgreSQL can use the index: change one and the other together.
"""

import functools
import re

from django.contrib.postgres.search import SearchQuery, SearchQueryField, SearchVector
from django.db.models import BooleanField, Exists, F, Func, OuterRef, Q

from config.prepared import Condition
from sources.search import SEARCH_CONFIG, name_vector


def incident_vector():
    return SearchVector("title", "summary", config=SEARCH_CONFIG)


def statement_vector():
    return SearchVector("statement", config=SEARCH_CONFIG)


def search_query(text):
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


# The words of everything the public search matches for one incident, as one stripped
# tsvector (IncidentSearch.document): the lexemes of its title and summary, of its
# claims' and denials' statements (withdrawn ones left out) and of the names of the
# unprotected sources of those claims and denials, each parsed on its own exactly as
# text_search_q() parses it. ``{ids}`` is SQL selecting the incidents' ids. The
# database's triggers on incidents run it (every change to a claim, denial or cited
# source touches the incident), and so do the bulk loads that skip those touches
# (refresh_search_documents()).
SEARCH_DOCUMENT_SQL = """
INSERT INTO incidents_incidentsearch (
    incident_id, document, killed_high, attributed_to, contested
)
SELECT i.id, (
    SELECT array_to_tsvector(coalesce(array_agg(DISTINCT w.lexeme), '{{}}'))
    FROM (
        SELECT unnest(tsvector_to_array(to_tsvector('english'::regconfig,
            COALESCE(i.title, '') || ' ' || COALESCE(i.summary, '')))) AS lexeme
        UNION ALL
        SELECT unnest(tsvector_to_array(to_tsvector('english'::regconfig, c.statement)))
        FROM incidents_claim c WHERE c.incident_id = i.id AND c.withdrawn_at IS NULL
        UNION ALL
        SELECT unnest(tsvector_to_array(to_tsvector('english'::regconfig, d.statement)))
        FROM incidents_denial d WHERE d.incident_id = i.id AND d.withdrawn_at IS NULL
        UNION ALL
        SELECT unnest(tsvector_to_array(to_tsvector('english'::regconfig, s.name)))
        FROM sources_source s
        WHERE NOT s.protected AND s.id IN (
            SELECT c.source_id FROM incidents_claim c
            WHERE c.incident_id = i.id AND c.withdrawn_at IS NULL
            UNION
            SELECT d.source_id FROM incidents_denial d
            WHERE d.incident_id = i.id AND d.withdrawn_at IS NULL
        )
    ) w
), ({killed_high}), ({attributed_to}), ({contested})
FROM incidents_incident i WHERE i.id IN ({ids})
ON CONFLICT (incident_id) DO UPDATE
SET document = EXCLUDED.document, killed_high = EXCLUDED.killed_high,
    attributed_to = EXCLUDED.attributed_to, contested = EXCLUDED.contested
WHERE (
    incidents_incidentsearch.document,
    incidents_incidentsearch.killed_high,
    incidents_incidentsearch.attributed_to,
    incidents_incidentsearch.contested
) IS DISTINCT FROM (
    EXCLUDED.document, EXCLUDED.killed_high, EXCLUDED.attributed_to, EXCLUDED.contested
)
"""

# The highest number of killed any current claim of incident ``i`` gives (a range
# counts by its high end, a lone low bound by itself): what the killed_min filter
# compares. Current claims are those not withdrawn and not superseded by a revision
# that is not withdrawn (search.revised()). Each claim's figures are read by the claim
# alone (a few rows), the category picked among them: so written, no plan can start
# from the index of categories, which before the first statistics (a bulk load)
# PostgreSQL may take, reading every figure of killed in the table for each claim.
KILLED_HIGH_SQL = """
    SELECT max((
        SELECT max(CASE WHEN f.category_id = 'killed' THEN COALESCE(f.max_count, f.min_count) END)
        FROM incidents_figure f WHERE f.claim_id = c.id
    ))
    FROM incidents_claim c
    WHERE c.incident_id = i.id AND c.withdrawn_at IS NULL
    AND NOT EXISTS (
        SELECT 1 FROM incidents_claim r WHERE r.supersedes_id = c.id AND r.withdrawn_at IS NULL
    )
"""


# The slugs of the parties incident ``i``'s current attributions name, in order: what
# the attributed_to filter looks up (with the sources' protection checked as it asks).
# Slugs, as the filter is given them: the filter's value reaches the planner as a
# constant, which it weighs with the column's statistics (a party named in a third of
# the incidents, or in a handful), where a source id looked up in the same query would
# reach it as an unknown. A source's new slug touches the incidents that name it
# (sources.models.CITING_SOURCE), which rebuilds their documents.
ATTRIBUTED_TO_SQL = """
    SELECT coalesce(array_agg(DISTINCT s.slug::text ORDER BY s.slug::text), '{{}}')
    FROM incidents_claim c JOIN sources_source s ON s.id = c.attributed_to_id
    WHERE c.incident_id = i.id AND c.kind = 'attribution' AND c.withdrawn_at IS NULL
    AND NOT EXISTS (
        SELECT 1 FROM incidents_claim r WHERE r.supersedes_id = c.id AND r.withdrawn_at IS NULL
    )
"""


# Whether incident ``i`` is contested: the rules of incidents.competing.dispute() in SQL
# (tests/incidents/test_filters.py checks the filter on this against dispute() on
# random incidents, revisions and withdrawals included). Only current claims count (a
# claim a later one of its source supersedes is history), withdrawn claims and denials
# are left out, and it is contested when a denial answers one of its claims, when two
# attributions name parties neither of which is the other or one of the other's two
# parent levels, or when two sources' figures for one category differ by more than 2x.
# What the contested filter reads, one row per incident, rather than evaluating the
# rules for each incident it walks (the list page's counts walk every match). The
# figures are read claim by claim in scalar subqueries, which no plan can turn into a
# join: as EXISTS, a plan made without statistics (a bulk load's) hashed every figure
# in the table for each incident (see KILLED_HIGH_SQL). The rules look at an accused
# party's parent and grandparent: a change to either touches the incidents that name
# the party (sources.models.CITING_SOURCE).
CONTESTED_SQL = """
    SELECT EXISTS (
        SELECT 1 FROM incidents_denial d
        WHERE d.incident_id = i.id AND d.withdrawn_at IS NULL
        AND EXISTS (
            SELECT 1 FROM incidents_denial_denies dd
            JOIN incidents_claim c ON c.id = dd.claim_id
            WHERE dd.denial_id = d.id AND c.incident_id = i.id AND c.withdrawn_at IS NULL
            AND NOT EXISTS (
                SELECT 1 FROM incidents_claim r
                WHERE r.supersedes_id = c.id AND r.withdrawn_at IS NULL
            )
        )
    ) OR EXISTS (
        SELECT 1 FROM incidents_claim a
        JOIN sources_source ap ON ap.id = a.attributed_to_id
        LEFT JOIN sources_source ag ON ag.id = ap.parent_id
        WHERE a.incident_id = i.id AND a.withdrawn_at IS NULL AND a.kind = 'attribution'
        AND NOT EXISTS (
            SELECT 1 FROM incidents_claim r WHERE r.supersedes_id = a.id AND r.withdrawn_at IS NULL
        )
        AND EXISTS (
            SELECT 1 FROM incidents_claim b
            JOIN sources_source bp ON bp.id = b.attributed_to_id
            LEFT JOIN sources_source bg ON bg.id = bp.parent_id
            WHERE b.incident_id = i.id AND b.withdrawn_at IS NULL AND b.kind = 'attribution'
            AND NOT EXISTS (
                SELECT 1 FROM incidents_claim r
                WHERE r.supersedes_id = b.id AND r.withdrawn_at IS NULL
            )
            AND b.attributed_to_id <> a.attributed_to_id
            AND COALESCE(bp.parent_id, 0) <> a.attributed_to_id
            AND COALESCE(bg.parent_id, 0) <> a.attributed_to_id
            AND b.attributed_to_id <> COALESCE(ap.parent_id, 0)
            AND b.attributed_to_id <> COALESCE(ag.parent_id, 0)
        )
    ) OR EXISTS (
        SELECT 1 FROM incidents_claim c
        WHERE c.incident_id = i.id AND c.withdrawn_at IS NULL
        AND NOT EXISTS (
            SELECT 1 FROM incidents_claim r WHERE r.supersedes_id = c.id AND r.withdrawn_at IS NULL
        )
        AND (
            SELECT true FROM incidents_figure f
            WHERE f.claim_id = c.id AND COALESCE(f.min_count, f.max_count) IS NOT NULL
            AND (
                SELECT true FROM incidents_claim h
                WHERE h.incident_id = i.id AND h.withdrawn_at IS NULL
                AND h.source_id <> c.source_id
                AND NOT EXISTS (
                    SELECT 1 FROM incidents_claim r
                    WHERE r.supersedes_id = h.id AND r.withdrawn_at IS NULL
                )
                AND (
                    SELECT true FROM incidents_figure g
                    WHERE g.claim_id = h.id AND g.category_id = f.category_id
                    AND COALESCE(g.max_count, g.min_count) > 2 * COALESCE(f.min_count, f.max_count)
                    LIMIT 1
                )
                LIMIT 1
            )
            LIMIT 1
        )
    )
"""


def search_document_sql(ids):
    """SEARCH_DOCUMENT_SQL for the incidents ``ids`` (SQL) selects."""
    return SEARCH_DOCUMENT_SQL.format(
        ids=ids,
        killed_high=KILLED_HIGH_SQL,
        attributed_to=ATTRIBUTED_TO_SQL.format(),
        contested=CONTESTED_SQL,
    )


def refresh_search_documents(incident_ids, using="default"):
    """Rebuild these incidents' search documents (after a load that skipped the touches)."""
    from django.db import connections

    ids = [int(pk) for pk in incident_ids]
    if not ids:
        return
    with connections[using].cursor() as cursor:
        cursor.execute(search_document_sql("SELECT unnest(%s::integer[])"), [ids])


# A query searched through the documents: one word (which the parser may still split,
# "clinic_2" say: the texts are then checked too).
ONE_WORD = re.compile(r"\w+")


def text_search_q(text, include_protected=False):
    """Incidents whose title, summary, claims' or denials' statements, or sources' names match.

    Withdrawn claims and denials no longer count. A protected source's name is searched
    only for staff, so the public cannot find out which incidents a protected source
    spoke about by guessing its name.

    Each of those texts is matched on its own, as before. The public search first looks
    the words up in the incidents' search documents (IncidentSearch: all of an
    incident's searchable words in one tsvector, one GIN index), which every incident
    with a matching text passes, then checks the texts of the incidents passing. That
    check is left out for a query of one word, where the document alone is exact. With
    one index, PostgreSQL chooses from its statistics between walking the incidents in
    the requested order (a common word) and looking the word up first (a rare one).

    Only a query of one plain word takes that way. Negation ("-word") is not covered by
    the documents (a word absent from one text may be present in another of the
    incident), nor are staff's protected names; and for several words, where each
    text's own index finds the few texts having them all, the texts are as fast to
    search directly. Those search the texts directly (``_text_search_by_text``).
    """
    one_word = not include_protected and bool(ONE_WORD.fullmatch(text.strip()))
    return _text_search(one_word, include_protected)(text)


@functools.cache
def _text_search(one_word, include_protected):
    """text_search_q()'s condition, compiled once (config.prepared.Condition): building
    its subqueries with the ORM cost more than running them."""
    from .models import Incident

    def build(text):
        if one_word:
            return Q(Exists(_matching_documents(text, incident="pk")))
        return _text_search_by_text(text, include_protected)

    return Condition(Incident, build, slots=1)


class _every_word(Func):
    """The query with its phrases ("a b" in quotes, or a hyphenated word) as plain ANDs.

    The documents keep no word positions: a phrase matching one text has all its words
    in the document, in some order. The texts are then checked with the phrase.

    The database function (migration 0019) is immutable, so PostgreSQL computes it once
    while planning and the document index can be used. It is also marked parallel
    unsafe, which keeps the search's query serial: for a word in about 1% of the
    incidents, a parallel walk of the newest incidents spent more starting its workers
    (20 to 35 ms on 2 shared cores) than the walk itself (about 14 ms).
    """

    template = "incidents_search_words(%(expressions)s)"
    output_field = SearchQueryField()


class _Matches(Func):
    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _matching_documents(text, incident):
    """The incident's search document, when it matches and one of its texts does too."""
    from django.db.models import IntegerField, Subquery
    from django.db.models.lookups import Exact, IsNull

    from sources.models import Source

    from .models import Claim, Denial, Incident, IncidentSearch

    query = search_query(text)

    def found(queryset):
        # A scalar subquery, never hashed: it is run for the incidents the documents
        # let through only, each by index lookups on its own rows.
        return IsNull(Subquery(queryset.order_by().values("pk")[:1]), False)

    sources = Source.objects.annotate(v=name_vector()).filter(v=query, protected=False)
    texts = (
        found(
            Incident.objects.annotate(v=incident_vector()).filter(
                pk=OuterRef("incident_id"), v=query
            )
        )
        | found(
            Claim.objects.not_withdrawn()
            .annotate(v=statement_vector())
            .filter(incident=OuterRef("incident_id"))
            .filter(Q(v=query) | Q(source__in=sources.values("pk")))
        )
        | found(
            Denial.objects.current()
            .annotate(v=statement_vector())
            .filter(incident=OuterRef("incident_id"))
            .filter(Q(v=query) | Q(source__in=sources.values("pk")))
        )
    )
    one_word = Exact(Func(query, function="numnode", output_field=IntegerField()), 1)
    return IncidentSearch.objects.filter(
        _Matches(F("document"), _every_word(query)), incident=OuterRef(incident)
    ).filter(Q(one_word) | Q(texts))


def _text_search_by_text(text, include_protected):
    from sources.models import Source

    from .models import Claim, Denial, Incident

    query = search_query(text)
    own = Incident.objects.annotate(v=incident_vector()).filter(pk=OuterRef("pk"), v=query)
    # Withdrawn claims and denials no longer count, in search as everywhere.
    claims = (
        Claim.objects.not_withdrawn()
        .annotate(v=statement_vector())
        .filter(incident=OuterRef("pk"), v=query)
    )
    denials = (
        Denial.objects.current()
        .annotate(v=statement_vector())
        .filter(incident=OuterRef("pk"), v=query)
    )
    sources = Source.objects.annotate(v=name_vector()).filter(v=query)
    if not include_protected:
        sources = sources.filter(protected=False)
    named = Q(
        Exists(
            Claim.objects.not_withdrawn().filter(
                incident=OuterRef("pk"), source__in=sources.values("pk")
            )
        )
    ) | Q(
        Exists(
            Denial.objects.current().filter(
                incident=OuterRef("pk"), source__in=sources.values("pk")
            )
        )
    )
    return Q(Exists(own)) | Q(Exists(claims)) | Q(Exists(denials)) | named


def revised(claim="pk"):
    """True for a claim that a later claim of its source supersedes: it is no longer current.

    ``claim`` names the outer query's column holding the claim's id.
    """
    from .models import Claim

    # A withdrawn revision revises nothing: the claim it superseded counts again.
    return Exists(Claim.objects.filter(supersedes=OuterRef(claim), withdrawn_at__isnull=True))


def contested_q():
    """True for an incident dispute() finds contested: read from its search document,
    which the database keeps (search.CONTESTED_SQL, the rules in SQL)."""
    from .models import IncidentSearch

    return Q(Exists(IncidentSearch.objects.filter(incident=OuterRef("pk"), contested=True)))
