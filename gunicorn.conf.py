"""gunicorn settings for the web container: `gunicorn -c gunicorn.conf.py config.wsgi`.

Every value can be changed from the environment, so one image serves a laptop, a
single server and a fleet behind a load balancer.
"""

import multiprocessing
import os
import sys


def _int(name, default):
    value = os.environ.get(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, not {value!r}") from None


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers: the app does its waiting in PostgreSQL, and a worker per core or two keeps
# every request's latency predictable. WEB_CONCURRENCY is the usual name for the count.
worker_class = "sync"
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Recycle workers now and then so slow leaks never add up; the jitter keeps them from
# all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
# Load the application once in the master: workers fork ready, so a recycled worker
# takes over in milliseconds instead of importing Django again (no database connection
# is opened before the fork). GUNICORN_PRELOAD=false to load it in each worker.
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")
# Heartbeat files on a memory file system: a container's disk can stall a worker.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* from the load balancer only (comma-separated addresses, or *).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """With the application preloaded, load what each worker's first request would (the
    URLconf, the API's compiled queries) once, in the master, before the workers fork."""
    if preload_app:
        from config.warmup import warm_up

        warm_up()


def pre_fork(server, worker):
    """Leave what the master has loaded out of the workers' garbage collections, and
    collect their short-lived objects less often (config.warmup.settle_memory()).

    A worker's full collection would otherwise walk every object inherited from the
    master (Django, the URLconf, the compiled queries), taking time on a request and
    writing to every page it visits, which then stops being shared with the master.
    """
    from config.warmup import settle_memory

    settle_memory()


def worker_exit(server, worker):
    """End a worker that is done without Python's teardown of everything it holds.

    The master starts its replacement only once it has exited, and tearing down a
    process with Django loaded takes a tenth of a second or more on a slow machine:
    requests wait for it. The database connections are closed properly and the logs
    flushed first; nothing else of a worker needs its finalizers run. A worker ending
    with an error status (it failed to boot, say) keeps it: the master acts on it.
    """
    import logging

    ending = sys.exc_info()[1]
    if not isinstance(ending, SystemExit) or ending.code not in (0, None):
        return

    from django.db import connections

    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)
