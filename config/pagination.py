"""Cursor pagination on a sort key that ends with the unique id.

The cursor holds the sort values of the row a page starts after, so a page never
shifts when rows are added or removed elsewhere, and no page needs COUNT(*) or
OFFSET. Each view names its orderings (``cursor_orderings``: the ``ordering``
parameter's values and the fields they sort by, the last one unique).
"""

import base64
import binascii
import collections
import datetime
import json
import threading

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import F, Q
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from .prepared import PreparedValues, Slot

NOTHING = Q(pk__in=[])


class _Recent:
    """The prepared page queries this process used last (a few dozen at most)."""

    def __init__(self, size):
        self._size = size
        self._items = collections.OrderedDict()
        self._lock = threading.Lock()

    def get(self, key, make):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                item = self._items[key] = make()
                if len(self._items) > self._size:
                    self._items.popitem(last=False)
            else:
                self._items.move_to_end(key)
            return item


_PAGES = _Recent(64)


def _beyond(name, descending, value, nullable):
    """Rows after ``value`` in this column's order (PostgreSQL puts NULLs last ascending)."""
    if value is None:
        return Q(**{f"{name}__isnull": False}) if descending else NOTHING
    if descending:
        return Q(**{f"{name}__lt": value})
    after = Q(**{f"{name}__gt": value})
    return after | Q(**{f"{name}__isnull": True}) if nullable else after


def _from(name, descending, value, nullable):
    """Rows at or after ``value`` in this column's order: an index range."""
    if value is None:
        return Q() if descending else Q(**{f"{name}__isnull": True})
    if descending:
        return Q(**{f"{name}__lte": value})
    start = Q(**{f"{name}__gte": value})
    return start | Q(**{f"{name}__isnull": True}) if nullable else start


def _same(name, value):
    return Q(**{f"{name}__isnull": True}) if value is None else Q(**{name: value})


def _plain(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


class KeysetPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    ordering_query_param = "ordering"
    page_size = 50
    max_page_size = 200
    orderings = {"id": ("id",)}

    def get_orderings(self, view):
        return getattr(view, "cursor_orderings", self.orderings)

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= self.max_page_size:
            raise serializers.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return size

    def get_ordering_name(self, request, view):
        orderings = self.get_orderings(view)
        default = next(iter(orderings))
        if len(orderings) == 1:
            return default
        name = request.query_params.get(self.ordering_query_param) or default
        if name not in orderings:
            raise serializers.ValidationError(
                {self.ordering_query_param: [f"Choose one of: {', '.join(orderings)}."]}
            )
        return name

    def decode_cursor(self, request, ordering, width):
        raw = request.query_params.get(self.cursor_query_param)
        if not raw:
            return None
        invalid = serializers.ValidationError(
            {self.cursor_query_param: ["Invalid cursor: use the next or previous link as given."]}
        )
        try:
            padded = raw + "=" * (-len(raw) % 4)
            cursor = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (ValueError, UnicodeError, binascii.Error):
            raise invalid from None
        if not (
            isinstance(cursor, dict)
            and cursor.get("d") in ("n", "p")
            and isinstance(cursor.get("v"), list)
            and len(cursor["v"]) == width
            and all(v is None or isinstance(v, str | int) for v in cursor["v"])
        ):
            raise invalid
        if cursor.get("o") != ordering:
            raise serializers.ValidationError(
                {
                    self.cursor_query_param: [
                        "This cursor belongs to another ordering: start again without it."
                    ]
                }
            )
        return cursor

    def encode_cursor(self, direction, values):
        cursor = {"o": self.ordering, "d": direction, "v": [_plain(v) for v in values]}
        raw = base64.urlsafe_b64encode(json.dumps(cursor, separators=(",", ":")).encode())
        token = raw.decode("ascii").rstrip("=")
        return replace_query_param(self.base_url, self.cursor_query_param, token)

    def paginate_queryset(self, queryset, request, view=None):
        def fetch(columns, keys, values, size):
            page = self._ordered(queryset, columns, keys)
            if values is not None:
                values = self._checked(page.model, columns, values)
                try:
                    page = page.filter(self._after(page.model, columns, values))
                except (ValidationError, ValueError, TypeError):
                    raise self._invalid_cursor() from None
            return list(page[: size + 1])

        return self._paginate(request, view, fetch)

    def paginate_prepared(self, build, key, request, view=None, *, model, using):
        """As ``paginate_queryset(build())``, for a list whose query varies with nothing
        but the cursor: the page's query is compiled once per ``key`` (what ``build()``
        depends on), ordering, cursor and page size, and prepared on the server
        (config.prepared), so a request neither builds nor plans it. The ordering's
        columns are ``model``'s fields."""

        def fetch(columns, keys, values, size):
            checked = [] if values is None else self._checked(model, columns, values)
            given = [value for value in checked if value is not None]
            shape = (
                key,
                tuple(columns),
                None if values is None else tuple(value is None for value in values),
                size,
                using,
            )

            def page(*slots):
                queryset = self._ordered(build(), columns, keys)
                if values is not None:
                    slotted = iter(slots)
                    cursor = [
                        None if value is None else Slot(next(slotted), field)
                        for value, field in zip(values, self._fields(model, columns), strict=True)
                    ]
                    queryset = queryset.filter(self._after(model, columns, cursor))
                return queryset[: size + 1]

            prepared = _PAGES.get(shape, lambda: PreparedValues(page, slots=len(given)))
            return prepared.dicts(given, using)

        return self._paginate(request, view, fetch)

    def _paginate(self, request, view, fetch):
        """The page ``fetch(columns, keys, cursor values, size)`` reads (``size + 1`` rows
        at most, each with its sort values under ``keys``), and its links."""
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering_name(request, view)
        fields = self.get_orderings(view)[self.ordering]
        size = self.get_page_size(request)
        cursor = self.decode_cursor(request, self.ordering, len(fields))

        columns = [(field.lstrip("-"), field.startswith("-")) for field in fields]
        keys = [f"_cursor_{i}" for i in range(len(columns))]
        backwards = cursor is not None and cursor["d"] == "p"
        if backwards:  # the previous page: walk the other way, then turn the rows round
            columns = [(name, not descending) for name, descending in columns]
        rows = fetch(columns, keys, None if cursor is None else cursor["v"], size)
        more = len(rows) > size
        rows = rows[:size]
        if backwards:
            rows.reverse()
        positions = [tuple(row.pop(key) for key in keys) for row in rows]

        self.next_link = self.previous_link = None
        if rows:
            first, last = positions[0], positions[-1]
            if more or backwards:
                self.next_link = self.encode_cursor("n", last)
            if cursor is not None and (more or not backwards):
                self.previous_link = self.encode_cursor("p", first)
        elif cursor is not None:
            # Past the end (rows were removed): offer the way back.
            if backwards:
                self.next_link = self.encode_cursor("n", cursor["v"])
            else:
                self.previous_link = self.encode_cursor("p", cursor["v"])
        return rows

    @staticmethod
    def _ordered(queryset, columns, keys):
        queryset = queryset.annotate(
            **{key: F(name) for key, (name, _) in zip(keys, columns, strict=True)}
        )
        return queryset.order_by(*(f"-{n}" if desc else n for n, desc in columns))

    def _invalid_cursor(self):
        return serializers.ValidationError(
            {self.cursor_query_param: ["Invalid cursor: use the links as given."]}
        )

    @staticmethod
    def _fields(model, columns):
        return [model._meta.get_field(name) for name, _ in columns]

    def _checked(self, model, columns, values):
        """The cursor's sort values as their fields read them, within the range their
        columns hold (a value no page could have ends in "Invalid cursor", never in a
        database error). Columns the view sorts by that are not fields (annotations)
        keep their values as given."""
        checked = []
        try:
            for value, (name, _) in zip(values, columns, strict=True):
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
                if value is not None and field is not None:
                    value = field.to_python(value)
                    field.run_validators(value)
                checked.append(value)
        except (ValidationError, ValueError, TypeError):
            raise self._invalid_cursor() from None
        return checked

    @staticmethod
    def _after(model, columns, values):
        """Rows after these sort values: (a > x) or (a = x and b > y) or ...

        The first column's own bound (a >= x) is repeated outside the OR, so that
        PostgreSQL can start an index scan there instead of filtering every row.
        """
        condition, same, bound = NOTHING, Q(), None
        for (name, descending), value in zip(columns, values, strict=True):
            try:
                nullable = model._meta.get_field(name).null
            except FieldDoesNotExist:
                nullable = False  # annotations the views sort by are never NULL
            beyond = _beyond(name, descending, value, nullable)
            if bound is None:
                bound = _from(name, descending, value, nullable)
            condition |= same & beyond
            same &= _same(name, value)
        return bound & condition

    def get_link_header(self):
        """The page links as an HTTP Link header, for formats with no room for them (CSV)."""
        links = [
            f'<{url}>; rel="{rel}"'
            for rel, url in (("next", self.next_link), ("prev", self.previous_link))
            if url
        ]
        return {"Link": ", ".join(links)} if links else {}

    def get_paginated_response(self, data):
        return Response(
            {"next": self.next_link, "previous": self.previous_link, "results": data},
            headers=self.get_link_header(),
        )

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Where the page starts: take it from the `next` or `previous` "
                "link of the page before. Opaque.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, 1 to {self.max_page_size} "
                f"(default {self.page_size}); more is refused with 400.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema):
        link = {"type": "string", "format": "uri", "nullable": True}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {**link, "example": "https://host/api/v1/incidents/?cursor=eyJvIjoi"},
                "previous": {**link, "example": None},
                "results": schema,
            },
        }
