"""What each gunicorn worker would otherwise load on its first request, loaded once.

With ``preload_app`` the application is imported in gunicorn's master process before
it forks its workers, but Django imports the URLconf (every view, serializer and
filter) on the first request, and the API's read path compiles its fixed-shape queries
on first use: a few hundred milliseconds for every new worker, and a worker recycled
after ``GUNICORN_MAX_REQUESTS`` would make the requests queued behind it wait. Loading
them in the master before the fork gives every worker them for free. The database
connections this opens are closed before the fork: a connection must never be shared
between processes.
"""

from django.conf import settings
from django.db import connections
from django.urls import get_resolver


def warm_up():
    get_resolver().url_patterns  # noqa: B018 - imports every view, serializer and filter
    from incidents.api_read import compile_read_queries

    try:
        for alias in settings.DATABASES:
            compile_read_queries(alias)
    finally:
        connections.close_all()
