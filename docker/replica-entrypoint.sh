#!/bin/sh
# A streaming replica of $PRIMARY_HOST: cloned once with pg_basebackup, then following it.
# -R writes standby.signal and primary_conninfo, so PostgreSQL starts as a hot standby.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -q -h "$PRIMARY_HOST" -p "${PRIMARY_PORT:-5432}"; do sleep 1; done
  PGPASSWORD="$REPLICATION_PASSWORD" pg_basebackup \
    -h "$PRIMARY_HOST" -p "${PRIMARY_PORT:-5432}" -U replicator -D "$PGDATA" -X stream -c fast -R
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on "$@"
