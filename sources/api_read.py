"""The API's read shapes of sources and reports, built from ``values()`` rows.

Rows name a source's columns with a prefix ("source", "report__publisher"...) so one
row can carry several sources. Protected sources come out as the contract says,
``{"id": null, "slug": null, "name": "Protected source", "kind": ...}``, unless the
reader is staff.
"""

from .models import PROTECTED_NAME

SUMMARY = ("id", "slug", "name", "kind", "protected")
REPORT_SUMMARY = ("id", "url", "title", "published_on")


def source_columns(prefix):
    return [f"{prefix}__{name}" for name in SUMMARY]


def report_columns(prefix):
    return [f"{prefix}__{name}" for name in REPORT_SUMMARY] + source_columns(f"{prefix}__publisher")


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
]


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
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
