"""Django's Redis cache, with one Redis client per connection pool.

Django's RedisCacheClient builds a new ``redis.Redis`` for every cache operation, and
building one (its table of response callbacks) costs more than a GET on loopback. An
API request makes a few operations (the throttles' counters, the cached parts of its
answer), so the client is kept: ``redis.Redis`` is safe to share between threads, and
its pool reconnects in a process forked after it was made.
"""

import hashlib

# Django's backend imports redis-py on its first use, which in gunicorn is each
# worker's first request; imported here, it is loaded once in the master
# (config.warmup) and every worker inherits it.
import redis  # noqa: F401
from django.core.cache.backends import redis as django_redis


def code_digest(*paths):
    """A digest of these files (the code that shapes a cached value), for its cache key:
    entries written by an earlier release are never read by a later one."""
    return hashlib.sha256(b"".join(path.read_bytes() for path in paths)).hexdigest()[:12]


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
