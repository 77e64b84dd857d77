"""Read queries of a fixed shape, compiled to SQL once and then run with new values.

Building a query with Django's ORM (resolving its annotations, joins and subqueries)
costs more than running it when the query is a page of nested API output: several
milliseconds a request. The API's read path asks the same few questions every time
("the claims of these incidents", "the denials of these incidents", "the page of the
archive after this cursor"), differing only in the ids or the cursor's values, so each
is compiled once per database and process, and then only executed (PreparedValues).
A filter's condition whose nested subqueries cost as much is compiled the same way and
given only its values (Condition).

The rows are what ``values()`` would give: dicts under the same names, with the same
field converters applied (or tuples in the same column order, for callers that read
many rows and index them by position).

On PostgreSQL each query is also prepared on the server, once per connection: the
claims of a page cost about as much to plan as to run. Prepared statements do not
survive a pooler in transaction mode (PgBouncer before 1.21), so a database marked
DISABLE_SERVER_SIDE_CURSORS (how this project is configured behind one) plans every
time as before.
"""

import sys
import threading
import uuid

import orjson
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import BooleanField, Expression, F, Func

try:
    import psycopg
except ImportError:  # pragma: no cover - psycopg 2
    psycopg = None


class any_of(Func):
    """``column = ANY(%s)`` in a filter: the ids given as one array parameter, which the
    compiled SQL keeps as a single placeholder found again by identity."""

    output_field = BooleanField()
    conditional = True
    arity = 1

    def __init__(self, column, slot):
        super().__init__(F(column))
        self.slot = slot

    def as_sql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{sql} = ANY(%s)", (*params, self.slot)


class Slot(Expression):
    """A value given on each run of a PreparedValues query (a cursor's sort values, say):
    compiled as one placeholder, found again by identity."""

    def __init__(self, slot, output_field):
        super().__init__(output_field=output_field)
        self.slot = slot

    def as_sql(self, compiler, connection):
        return "%s", (self.slot,)


class PreparedValues:
    """A ``values()`` query whose only variables are a few values given on each run.

    ``build(*slots)`` returns the queryset, with each slot where a value goes: in
    ``any_of(column, slot)`` for a list of ids, or ``Slot(slot, field)`` for one value.
    ``run(values, using)`` runs it with the values in the slots' order: one query,
    compiled on first use; ``dicts(values, using)`` gives its rows as dicts.
    ``tuples(ids, using)`` runs a query of one slot, a list of ids.
    """

    def __init__(self, build, slots=1):
        self._build = build
        self._slots = slots
        self._compiled = {}
        self._lock = threading.Lock()

    def _compile(self, using):
        slots = [object() for _ in range(self._slots)]
        queryset = self._build(*slots).using(using)
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        positions = [
            (i, n)
            for i, param in enumerate(params)
            for n, slot in enumerate(slots)
            if param is slot
        ]
        if {n for _, n in positions} != set(range(len(slots))):
            raise ValueError(
                "The prepared query does not use each of its values: filter with any_of() "
                "or Slot()."
            )
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        # Columns whose field says the cursor decodes them (see _JSONLoader) need no
        # converter of Django's.
        converters = {
            position: converter
            for position, converter in compiler.get_converters(fields).items()
            if not (
                _cursor_decodes(connections[using])
                and getattr(fields[position].output_field, "decoded_by_cursor", False)
            )
        }
        return sql, list(params), positions, names, compiler, converters

    def _compiled_for(self, using):
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        return compiled

    def columns(self, using):
        """The names of the columns, in the order of tuples()' values."""
        return self._compiled_for(using)[3]

    def run(self, values, using):
        """The rows as tuples, in the order of columns(), converters applied."""
        sql, params, positions, _, compiler, converters = self._compiled_for(using)
        params = list(params)
        for position, slot in positions:
            params[position] = values[slot]
        connection = connections[using]
        with connection.cursor() as cursor:
            if _cursor_decodes(connection):
                _fast_loaders(connection, cursor.cursor)
            execute(connection, cursor, sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        return rows

    def tuples(self, ids, using):
        return self.run((list(ids),), using)

    def dicts(self, values, using):
        """run()'s rows as dicts under the columns' names, as ``values()`` gives them."""
        names = self.columns(using)
        return [dict(zip(names, row, strict=True)) for row in self.run(values, using)]


if psycopg is not None:

    class _JSONLoader(psycopg.adapt.Loader):
        """json and jsonb decoded by orjson as they are read (Django's cursors read jsonb
        as text and decode it in a converter, json with the standard library). The
        driver calls ``load`` for each value: orjson's own function, not a method
        around it, so a value costs no Python call."""

        load = staticmethod(orjson.loads)


def _cursor_decodes(connection):
    return psycopg is not None and connection.vendor == "postgresql"


def _fast_loaders(connection, cursor):
    """Decode json with orjson and, where the session's time zone is the one Django
    reads timestamps in (UTC, as Django sets it), timestamps with psycopg's own loader:
    the same values, without the Python call Django's loader wraps around it for each
    (a page's claims have a few hundred)."""
    if psycopg is None or not isinstance(cursor, psycopg.Cursor):
        return
    adapters = cursor.adapters
    adapters.register_loader("jsonb", _JSONLoader)
    adapters.register_loader("json", _JSONLoader)
    if cursor.connection.info.timezone == connection.timezone:
        from django.db.backends.postgresql.psycopg_any import orig_tz_loader_cls

        adapters.register_loader("timestamptz", orig_tz_loader_cls)


def _may_prepare(connection):
    return (
        psycopg is not None
        and connection.vendor == "postgresql"
        and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    )


class _PreparingCursor(psycopg.Cursor if psycopg is not None else object):
    """A psycopg cursor binding its parameters on the server and preparing its query."""

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def execute(connection, cursor, sql, params):
    """Run ``sql`` on Django's ``cursor``, prepared on the server where the database allows."""
    if _may_prepare(connection):
        _prepared_execute(connection, cursor, sql, params)
    else:
        cursor.execute(sql, params)


def _prepared_execute(connection, cursor, sql, params):
    """Run ``sql`` on Django's ``cursor`` (its wrappers, logging and error translation
    kept) through a cursor of the same connection that prepares it on the server.

    Django's own cursors bind their parameters on the client, which PostgreSQL cannot
    prepare, and Django turns psycopg's prepared statements off for the connection:
    they are allowed here just for this statement.
    """
    client = cursor.cursor
    pgconn = client.connection
    server = _PreparingCursor(pgconn)
    # Timestamps in the time zone Django's cursors read them in (as create_cursor()).
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    loader = pgconn.adapters.get_loader(TIMESTAMPTZ_OID, psycopg.pq.Format.TEXT)
    if connection.timezone != loader.timezone:
        register_tzloader(connection.timezone, server)
    _fast_loaders(connection, server)
    cursor.cursor = server
    threshold = pgconn.prepare_threshold
    if threshold is None:
        pgconn.prepare_threshold = sys.maxsize  # only what asks for it is prepared
    try:
        cursor.execute(sql, params)
    finally:
        pgconn.prepare_threshold = threshold
        client.close()


_OUTER = "\x00outer\x00"


class _CompiledCondition(Expression):
    """Condition's SQL in a query: the outer row's id filled in as this query names it."""

    conditional = True

    def __init__(self, sql, params):
        super().__init__(output_field=BooleanField())
        self.sql, self.params = sql, tuple(params)
        self.outer = F("pk")

    def get_source_expressions(self):
        return [self.outer]

    def set_source_expressions(self, exprs):
        (self.outer,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.outer)
        return f"({self.sql.replace(_OUTER, column)})", (*params, *self.params)


class Condition:
    """A condition on a model's rows, built with the ORM and compiled to SQL once per
    process, then only given its values: for a filter whose nested subqueries cost
    more to build and compile than to run (several milliseconds a request).

    ``build(*slots)`` returns the condition (a Q or a boolean expression), each slot (a
    string) where a value goes. ``condition(*values)`` is then an expression for
    ``filter()`` or ``exclude()`` of any query of the model, a subquery's included: the
    outer row is referred to by its primary key, as the query names it.
    """

    def __init__(self, model, build, slots=0):
        self._model = model
        self._build = build
        self._slots = slots
        self._compiled = None
        self._lock = threading.Lock()

    def _compile(self):
        slots = [f"slot {n} {uuid.uuid4().hex}" for n in range(self._slots)]
        query = self._model._default_manager.filter(self._build(*slots)).query
        compiler = query.get_compiler(DEFAULT_DB_ALIAS)
        compiler.pre_sql_setup()
        sql, params = compiler.compile(compiler.where)
        quote = compiler.connection.ops.quote_name
        table = quote(self._model._meta.db_table)
        outer = f"{table}.{quote(self._model._meta.pk.column)}"
        # Subqueries name their tables by aliases ("U0"): a column named by the table
        # itself is the outer row's.
        if sql.count(f"{table}.") != sql.count(outer):
            raise ValueError("The condition refers to the outer row by more than its id.")
        positions = [(i, slots.index(p)) for i, p in enumerate(params) if p in slots]
        if {n for _, n in positions} != set(range(len(slots))):
            raise ValueError("The condition does not use each of its values.")
        return sql.replace(outer, _OUTER), list(params), positions

    def __call__(self, *values):
        if self._compiled is None:
            with self._lock:
                self._compiled = self._compiled or self._compile()
        sql, params, positions = self._compiled
        params = list(params)
        for position, slot in positions:
            params[position] = values[slot]
        return _CompiledCondition(sql, params)
