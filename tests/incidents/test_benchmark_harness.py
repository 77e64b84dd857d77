import pytest
from django.db import connection

from incidents.benchmark.harness import Operation, Unavailable, measure_all

pytestmark = pytest.mark.django_db


def test_readers_are_timed_in_turns_and_writers_after_them():
    calls = []

    def recorder(name):
        def run():
            calls.append(name)
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")

        return run

    def unavailable():
        raise Unavailable("not in this build")

    operations = [
        Operation("writer", recorder("writer"), writes=True),
        Operation("a", recorder("a")),
        Operation("b", recorder("b")),
        Operation("missing", unavailable),
        Operation("absent", unavailable="no such URL"),
        Operation("c", recorder("c")),
    ]

    results = measure_all(operations, warmup=1, repeat=3)

    assert [r.name for r in results] == ["writer", "a", "b", "missing", "absent", "c"]
    # Each reader warmed up and counted, then three rounds, each starting one further on,
    # and only then the writer, warmed up, counted and timed on its own.
    assert (
        calls
        == ["a", "a", "b", "b", "c", "c"]
        + ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
        + ["writer"] * 5
    )
    by_name = {r.name: r for r in results}
    for name in ("writer", "a", "b", "c"):
        assert by_name[name].status == "ok" and by_name[name].p99_ms >= by_name[name].p50_ms > 0
    assert by_name["a"].queries == 1
    assert by_name["missing"].status == "not available"
    assert by_name["missing"].note == "not in this build"
    assert by_name["absent"].status == "not available" and by_name["absent"].p50_ms is None
