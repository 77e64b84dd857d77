import json
import sys

from django.core.management.base import BaseCommand, CommandError

from incidents.bundles import BundleError, import_bundle


class Command(BaseCommand):
    help = (
        "Read a bundle of incidents (as export_incidents writes, or the API's /import/ takes). "
        "All or nothing; importing the same bundle again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The bundle (JSON); - for standard input.")

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                payload = json.load(sys.stdin)
            else:
                with open(file, encoding="utf-8") as handle:
                    payload = json.load(handle)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        except ValueError as error:
            raise CommandError(f"{file} is not JSON: {error}") from None
        try:
            report = import_bundle(payload)
        except BundleError as error:
            for problem in error.errors:
                where = (
                    "bundle" if problem["incident"] is None else f"incident {problem['incident']}"
                )
                field = f", {problem['field']}" if problem["field"] else ""
                self.stderr.write(f"{where}{field}: {problem['message']}")
            raise CommandError(f"Nothing was imported: {len(error.errors)} error(s).") from None
        self.stdout.write(
            f"{report['created']} created, {report['updated']} updated, "
            f"{report['unchanged']} unchanged."
        )
