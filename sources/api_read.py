"""The API's read shapes of sources and reports, built from ``values()`` rows.

Rows name a source's columns with a prefix ("source", "report__publisher"...) so one
row can carry several sources. Protected sources come out as the contract says,
``{"id": null, "slug": null, "name": "Protected source", "kind": ...}``, unless the
reader is staff.
"""

from datetime import datetime

import orjson
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Func, JSONField, OuterRef
from django.db.models.functions import JSONObject

from .models import PROTECTED_NAME, Capture

SUMMARY = ("id", "slug", "name", "kind", "protected")
REPORT_SUMMARY = ("id", "url", "title", "published_on")


class ReadJSONField(JSONField):
    """A JSON column the read path only reads, decoded with orjson (several times
    faster than the standard library on the hundreds of arrays of a page)."""

    def from_db_value(self, value, expression, connection):
        if not isinstance(value, str | bytes):
            return value  # NULL, or already decoded by the driver
        return orjson.loads(value)


def json_array(queryset):
    """A one-column ``values(json=JSONObject(...))`` subquery as one JSON array column:
    a single value to decode per row (an SQL array of JSON would be one per element)."""
    return Func(ArraySubquery(queryset), function="to_jsonb", output_field=ReadJSONField())


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
            json=JSONObject(
                sha256="sha256", captured_at="captured_at", url="final_url", status="http_status"
            )
        )
    )
    return {captures_column(prefix): json_array(captures)}


def captures(row, prefix, hidden):
    """The captures of a row annotated with captures_annotation(), as the API shows them.

    A protected publisher's captures are withheld like its address: the page's own
    address, or its hash, would name it.
    """
    if hidden:
        return []
    return [
        {
            "sha256": item["sha256"] or None,
            "captured_at": datetime.fromisoformat(item["captured_at"]),
            "url": item["url"] or None,
            "status": item["status"],
        }
        for item in row[captures_column(prefix)] or []
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


def report_summary(row, prefix, staff):
    pk = row[f"{prefix}__id"]
    if pk is None:
        return None
    publisher = source_summary(row, f"{prefix}__publisher", staff)
    # A protected publisher's own address would name it.
    hidden = withheld(row, f"{prefix}__publisher", staff)
    return {
        "id": pk,
        "url": None if hidden else (row[f"{prefix}__url"] or None),
        "publisher": publisher["name"],
        "publisher_source": publisher,
        "title": row[f"{prefix}__title"],
        "published_on": row[f"{prefix}__published_on"],
        "captures": captures(row, prefix, hidden),
    }


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
