"""Examples in the OpenAPI schema, taken from the seed case (the Idlib airstrikes).

api_examples.json is the API's own output for the seed case, as the public sees it,
with ids and timestamps made stable. tests/api/test_examples.py checks that it still
is (and rewrites it when run with UPDATE_API_EXAMPLES=1).
"""

import json
from pathlib import Path

from drf_spectacular.utils import OpenApiExample

PATH = Path(__file__).with_name("api_examples.json")
SEED = "The Idlib airstrikes (the seed case)"

# What the API computes or assigns, left out of write examples.
READ_ONLY = {
    "id",
    "url",
    "casualties",
    "dispute",
    "media",
    "corrections",
    "created_at",
    "updated_at",
}
READ_ONLY_NESTED = {"incident", "denied_by", "updated_at"}


def load():
    return json.loads(PATH.read_text()) if PATH.exists() else {}


def as_input(incident):
    """The incident as a researcher would send it: a draft (ids kept: denials refer to
    claims by them)."""
    data = {key: value for key, value in incident.items() if key not in READ_ONLY}
    data["status"] = "draft"
    for name in ("claims", "denials"):
        data[name] = [
            {key: value for key, value in item.items() if key not in READ_ONLY_NESTED}
            for item in incident[name]
        ]
    return data


def _example(name, value, **kwargs):
    return OpenApiExample(name, value=value, **kwargs)


def incident():
    data = load()
    if not data:
        return []
    return [_example(SEED, data["incident"], response_only=True, media_type="application/json")]


def incident_list():
    data = load()
    if not data:
        return []
    # drf-spectacular puts it in a page of results.
    return [_example(SEED, data["incident"], response_only=True, media_type="application/json")]


def incident_input():
    data = load()
    if not data:
        return []
    return [_example(SEED, as_input(data["incident"]), request_only=True)]


def bundle():
    data = load()
    if not data:
        return []
    return [_example(SEED, {"incidents": [as_input(data["incident"])]}, request_only=True)]


def _nested(name, pick):
    data = load()
    if not data:
        return []
    item = next(item for item in data["incident"][name] if pick(item))
    return [_example(SEED, item, response_only=True)]


def claim():
    """The Observatory's attribution, with the denials that answer it."""
    return _nested("claims", lambda claim: claim["kind"] == "attribution")


def denial():
    """The Russian Defense Ministry's denial."""
    return _nested("denials", lambda denial: denial["source"]["slug"] == "russian-defense-ministry")
