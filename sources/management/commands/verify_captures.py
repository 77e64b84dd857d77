from django.core.management.base import BaseCommand, CommandError

from sources.models import Capture


class Command(BaseCommand):
    help = (
        "Re-read every archived capture's WARC file and re-hash it: the page's SHA-256 and the "
        "file's. Reports each capture that no longer matches; exits non-zero if any."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--report", type=int, help="Only the captures of the report with this id."
        )

    def handle(self, *args, report=None, **options):
        captures = Capture.objects.archived().select_related("report").order_by("id")
        if report is not None:
            captures = captures.filter(report_id=report)
        checked = tampered = 0
        for capture in captures.iterator(chunk_size=200):
            checked += 1
            problems = capture.verify()
            if problems:
                tampered += 1
                self.stderr.write(
                    f"MISMATCH capture #{capture.pk} of report #{capture.report_id} "
                    f"({capture.requested_url}, captured {capture.captured_at:%Y-%m-%d %H:%M} "
                    "UTC): " + "; ".join(problems)
                )
            elif options["verbosity"] >= 2:
                self.stdout.write(f"ok capture #{capture.pk} {capture.sha256}")
        summary = f"{checked} capture(s) checked, {tampered} mismatched."
        if tampered:
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))
