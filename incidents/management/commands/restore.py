from pathlib import Path

import psycopg
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg import sql

from ._postgres import connection_env, find_program, restore_archive


class Command(BaseCommand):
    help = (
        "Restore a backup written by `manage.py backup`. By default it replaces the "
        "contents of the configured database (after asking); with --into NAME it creates "
        "a new database NAME on the same server and restores into it, leaving the current "
        "one untouched (to inspect a backup before switching to it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The backup file.")
        parser.add_argument(
            "--into", metavar="NAME", help="Create this new database and restore into it."
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation before replacing the database.",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args, file, into=None, interactive=True, database="default", **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No backup file at {path}.")
        env, server_major = connection_env(database)
        pg_restore = find_program("pg_restore", server_major)
        if into:
            self._create_database(database, into)
            env["PGDATABASE"] = into
            target = f"the new database {into}"
        else:
            target = f"the database {env.get('PGDATABASE')}"
            if interactive:
                answer = input(
                    f"This replaces everything in {target} with the backup {path}. "
                    "Type 'yes' to continue: "
                )
                if answer.strip().lower() != "yes":
                    raise CommandError("Restore cancelled.")
            # Nothing of ours may hold a lock on the tables being replaced.
            connections[database].close()
        restore_archive(pg_restore, path, env, server_major, clean=not into)
        self.stdout.write(self.style.SUCCESS(f"Restored {path} into {target}."))

    def _create_database(self, alias, name):
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone():
                raise CommandError(f"A database named {name} exists already: choose a new name.")
        # CREATE DATABASE cannot run in a transaction, so on its own autocommit connection.
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
