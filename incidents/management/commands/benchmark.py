import gc
import json
import os
import platform
import sys
import time
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings

from config.warmup import settle_memory
from incidents.benchmark.data import GENERATOR_VERSION, generate
from incidents.benchmark.database import (
    BenchmarkDatabaseError,
    benchmark_database,
    holds_scale,
    read_scale,
    record_scale,
)
from incidents.benchmark.harness import add_ratios, measure_all, table
from incidents.benchmark.operations import build_operations, unthrottled
from incidents.models import Claim, Denial, Figure, Incident
from sources.models import Report, Source


class Command(BaseCommand):
    help = (
        "Generate a monitor's archive in a database of its own (<name>_benchmark on the same "
        "server) and time the read paths: the SQL floor, the pages and the API, with median, "
        "p99 and queries per operation."
    )

    def add_arguments(self, parser):
        parser.add_argument("--incidents", type=int, default=2000, help="Default: 2000.")
        parser.add_argument("--sources", type=int, default=2000, help="Default: 2000.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed of the data.")
        parser.add_argument("--repeat", type=int, default=20, help="Timed runs per operation.")
        parser.add_argument("--warmup", type=int, default=3, help="Untimed runs first.")
        parser.add_argument("--json", metavar="PATH", help="Also write the results here.")
        parser.add_argument(
            "--keep",
            action="store_true",
            help="Keep the benchmark database afterwards, and reuse its data when it was "
            "generated at the same scale.",
        )
        parser.add_argument(
            "--index-strategy",
            choices=["rebuild", "keep"],
            default="rebuild",
            help="Drop the full-text indexes during the load and build them after (rebuild, "
            "the default), or load with them in place (keep).",
        )
        parser.add_argument(
            "--only", metavar="NAMES", help="Comma-separated operation names to measure."
        )

    def handle(self, *args, **options):
        try:
            self._run(options)
        except BenchmarkDatabaseError as error:
            raise CommandError(str(error)) from error

    def _run(self, options):
        if options["incidents"] < 1 or options["repeat"] < 1 or options["warmup"] < 0:
            raise CommandError("--incidents and --repeat must be at least 1, --warmup at least 0.")
        wanted = {
            "incidents": options["incidents"],
            "sources": options["sources"],
            "seed": options["seed"],
            "generator": GENERATOR_VERSION,
        }
        with benchmark_database(keep=options["keep"], wanted=wanted) as name:
            self.stdout.write(f"Benchmark database: {name}")
            generation = self._data(wanted, options)
            scale = self._scale(name, wanted, generation, options)
            with override_settings(DEBUG=False), unthrottled():
                operations = build_operations()
                only = set(filter(None, (options["only"] or "").split(",")))
                if only:
                    operations = [op for op in operations if op.name in only | {"floor_sql"}]
                # As gunicorn's master does before forking its workers (gunicorn.conf.py):
                # what exists now (the generated data's bookkeeping, the bundle to import)
                # stays out of the collector, whose full passes would otherwise add pauses
                # of 100 ms and more to requests that never made those objects; and the
                # young generation is collected as seldom as in a worker.
                threshold = gc.get_threshold()
                settle_memory()
                results = measure_all(
                    operations,
                    warmup=options["warmup"],
                    repeat=options["repeat"],
                    progress=self._progress,
                )
                gc.unfreeze()
                gc.set_threshold(*threshold)
            add_ratios(results)
            if options["keep"]:
                self.stdout.write(self._kept_message(name))
        self.stdout.write(self._summary(scale))
        self.stdout.write(table(results))
        if options["json"]:
            report = {"scale": scale, "results": [r.as_dict() for r in results]}
            Path(options["json"]).write_text(json.dumps(report, indent=2) + "\n")
            self.stdout.write(f"Wrote {options['json']}")

    def _progress(self, step):
        self.stdout.write(f"  {step:<60}", ending="\r")
        self.stdout.flush()

    def _data(self, wanted, options):
        # A database not holding this scale was created afresh (benchmark_database()).
        recorded = read_scale()
        if holds_scale(recorded, wanted):
            self.stdout.write(f"Reusing the data generated at this scale ({wanted['incidents']}).")
            return recorded["generation"] | {"reused": True}
        self.stdout.write(
            f"Generating {wanted['incidents']} incidents and {wanted['sources']} sources "
            f"(full-text indexes: {options['index_strategy']})..."
        )

        def progress(done, total, seconds):
            self.stdout.write(f"  {done}/{total} incidents in {seconds:.0f}s", ending="\r")
            self.stdout.flush()

        result = generate(
            wanted["incidents"],
            sources=wanted["sources"],
            seed=wanted["seed"],
            index_strategy=options["index_strategy"],
            progress=progress,
        )
        generation = result.as_dict()
        self.stdout.write(
            f"Loaded {result.total_rows:,} rows in {result.load_seconds:.1f}s "
            f"({result.rows_per_second:,} rows/s); indexes {result.index_seconds:.1f}s, "
            f"vacuum and analyze {result.analyze_seconds:.1f}s."
        )
        record_scale(wanted | {"generation": generation})
        return generation | {"reused": False}

    def _scale(self, name, wanted, generation, options):
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server_version = cursor.fetchone()[0]
            cursor.execute("SHOW shared_buffers")
            shared_buffers = cursor.fetchone()[0]
        return {
            "incidents": Incident.objects.count(),
            "published": Incident.objects.public().count(),
            "claims": Claim.objects.count(),
            "figures": Figure.objects.count(),
            "denials": Denial.objects.count(),
            "denial_links": Denial.denies.through.objects.count(),
            "related_links": Incident.related.through.objects.count(),
            "sources": Source.objects.count(),
            "reports": Report.objects.count(),
            "seed": wanted["seed"],
            "generation": generation,
            "repeat": options["repeat"],
            "warmup": options["warmup"],
            "database": {
                "name": name,
                "engine": "embedded"
                if "embedded" in settings.DATABASES["default"]["ENGINE"]
                else "server",
                "server_version": server_version,
                "shared_buffers": shared_buffers,
            },
            "machine": {
                "platform": platform.platform(),
                "processor": platform.machine(),
                "cpus": os.cpu_count(),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "python": sys.version.split()[0],
                "django": django.get_version(),
            },
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }

    def _summary(self, scale):
        g = scale["generation"]
        origin = "reused" if g.get("reused") else f"{g['rows_per_second']:,} rows/s"
        return (
            f"\nScale: {scale['incidents']:,} incidents ({scale['published']:,} published), "
            f"{scale['claims']:,} claims, {scale['figures']:,} figures, "
            f"{scale['denials']:,} denials, {scale['sources']:,} sources, "
            f"{scale['reports']:,} reports (data {origin}).\n"
            f"PostgreSQL {scale['database']['server_version']}, {scale['machine']['cpus']} CPUs, "
            f"load {scale['machine']['load_average'][0]}; "
            f"{scale['repeat']} runs after {scale['warmup']} warm-up.\n"
        )

    def _kept_message(self, name):
        params = connection.get_connection_params()
        host = params.get("host") or "localhost"
        url = f"postgres://{params.get('user', 'postgres')}@/{name}?host={host}"
        if params.get("port"):
            url += f"&port={params['port']}"
        return (
            f"\nKept {name}. To serve it (e.g. for the load test): DATABASE_URL='{url}' "
            "(add the password if the server needs one)."
        )
