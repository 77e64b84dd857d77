"""The Redis cache backend keeps one client per connection pool, and behaves as Django's."""

import socket
import uuid

import pytest

from config.cache import RedisCache

REDIS = "redis://127.0.0.1:6379/15"


def _redis_up():
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _redis_up(), reason="no Redis server on 127.0.0.1:6379")


def test_the_backend_reads_and_writes_as_djangos_with_one_client():
    cache = RedisCache(REDIS, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})
    cache.set("claims", [{"id": 1, "figures": [3, 5]}], 30)
    cache.set_many({"a": 1, "b": "two"}, 30)
    assert cache.get("claims") == [{"id": 1, "figures": [3, 5]}]
    assert cache.get_many(["a", "b", "missing"]) == {"a": 1, "b": "two"}
    assert cache.incr("a") == 2
    cache.delete_many(["a", "b", "claims"])
    assert cache.get("claims") is None

    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client  # one server: reads use the same pool
