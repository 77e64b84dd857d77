"""The searches and filters reach their indexes.

With sequential scans discouraged (enable_seqscan off), PostgreSQL picks an index
whenever one matches the expression it is given. A plan without the index's name
means the SQL the filter generates no longer matches the index definition (a
different config, column list or wrapping), which at scale is a full scan.
"""

import re

import pytest
from django.db import connection, transaction
from django.db.models import F

from incidents.benchmark.data import generate
from incidents.filters import IncidentFilter
from incidents.models import Incident

pytestmark = pytest.mark.django_db

NEGATED = "hospital -qwertyuiop"


def _generated(incidents):
    generate(incidents, sources=80, seed=3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # SET LOCAL: the test's transaction ends with it.
        cursor.execute("SET LOCAL enable_seqscan = off")


@pytest.fixture
def generated():
    _generated(120)


@pytest.fixture
def generated_more():
    # Where the plan may check each incident's own text row by row instead of through
    # the index, a few more incidents than that keep the index the cheaper way whatever
    # the statistics earlier tests left (at 120, the two cost about the same).
    _generated(600)


def plan(params):
    queryset = IncidentFilter(params, queryset=Incident.objects.public()).qs
    return queryset.explain()


def test_text_search_looks_the_words_up_in_the_search_documents(generated):
    # The public search without negation: one GIN index over every incident's words.
    from incidents.models import IncidentSearch
    from incidents.search import _every_word, _Matches, search_query

    for words in ("hospital", 'hospital "air strike"'):
        documents = IncidentSearch.objects.filter(
            _Matches(F("document"), _every_word(search_query(words)))
        )
        assert "incident_document_search" in documents.explain(), words
    # The filter's own condition on the documents is that one.
    assert re.search(r"document @@ ", plan({"q": "hospital"}))


def test_text_search_by_text_uses_every_full_text_index(generated_more):
    # Negation (and staff's search of protected names) searches each text directly.
    text = plan({"q": NEGATED})

    for index in (
        "incident_search",
        "claim_statement_search",
        "denial_statement_search",
        "source_name_search",
    ):
        assert index in text, f"{index} not in the plan:\n{text}"


def test_text_search_uses_the_indexes_combined_with_other_filters(generated_more):
    text = plan({"q": NEGATED, "occurred_after": "2016-01-01", "contested": "true"})

    # Whether each text index or another one drives the plan is the planner's call from
    # the statistics. What the filters must not do is change the search expressions:
    # every one in the combined plan is one an index was used for in the search alone.
    indexed = set(re.findall(r"Index Cond: \((to_tsvector\(.*?\)) @@", plan({"q": NEGATED})))
    combined = set(re.findall(r"(to_tsvector\(.*?\)) @@", text))
    assert combined and combined <= indexed, text
    assert "Seq Scan" not in text, text


def test_killed_min_reads_one_row_per_incident_by_its_key(generated):
    # Each incident's highest current killed figure is kept with its search document:
    # the plan looks it up by the document's primary key, never scanning the documents
    # and never reading the figures.
    text = plan({"killed_min": "10"})

    assert "incidents_figure" not in text, text
    assert "Seq Scan on incidents_incidentsearch" not in text, text
    # By its key (the primary key or the index that holds the filtered columns): an
    # index scan, or a bitmap of one (as PostgreSQL 15 chooses).
    assert re.search(
        r"Index (Only )?Scan (Backward )?using "
        r"(incidents_incidentsearch_pkey|incident_search_filters) on incidents_incidentsearch"
        r"|Bitmap Index Scan on (incidents_incidentsearch_pkey|incident_search_filters)",
        text,
    ), text
    assert "killed_high >= 10" in text, text


def test_attributed_to_reads_the_documents_not_the_claims(generated):
    # The parties each incident's current attributions name are kept with its search
    # document: the plan reads no claim (nor any revision of one).
    text = plan({"attributed_to": "russian-aerospace-forces"})

    assert "incidents_claim" not in text, text
    assert "incidents_incidentsearch" in text, text
    assert "attributed_to &&" in text, text


def test_the_party_reaches_the_planner_as_a_constant_it_has_statistics_for(generated):
    # Looked up by slug in the same query, a party's id was an unknown to the planner,
    # which guessed the same share of incidents for every party: it walked thousands of
    # incidents for a rare one, or sorted thousands for a common one. Given the slug, it
    # weighs each party by the documents' statistics.
    from collections import Counter

    from incidents.models import IncidentSearch

    assert "attributed_to && '{russian-aerospace-forces}'" in plan(
        {"attributed_to": "russian-aerospace-forces"}
    )
    named = Counter(
        slug
        for parties in IncidentSearch.objects.values_list("attributed_to", flat=True)
        for slug in parties
    ).most_common()
    (common, most), (rare, fewest) = named[0], named[-1]
    assert most > fewest

    def estimate(slug):
        text = IncidentSearch.objects.filter(attributed_to__overlap=[slug]).explain()
        return int(re.search(r"rows=(\d+)", text).group(1))

    assert estimate(common) > estimate(rare), named


# Committed (VACUUM runs outside a transaction); the migrations' rows restored after.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_killed_min_and_attributed_to_test_each_incident_from_an_index_alone():
    # Walking the newest incidents, the filters test each one's search row: at 100,000
    # incidents thousands of tests for a page of a selective filter. Read from the index
    # that holds both columns, a test never touches the wide row beside the document.
    generate(120, sources=80, seed=3)
    with connection.cursor() as cursor:
        # Outside a transaction: VACUUM marks the pages all-visible, as autovacuum does.
        cursor.execute("VACUUM ANALYZE incidents_incidentsearch")
    # One incident's test, whatever the statistics other tests left: with no scan but
    # from an index alone allowed, the search rows are read from the index holding
    # every column the filters test, or not at all (not left to the costs: an older
    # snapshot still open elsewhere keeps VACUUM from marking the new rows visible to
    # all, and the index alone then looks dearer).
    walked = Incident.objects.public().filter(pk=Incident.objects.public().first().pk)
    params = {"killed_min": "10", "attributed_to": "russian-aerospace-forces"}
    with transaction.atomic(), connection.cursor() as cursor:
        for scan in ("seqscan", "bitmapscan", "indexscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        text = IncidentFilter(params, queryset=walked).qs.explain()

    assert re.search(
        r"Index Only Scan (Backward )?using incident_search_filters on incidents_incidentsearch",
        text,
    ), text
    assert "killed_high >= 10" in text, text
    assert "attributed_to &&" in text, text


def test_an_incidents_history_reads_every_event_table_by_an_index(generated):
    # The event tables grow with every write (a million figure events at 100,000
    # incidents) and index only the columns the history reads: each of its queries
    # must still reach the events through an index.
    from django.test.utils import CaptureQueriesContext

    from incidents.timeline import incident_history

    incident = Incident.objects.public().filter(claims__isnull=False).first()
    with CaptureQueriesContext(connection) as queries:
        incident_history(incident)
    event_queries = [q["sql"] for q in queries if "event" in q["sql"]]
    assert len(event_queries) >= 9, event_queries
    with connection.cursor() as cursor:
        for sql in event_queries:
            cursor.execute("EXPLAIN " + sql)
            text = "\n".join(row[0] for row in cursor.fetchall())
            assert not re.search(r"Seq Scan on \w+event\b", text), f"{sql}\n{text}"


def test_a_sequential_scan_would_show_in_the_plan(generated):
    # The check above can fail: a search on an expression no index has scans the table.
    from django.contrib.postgres.search import SearchQuery, SearchVector

    queryset = Incident.objects.annotate(v=SearchVector("title", config="simple")).filter(
        v=SearchQuery("hospital", config="simple")
    )

    assert "incident_search" not in queryset.explain()


@pytest.mark.parametrize(
    "params",
    [{"contested": "true"}, {"contested": "false"}, {"contested": "true", "country": "SY"}],
    ids=["contested", "not-contested", "contested-in-a-country"],
)
def test_contested_reads_one_row_per_incident_by_its_key(generated, params):
    # Whether an incident is contested is kept with its search document: the plan reads
    # no claim, denial or figure (the rules over them took up to 80 microseconds an
    # incident, and the list page's counts walk every match), and no hashed subplan
    # computes anything for every incident before the first row.
    text = plan(params)

    assert "hashed" not in text.lower(), text
    for table in ("incidents_claim", "incidents_denial", "incidents_figure"):
        assert table not in text, text
    assert "Seq Scan on incidents_incidentsearch" not in text, text
    assert "contested" in text, text


def test_search_documents_read_each_claims_figures_by_the_claim_before_any_statistics():
    # A first bulk load writes the documents of thousands of incidents before
    # PostgreSQL has statistics on the new rows. The highest killed figure, and the
    # tolls the contested rule compares, are then still looked up from each incident's
    # claims, figures by their claim: the other
    # way round, every figure of killed in the table is read again for each incident
    # (minutes for a chunk of 5,000 incidents).
    from incidents.search import search_document_sql

    generate(60, sources=40, seed=5)
    tables = ["incidents_claim", "incidents_figure", "incidents_incident", "incidents_denial"]
    with connection.cursor() as cursor:
        # As the catalog stands before the first ANALYZE (undone with the test's
        # transaction).
        cursor.execute("DELETE FROM pg_statistic WHERE starelid = ANY(%s::regclass[])", [tables])
        cursor.execute(
            "UPDATE pg_class SET reltuples = -1 WHERE oid = ANY(%s::regclass[])", [tables]
        )
        cursor.execute("EXPLAIN " + search_document_sql("SELECT id FROM incidents_incident"))
        text = "\n".join(row[0] for row in cursor.fetchall())

    figures = re.findall(r"on incidents_figure \w+.*\n\s*(?:->.*\n\s*)?.*Cond: \((.*)\)", text)
    assert figures, text
    # Each figure by its claim's id (the killed figure and the contested rule's tolls).
    assert all(re.search(r"\bclaim_id = \w+\.id\b", cond) for cond in figures), text


def test_the_casualty_categories_have_statistics_and_keep_them():
    # Never analyzed, PostgreSQL guesses 200 categories and joins every claim's figures
    # to them anew; autovacuum would never analyze eight rows on its own.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples, reloptions FROM pg_class "
            "WHERE relname = 'incidents_casualtycategory'"
        )
        tuples, options = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM incidents_casualtycategory")
        (count,) = cursor.fetchone()
    assert count > 0 and tuples == count
    assert "autovacuum_analyze_threshold=0" in options


def test_the_list_pages_countries_are_read_one_index_probe_at_a_time(generated):
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_incident

    make_incident(country="ZZ", status=Incident.Status.DRAFT)  # a draft's country is not offered
    make_incident(country="")
    with CaptureQueriesContext(connection) as queries:
        countries = Incident.objects.public_countries()
    published = Incident.objects.public().exclude(country="").order_by("country")
    assert countries == list(published.values_list("country", flat=True).distinct())
    assert len(countries) > 1 and "ZZ" not in countries
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + query["sql"])
        text = "\n".join(row[0] for row in cursor.fetchall())
    assert "incident_status_country" in text and "Seq Scan" not in text, text
