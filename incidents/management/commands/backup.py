from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from ._postgres import connection_env, find_program, run


class Command(BaseCommand):
    help = (
        "Write a complete backup of the database (every record and its whole history) "
        "to one file, with pg_dump in its custom format. Restore it with `manage.py restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            help="The file to write (default: backups/incident-tracker-<UTC time>.dump).",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, output=None, database="default", **options):
        env, server_major = connection_env(database)
        pg_dump = find_program("pg_dump", server_major)
        if output is None:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.BASE_DIR) / "backups" / f"incident-tracker-{stamp}.dump"
        output = Path(output)
        output.parent.mkdir(parents=True, exist_ok=True)
        # Custom format: compressed, and pg_restore can restore it selectively.
        run([pg_dump, "--format=custom", "--no-owner", "--file", output], env)
        self.stdout.write(
            self.style.SUCCESS(f"Backup written to {output} ({output.stat().st_size} bytes).")
        )
