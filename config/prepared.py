"""Read queries of a fixed shape, compiled to SQL once and then run with new ids.

Building a query with Django's ORM (resolving its annotations, joins and subqueries)
costs more than running it when the query is a page of nested API output: several
milliseconds a request. The API's read path asks the same few questions every time
("the claims of these incidents", "the denials of these incidents"), differing only in
the ids, so each is compiled once per database and process, and then only executed.

The rows are what ``values()`` would give: dicts under the same names, with the same
field converters applied.
"""

import threading

from django.db import connections
from django.db.models import BooleanField, F, Func


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


class PreparedValues:
    """A ``values()`` query whose only variable is a list of ids.

    ``build(slot)`` returns the queryset, filtering with ``any_of(column, slot)``
    where the ids go. ``rows(ids, using)`` runs it: one query, compiled on first use.
    """

    def __init__(self, build):
        self._build = build
        self._compiled = {}
        self._lock = threading.Lock()

    def _compile(self, using):
        slot = object()
        queryset = self._build(slot).using(using)
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        positions = [i for i, param in enumerate(params) if param is slot]
        if not positions:
            raise ValueError("The prepared query does not use its ids: filter with any_of().")
        if query.selected:
            names = list(query.selected)
        else:
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        fields = [selected[0] for selected in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        return sql, list(params), positions, names, compiler, converters

    def rows(self, ids, using):
        compiled = self._compiled.get(using)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(using) or self._compile(using)
                self._compiled[using] = compiled
        sql, params, positions, names, compiler, converters = compiled
        params = list(params)
        for position in positions:
            params[position] = list(ids)
        with connections[using].cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = compiler.apply_converters(rows, converters)
        return [dict(zip(names, row, strict=True)) for row in rows]
