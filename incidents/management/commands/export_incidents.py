import sys

from django.core.management.base import BaseCommand

from config.renderers import dumps
from incidents.bundles import export_bundle
from incidents.models import Incident


class Command(BaseCommand):
    help = (
        "Write incidents with their claims, figures and denials, and the sources, reports and "
        "categories they cite, as a bundle (JSON) that import_incidents reads."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")
        parser.add_argument(
            "--published", action="store_true", help="Only published incidents (default: all)."
        )

    def handle(self, *args, output=None, published=False, **options):
        incidents = Incident.objects.public() if published else Incident.objects.all()
        bundle = export_bundle(incidents)
        data = dumps(bundle, indent=True) + b"\n"
        if output:
            with open(output, "wb") as file:
                file.write(data)
            self.stderr.write(f"Wrote {len(bundle['incidents'])} incident(s) to {output}.")
        else:
            sys.stdout.buffer.write(data)
