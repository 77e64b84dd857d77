"""Reads from the replicas, writes to the primary, and a writer's own reads from the primary.

Replicas are the aliases listed in settings.DATABASE_REPLICAS (from DATABASE_REPLICA_URLS);
without any, everything goes to "default" as in a one-server setup. A replica lags its
primary by a little, so some reads must go to the primary:

- everything in a request that writes, and in requests from a client that wrote in the
  last few seconds (config.middleware.ReadYourWritesMiddleware pins them with
  ``pin_to_primary``), so people see what they just saved;
- everything inside a transaction on the primary, so a read-then-write sees the rows
  it is about to change;
- sessions, which are written and read back on the very next request;
- code wrapped in ``use_primary()`` (maintenance commands, the benchmark).
"""

import random
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

_pinned = ContextVar("pinned_to_primary", default=False)

# Apps whose rows are read back right after being written by the same request chain.
PRIMARY_ONLY_APPS = {"sessions"}


def pin_to_primary(pinned=True):
    """Send this context's reads to the primary; returns a token for ``unpin``."""
    return _pinned.set(pinned)


def unpin(token):
    _pinned.reset(token)


def pinned_to_primary():
    return _pinned.get()


@contextmanager
def use_primary():
    token = pin_to_primary()
    try:
        yield
    finally:
        unpin(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        replicas = settings.DATABASE_REPLICAS
        if (
            not replicas
            or _pinned.get()
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            return DEFAULT_DB_ALIAS
        return random.choice(replicas)

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Replicas hold the primary's rows: an object read from one relates to any other.
        databases = {DEFAULT_DB_ALIAS, *settings.DATABASE_REPLICAS}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # Replicas are read-only copies: their schema arrives by replication.
        return db not in settings.DATABASE_REPLICAS
