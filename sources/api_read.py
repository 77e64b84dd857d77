"""The API's read shapes of sources and reports, built from ``values()`` rows.

Rows name a source's columns with a prefix ("source", "report__publisher"...) so one
row can carry several sources. Protected sources come out as the contract says,
``{"id": null, "slug": null, "name": "Protected source", "kind": ...}``, unless the
reader is staff.
"""

from datetime import datetime

import orjson
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, Func, JSONField, OuterRef, TextField, Value
from django.db.models.functions import Cast

from .models import PROTECTED_NAME, Capture

SUMMARY = ("id", "slug", "name", "kind", "protected")
REPORT_SUMMARY = ("id", "url", "title", "published_on")


class JSONArrayField(JSONField):
    """json_array()'s column, decoded with orjson: a page holds about a thousand of
    them, and PostgreSQL's jsonb text is always valid JSON of plain values.
    config.prepared's cursors decode it themselves as they read it."""

    decoded_by_cursor = True

    def from_db_value(self, value, expression, connection):
        if not isinstance(value, str):
            return value  # json (not jsonb) columns come decoded by psycopg
        return orjson.loads(value)


def json_array(queryset):
    """A one-column ``values(json=JSONObject(...))`` subquery as one JSON array column:
    a single value to decode per row (an SQL array of JSON would be one per element)."""
    return Func(ArraySubquery(queryset), function="to_jsonb", output_field=JSONArrayField())


class JSONBuildObject(Func):
    """``json_build_object()``: a json (not jsonb) object of these keys and columns.

    Cheaper for PostgreSQL to build than JSON_OBJECT(... RETURNING JSONB), and its keys
    keep their order, where jsonb sorts them: for items that the read path turns into
    dicts of its own, not for ones it passes on as they are.
    """

    function = "json_build_object"
    output_field = JSONField()

    def __init__(self, **fields):
        expressions = []
        for key, value in fields.items():
            expressions += [Cast(Value(key), TextField()), F(value)]
        super().__init__(*expressions)


def json_list(queryset):
    """json_array() of a ``values(json=JSONBuildObject(...))`` subquery, as json."""
    return Func(ArraySubquery(queryset), function="array_to_json", output_field=JSONArrayField())


def source_columns(prefix):
    return [f"{prefix}__{name}" for name in SUMMARY]


def report_columns(prefix):
    return [f"{prefix}__{name}" for name in REPORT_SUMMARY] + source_columns(f"{prefix}__publisher")


def captures_column(prefix):
    """The annotation holding the captures of the report at ``prefix`` ("" for the row's own)."""
    return f"{prefix.replace('__', '_')}_captures" if prefix else "archived_captures"


def captures_annotation(prefix):
    """``{name: expression}`` for ``annotate()``: the report's archived captures, oldest
    first, as one array column of the same row (no query of their own).

    Failed captures are left out: they hold no copy of the page and no hash to check
    one against (staff see them in the admin).
    """
    captures = (
        Capture.objects.archived()
        .filter(report=OuterRef(prefix or "pk"))
        .order_by("captured_at", "id")
        .values(
            json=JSONBuildObject(
                sha256="sha256", captured_at="captured_at", url="final_url", status="http_status"
            )
        )
    )
    return {captures_column(prefix): json_list(captures)}


def captures(row, prefix, hidden):
    """The captures of a row annotated with captures_annotation(), as the API shows them.

    A protected publisher's captures are withheld like its address: the page's own
    address, or its hash, would name it.
    """
    if hidden:
        return []
    return _captures(row[captures_column(prefix)] or [])


def _captures(items):
    return [
        {
            "sha256": item["sha256"] or None,
            "captured_at": datetime.fromisoformat(item["captured_at"]),
            "url": item["url"] or None,
            "status": item["status"],
        }
        for item in items
    ]


def withheld(row, prefix, staff):
    """True when this source's identity must not be shown to this reader."""
    return not staff and bool(row[f"{prefix}__protected"])


def source_summary(row, prefix, staff):
    pk = row[f"{prefix}__id"]
    if pk is None:
        return None
    if withheld(row, prefix, staff):
        return {"id": None, "slug": None, "name": PROTECTED_NAME, "kind": row[f"{prefix}__kind"]}
    summary = {
        "id": pk,
        "slug": row[f"{prefix}__slug"],
        "name": row[f"{prefix}__name"],
        "kind": row[f"{prefix}__kind"],
    }
    if staff:
        summary["protected"] = row[f"{prefix}__protected"]
    return summary


# The same shapes from rows read as tuples (config.prepared's PreparedValues.tuples):
# a source's SUMMARY columns, and a report's REPORT_SUMMARY then its publisher's, are
# adjacent, so each is found from the position of its id.


def source_summary_at(row, at, staff):
    """source_summary() of the source whose SUMMARY columns start at ``row[at]``."""
    pk = row[at]
    if pk is None:
        return None
    if staff:
        return {
            "id": pk,
            "slug": row[at + 1],
            "name": row[at + 2],
            "kind": row[at + 3],
            "protected": row[at + 4],
        }
    if row[at + 4]:
        return {"id": None, "slug": None, "name": PROTECTED_NAME, "kind": row[at + 3]}
    return {"id": pk, "slug": row[at + 1], "name": row[at + 2], "kind": row[at + 3]}


def source_summary_of(item, staff):
    """source_summary() of a source given as a dict of its SUMMARY (a JSON array item)."""
    pk = item["id"]
    if pk is None:
        return None
    if staff:
        return {
            "id": pk,
            "slug": item["slug"],
            "name": item["name"],
            "kind": item["kind"],
            "protected": item["protected"],
        }
    if item["protected"]:
        return {"id": None, "slug": None, "name": PROTECTED_NAME, "kind": item["kind"]}
    return {"id": pk, "slug": item["slug"], "name": item["name"], "kind": item["kind"]}


def report_summary_at(row, at, captured, staff):
    """The summary of the report whose columns start at ``row[at]`` (report_columns()),
    with ``captured`` its captures column's items: a protected publisher's address and
    captures are withheld from the public."""
    pk = row[at]
    if pk is None:
        return None
    publisher = source_summary_at(row, at + 4, staff)
    # A protected publisher's own address would name it.
    hidden = not staff and bool(row[at + 8])
    return {
        "id": pk,
        "url": None if hidden else (row[at + 1] or None),
        "publisher": publisher["name"],
        "publisher_source": publisher,
        "title": row[at + 2],
        "published_on": row[at + 3],
        "captures": [] if hidden or not captured else _captures(captured),
    }


def _columns_at(names, prefix, columns):
    """The position of the columns ``columns`` (named with ``prefix``) in ``names``,
    checking that they come in that order."""
    at = names.index(f"{prefix}__id")
    if list(names[at : at + len(columns)]) != columns:
        raise ValueError(f"The columns of {prefix} are not in the order the read path reads.")
    return at


def report_columns_at(names, prefix):
    """The position of the report at ``prefix`` in ``names`` (report_summary_at()'s order)."""
    return _columns_at(names, prefix, report_columns(prefix))


def source_columns_at(names, prefix):
    """The position of the source at ``prefix`` in ``names`` (source_summary_at()'s order)."""
    return _columns_at(names, prefix, source_columns(prefix))


SOURCE_VALUES = [
    "id",
    "slug",
    "name",
    "kind",
    "protected",
    "description",
    "based_in",
    "url",
    "aliases",
    "created_at",
    "updated_at",
    *source_columns("parent"),
]


def source(row, staff):
    """A source in full (the /sources/ collection); callers hide protected ones from the public."""
    data = {
        "id": row["id"],
        "slug": row["slug"],
        "name": row["name"],
        "kind": row["kind"],
        "parent": source_summary(row, "parent", staff),
        "description": row["description"],
        "based_in": row["based_in"],
        "url": row["url"] or None,
        "aliases": row["aliases"],
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if staff:
        data["protected"] = row["protected"]
    return data


REPORT_VALUES = [
    "id",
    "url",
    "title",
    "published_on",
    "language",
    "archive_url",
    "content_sha256",
    "created_at",
    "updated_at",
    *source_columns("publisher"),
    captures_column(""),
]


def report_rows(queryset):
    """Reports as ``values()`` rows for report(), their captures included."""
    return queryset.annotate(**captures_annotation("")).values(*REPORT_VALUES)


def report(row, staff):
    """A report in full (the /reports/ collection)."""
    publisher = source_summary(row, "publisher", staff)
    hidden = withheld(row, "publisher", staff)
    return {
        "id": row["id"],
        "url": None if hidden else (row["url"] or None),
        "publisher": publisher["name"],
        "publisher_source": publisher,
        "title": row["title"],
        "published_on": row["published_on"],
        "language": row["language"],
        "archive_url": None if hidden else (row["archive_url"] or None),
        "content_sha256": row["content_sha256"] or None,
        "captures": captures(row, "", hidden),
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
