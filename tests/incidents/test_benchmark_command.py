import json
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from incidents.benchmark.database import benchmark_database_name, drop_benchmark_database
from incidents.benchmark.operations import NAMES
from incidents.search import search_document_sql


@pytest.fixture
def outside_transaction(transactional_db, django_db_serialized_rollback):
    """The test database without a per-test transaction, as CREATE DATABASE needs.

    Its contents (the casualty categories the migrations add) are restored afterwards.
    """
    yield
    drop_benchmark_database(benchmark_database_name())


def database_exists(name):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        return cursor.fetchone() is not None


def benchmark(tmp_path, *args, **options):
    out = StringIO()
    path = tmp_path / "bench.json"
    call_command(
        "benchmark",
        *args,
        incidents=40,
        sources=60,
        repeat=2,
        warmup=1,
        json=str(path),
        stdout=out,
        **options,
    )
    return json.loads(path.read_text()), out.getvalue()


def test_it_measures_every_operation_in_a_database_of_its_own(outside_transaction, tmp_path):
    original = connection.settings_dict["NAME"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident")
        before = cursor.fetchone()[0]

    report, output = benchmark(tmp_path)

    assert [result["name"] for result in report["results"]] == NAMES
    results = {result["name"]: result for result in report["results"]}
    floor = results["floor_sql"]
    assert floor["p50_ms"] > 0 and floor["p99_ms"] >= floor["p50_ms"]
    assert floor["queries"] == 1
    assert floor["ratio_to_floor"] == 1.0
    for name in ("html_incident", "html_list", "orm_with_claims"):
        assert results[name]["status"] == "ok"
        assert results[name]["queries"] >= 1
        assert results[name]["ratio_to_floor"] > 0
    for name in NAMES:
        result = results[name]
        if result["status"] == "not available":  # the API is not part of every build
            assert result["p50_ms"] is None and result["ratio_to_floor"] is None
            assert result["note"]
        else:
            assert result["status"] == "ok" and result["p50_ms"] > 0
    scale = report["scale"]
    assert scale["incidents"] == 40 and scale["claims"] > 100 and scale["figures"] > 100
    assert scale["generation"]["rows_per_second"] > 0
    assert scale["machine"]["cpus"] >= 1
    assert "floor_sql" in output and "p99 ms" in output

    # Its data went elsewhere and that database is gone.
    assert connection.settings_dict["NAME"] == original
    assert not database_exists(benchmark_database_name())
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM incidents_incident")
        assert cursor.fetchone()[0] == before


def test_it_keeps_and_reuses_data_generated_at_the_same_scale(outside_transaction, tmp_path):
    first, output = benchmark(tmp_path, "--keep", "--only", "html_list")
    assert "Generating 40 incidents" in output
    assert database_exists(benchmark_database_name())
    assert [r["name"] for r in first["results"]] == ["floor_sql", "html_list"]

    # The search documents, written over a connection of their own as the chunks
    # commit: one per incident, each as the database's own rebuild would write it.
    assert benchmark_sql(
        "SELECT count(*) FROM incidents_incident i WHERE NOT EXISTS "
        "(SELECT 1 FROM incidents_incidentsearch s WHERE s.incident_id = i.id)"
    ) == [(0,)]
    rebuilt = benchmark_sql(search_document_sql("SELECT id FROM incidents_incident"))
    assert rebuilt == 0  # rows it would change

    second, output = benchmark(tmp_path, "--keep", "--only", "html_list")
    assert "Reusing the data" in output
    assert second["scale"]["claims"] == first["scale"]["claims"]
    assert second["scale"]["generation"]["reused"] is True

    # A load cut short leaves its full-text indexes dropped (they are built after it).
    assert "incident_document_search" in benchmark_indexes()
    benchmark_sql('DROP INDEX "incident_document_search"')

    third, output = benchmark(tmp_path, "--keep", "--only", "html_list", seed=2)
    assert "Generating 40 incidents" in output  # another seed: generated again
    assert third["scale"]["incidents"] == 40
    # In a database created afresh: nothing of the load cut short carries over.
    assert "incident_document_search" in benchmark_indexes()


def benchmark_sql(sql):
    """Run ``sql`` in the kept benchmark database; its rows, or for a statement that
    returns none, how many rows it changed."""
    params = connection.get_connection_params() | {"dbname": benchmark_database_name()}
    params.pop("cursor_factory", None)
    with psycopg.connect(**params, autocommit=True) as db:
        rows = db.execute(sql)
        return rows.fetchall() if rows.description else rows.rowcount


def benchmark_indexes():
    return {name for (name,) in benchmark_sql("SELECT indexname FROM pg_indexes")}


@pytest.mark.django_db
def test_it_measures_the_api_when_the_build_has_it(settings, monkeypatch):
    from incidents.benchmark import operations
    from incidents.benchmark.data import generate
    from incidents.benchmark.harness import measure

    settings.ROOT_URLCONF = "tests.incidents.stand_in_api_urls"
    monkeypatch.setattr(operations, "DEEP_ROW", 100)
    monkeypatch.setattr(operations, "API_MAX_PAGE_SIZE", 40)
    generate(150, sources=60, seed=4)

    built = {op.name: op for op in operations.build_operations()}

    for name in NAMES:
        if name.startswith("api_"):
            assert built[name].run is not None, built[name].unavailable
            result = measure(built[name], warmup=0, repeat=1)
            assert result.status == "ok" and result.p50_ms > 0 and result.queries >= 1
    # Three pages of 40 by the cursor links reach the page that holds row 100.
    assert built["api_list_deep"].note == "cursor page starting at row 80"


@pytest.fixture
def user_without_createdb(outside_transaction):
    with connection.cursor() as cursor:
        cursor.execute("CREATE ROLE benchmark_no_createdb LOGIN NOCREATEDB")
    connection.close()
    original = connection.settings_dict["USER"]
    connection.settings_dict["USER"] = "benchmark_no_createdb"
    yield
    connection.close()
    connection.settings_dict["USER"] = original
    with connection.cursor() as cursor:
        cursor.execute("DROP ROLE benchmark_no_createdb")


def test_it_explains_that_it_needs_a_user_allowed_to_create_databases(user_without_createdb):
    with pytest.raises(CommandError, match="allowed to create databases"):
        call_command("benchmark", incidents=10, stdout=StringIO())
