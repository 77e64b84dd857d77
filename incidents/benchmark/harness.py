"""Timing: warm-up, many repetitions, median and p99, and the SQL each operation issues."""

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
    if operation.run is None:
        return Result(operation.name, status="not available", note=operation.unavailable)
    try:
        for _ in range(warmup):
            operation.run()
        # The log is a bounded deque: once full (after a migrate), nothing would be counted.
        connections[using].queries_log.clear()
        with CaptureQueriesContext(connections[using]) as queries:
            operation.run()
        # Read now: each later request empties the connection's log.
        query_count = len(queries.captured_queries)
        samples = []
        for _ in range(repeat):
            started = time.perf_counter_ns()
            operation.run()
            samples.append((time.perf_counter_ns() - started) / 1e6)
    except Unavailable as unavailable:
        return Result(operation.name, status="not available", note=str(unavailable))
    return Result(
        operation.name,
        p50_ms=round(statistics.median(samples), 3),
        p99_ms=round(percentile(samples, 0.99), 3),
        queries=query_count,
        note=operation.note,
    )


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
