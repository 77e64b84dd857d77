"""What each gunicorn worker would otherwise load on its first request, loaded once.

With ``preload_app`` the application is imported in gunicorn's master process before
it forks its workers, but Django imports the URLconf (every view, serializer and
filter) and builds its tables for reverse() on the first request, the cache backend
imports its client library on first use, and the API's read path compiles its
fixed-shape queries on first use: up to a second for every new worker on a slow
machine, and a worker recycled
after ``GUNICORN_MAX_REQUESTS`` would make the requests queued behind it wait. Loading
them in the master before the fork gives every worker them for free. The database
connections this opens are closed before the fork: a connection must never be shared
between processes.
"""

import gc

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.urls import get_resolver


def _populate(resolver):
    """Build the resolver's table for reverse(), and its namespaces' (each is built on
    the first reverse() into it: tens of milliseconds on a worker's first request)."""
    resolver.reverse_dict  # noqa: B018
    for _prefix, namespace in resolver.namespace_dict.values():
        _populate(namespace)


def warm_up():
    get_resolver().url_patterns  # noqa: B018 - imports every view, serializer and filter
    _populate(get_resolver())
    for alias in settings.CACHES:
        # Imports the backend and its client library (config.cache imports redis-py:
        # most of a second on a slow machine without compiled bytecode); it connects
        # on first use, in the worker.
        caches[alias]
    from incidents.api_read import compile_read_queries

    try:
        for alias in settings.DATABASES:
            compile_read_queries(alias)
    finally:
        connections.close_all()


# Allocations between two young-generation collections (Python's default is 700). A
# page of the API builds some 20,000 dicts and lists that all live until the response
# is written: at 700 each is walked by the collector two or three times on the way,
# about a sixth of the request's time, though none of them is ever part of a cycle.
# At 20,000 most are freed by their reference counts before a collection comes.
GC_YOUNG_THRESHOLD = 20_000


def settle_memory():
    """Prepare this process to serve requests, as gunicorn's master does before each
    fork: what exists now is left out of every later collection (gc.freeze()), and the
    young generation is collected less often (GC_YOUNG_THRESHOLD)."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)
