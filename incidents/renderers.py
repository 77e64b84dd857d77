"""CSV and GeoJSON renderings of what incidents.api_read builds."""

import csv
import io

from rest_framework.renderers import BaseRenderer

from config.renderers import dumps

# Spreadsheets run a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

CSV_COLUMNS = [
    "incident_id",
    "incident_slug",
    "incident_url",
    "incident_title",
    "incident_status",
    "occurred_start",
    "occurred_end",
    "occurred_precision",
    "place_name",
    "region",
    "country",
    "latitude",
    "longitude",
    "location_precision",
    "assessment",
    "contested",
    "dispute_reasons",
    "killed_min",
    "killed_max",
    "incident_updated_at",
    "claim_id",
    "claim_kind",
    "source_id",
    "source_slug",
    "source_name",
    "source_kind",
    "statement",
    "claimed_on",
    "attributed_to_slug",
    "attributed_to_name",
    "denied_by",
    "report_id",
    "report_url",
    "report_publisher",
    "report_title",
    "report_published_on",
    "figure_category",
    "figure_min",
    "figure_max",
    "figure_approximate",
    "figure_as_said",
]


def cell(value):
    """A CSV cell that a spreadsheet shows as text and never runs."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, list):
        value = "; ".join(str(item) for item in value)
    elif hasattr(value, "isoformat"):
        value = value.isoformat().replace("+00:00", "Z")
    else:
        value = str(value)
    if value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_rows(incident):
    """One row per claim figure; a claim without figures, or an incident without claims,
    still gets one row, so that nothing is left out."""
    killed = incident["casualties"].get("killed", {})
    base = {
        "incident_id": incident["id"],
        "incident_slug": incident["slug"],
        "incident_url": incident["url"],
        "incident_title": incident["title"],
        "incident_status": incident["status"],
        "occurred_start": incident["occurred"]["start"],
        "occurred_end": incident["occurred"]["end"],
        "occurred_precision": incident["occurred"]["precision"],
        "place_name": incident["location"]["name"],
        "region": incident["location"]["region"],
        "country": incident["location"]["country"],
        "latitude": incident["location"]["lat"],
        "longitude": incident["location"]["lon"],
        "location_precision": incident["location"]["precision"],
        "assessment": incident["assessment"]["grade"],
        "contested": incident["dispute"]["contested"],
        "dispute_reasons": incident["dispute"]["reasons"],
        "killed_min": killed.get("min"),
        "killed_max": killed.get("max"),
        "incident_updated_at": incident["updated_at"],
    }
    if not incident["claims"]:
        yield base
    for claim in incident["claims"]:
        report = claim["report"] or {}
        accused = claim["attributed_to"] or {}
        row = {
            **base,
            "claim_id": claim["id"],
            "claim_kind": claim["kind"],
            "source_id": claim["source"]["id"],
            "source_slug": claim["source"]["slug"],
            "source_name": claim["source"]["name"],
            "source_kind": claim["source"]["kind"],
            "statement": claim["statement"],
            "claimed_on": claim["claimed_on"],
            "attributed_to_slug": accused.get("slug"),
            "attributed_to_name": accused.get("name"),
            "denied_by": claim["denied_by"],
            "report_id": report.get("id"),
            "report_url": report.get("url"),
            "report_publisher": report.get("publisher"),
            "report_title": report.get("title"),
            "report_published_on": report.get("published_on"),
        }
        if not claim["figures"]:
            yield row
        for figure in claim["figures"]:
            yield {
                **row,
                "figure_category": figure["category"],
                "figure_min": figure["min"],
                "figure_max": figure["max"],
                "figure_approximate": figure["approximate"],
                "figure_as_said": figure["as_said"],
            }


def _incidents(data):
    """The incidents of a page ({"results": [...]}) or of a single incident."""
    if "results" in data:
        return data["results"]
    return [data]


class CSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Disposition"] = 'attachment; filename="incidents.csv"'
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        for incident in _incidents(data):
            for row in csv_rows(incident):
                writer.writerow({key: cell(value) for key, value in row.items()})
        return out.getvalue().encode("utf-8")


def feature(incident):
    properties = {k: v for k, v in incident.items() if k not in ("claims", "denials")}
    lat, lon = incident["location"]["lat"], incident["location"]["lon"]
    geometry = None
    if lat is not None and lon is not None:
        geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "id": incident["id"], "geometry": geometry, "properties": properties}


class GeoJSONRenderer(BaseRenderer):
    """A FeatureCollection of the incidents that have coordinates (one incident: a Feature)."""

    media_type = "application/geo+json"
    format = "geojson"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if "results" not in data:
            return dumps(feature(data))
        features = [
            feature(incident)
            for incident in data["results"]
            if incident["location"]["lat"] is not None and incident["location"]["lon"] is not None
        ]
        return dumps(
            {
                "type": "FeatureCollection",
                "features": features,
                "next": data.get("next"),
                "previous": data.get("previous"),
            }
        )
