"""Timing: warm-up, many repetitions, median and p99, and the SQL each operation issues.

Operations that only read are timed in rounds, each running once per round, so that a
slow spell of the machine (another process, the CPU's clock, PostgreSQL's background
work) falls on all of them alike and their ratios to the floor stay comparable.
Operations that write are timed after them, one at a time, so that what they leave
behind (dead rows, autovacuum) never lands inside a read's timing.
"""

import math
import statistics
import time
from dataclasses import dataclass

from django.db import connections
from django.test.utils import CaptureQueriesContext


class Unavailable(Exception):
    """The operation cannot run on this build (its URL or module does not exist)."""


@dataclass
class Operation:
    name: str
    run: object = None  # a callable; None when unavailable
    unavailable: str = ""  # why it cannot run here
    note: str = ""  # what exactly was measured, when the name does not say
    writes: bool = False  # changes the database, even if rolled back


@dataclass
class Result:
    name: str
    p50_ms: float | None = None
    p99_ms: float | None = None
    queries: int | None = None
    ratio_to_floor: float | None = None
    status: str = "ok"
    note: str = ""

    def as_dict(self):
        return {
            "name": self.name,
            "p50_ms": self.p50_ms,
            "p99_ms": self.p99_ms,
            "queries": self.queries,
            "ratio_to_floor": self.ratio_to_floor,
            "status": self.status,
            "note": self.note,
        }


def percentile(samples, fraction):
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(samples)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def measure(operation, *, warmup, repeat, using="default"):
    """Run ``operation`` warmup times untimed, once counting queries, then repeat times timed."""
    return measure_all([operation], warmup=warmup, repeat=repeat, using=using)[0]


def measure_all(operations, *, warmup, repeat, using="default", progress=None):
    """Results for ``operations``, in their order.

    Each is first run warmup times untimed and once counting its queries. Readers are
    then timed in ``repeat`` rounds, each round starting one operation further along, so
    none always follows the same one; writers are timed afterwards, one at a time.
    """
    results, samples, query_counts = {}, {}, {}

    def prepare(operation):
        if operation.run is None:
            results[operation.name] = Result(
                operation.name, status="not available", note=operation.unavailable
            )
            return False
        if progress:
            progress(f"warming up {operation.name}")
        try:
            for _ in range(warmup):
                operation.run()
            # The log is a bounded deque: once full (after a migrate), nothing would be counted.
            connections[using].queries_log.clear()
            with CaptureQueriesContext(connections[using]) as queries:
                operation.run()
        except Unavailable as unavailable:
            results[operation.name] = Result(
                operation.name, status="not available", note=str(unavailable)
            )
            return False
        # Read now: each later request empties the connection's log.
        query_count = len(queries.captured_queries)
        query_counts[operation.name] = query_count
        samples[operation.name] = []
        return True

    def time_once(operation):
        started = time.perf_counter_ns()
        operation.run()
        samples[operation.name].append((time.perf_counter_ns() - started) / 1e6)

    readers = [op for op in operations if not op.writes and prepare(op)]
    for round_ in range(repeat):
        if progress and readers:
            progress(f"timing round {round_ + 1} of {repeat}")
        start = round_ % len(readers) if readers else 0
        for operation in readers[start:] + readers[:start]:
            time_once(operation)
    for operation in operations:
        if operation.writes and prepare(operation):
            if progress:
                progress(f"timing {operation.name}")
            for _ in range(repeat):
                time_once(operation)

    for name, timings in samples.items():
        results[name] = Result(
            name,
            p50_ms=round(statistics.median(timings), 3),
            p99_ms=round(percentile(timings, 0.99), 3),
            queries=query_counts[name],
        )
    for operation in operations:
        results[operation.name].note = results[operation.name].note or operation.note
    return [results[operation.name] for operation in operations]


def add_ratios(results, floor_name="floor_sql"):
    floor = next((r for r in results if r.name == floor_name and r.p50_ms), None)
    for result in results:
        if floor is not None and result.p50_ms is not None:
            result.ratio_to_floor = round(result.p50_ms / floor.p50_ms, 2)
    return results


def table(results):
    """The results as a plain-text table."""
    header = ("operation", "p50 ms", "p99 ms", "queries", "x floor")
    rows = []
    for r in results:
        if r.status != "ok":
            rows.append((r.name, r.status, "", "", r.note))
            continue
        rows.append(
            (
                r.name,
                f"{r.p50_ms:.2f}",
                f"{r.p99_ms:.2f}",
                str(r.queries),
                f"{r.ratio_to_floor:.1f}x" if r.ratio_to_floor is not None else "",
            )
        )
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(4)]
    lines = []
    for row in [header, *rows]:
        cells = [str(row[0]).ljust(widths[0])] + [
            str(cell).rjust(widths[i]) for i, cell in enumerate(row[1:4], start=1)
        ]
        lines.append("  ".join(cells) + "  " + str(row[4]))
    lines.insert(1, "-" * len(lines[0]))
    return "\n".join(lines)
