"""PostgreSQL backend that starts the embedded server before its first connection."""

from pathlib import Path

from django.db.backends.postgresql import base

from . import socket_dir


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        params["host"] = socket_dir(Path(self.settings_dict["OPTIONS_PGDATA"]))
        return params
