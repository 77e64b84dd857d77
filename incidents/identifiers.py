"""Other monitors' identifiers in bundles: ``"identifiers": [{"scheme": ..., "value": ...}]``.

The bundle importer and exporter call these two functions; validation speaks the
same words as the admin and the database.
"""

from django.core.exceptions import ValidationError

from .models import IncidentIdentifier


def export_identifiers(incident):
    """The incident's identifiers as a bundle lists them (uses prefetched identifiers)."""
    return [
        {"scheme": identifier.scheme, "value": identifier.value}
        for identifier in sorted(incident.identifiers.all(), key=lambda i: (i.scheme, i.value))
    ]


def import_identifiers(incident, items):
    """Attach the bundle's identifiers to ``incident``; return the ones created.

    Importing the same identifiers again changes nothing, and identifiers already
    on the incident but missing from the bundle are kept. Raises ValidationError,
    before writing anything, for an unknown scheme, an empty value, or an
    identifier another incident carries.
    """
    wanted = []
    for position, item in enumerate(items or []):
        if not isinstance(item, dict):
            raise ValidationError(
                f"identifiers[{position}]: give an object with “scheme” and “value”."
            )
        scheme = str(item.get("scheme") or "").strip().lower()
        value = str(item.get("value") or "").strip()
        if scheme not in IncidentIdentifier.Scheme.values:
            raise ValidationError(
                f"identifiers[{position}]: unknown scheme “{scheme}”; use one of "
                + ", ".join(IncidentIdentifier.Scheme.values)
                + "."
            )
        if not value:
            raise ValidationError(f"identifiers[{position}]: give the identifier's value.")
        wanted.append((scheme, value))

    existing = {
        (identifier.scheme, identifier.value): identifier.incident_id
        for identifier in IncidentIdentifier.objects.filter(value__in=[v for _, v in wanted])
    }
    for scheme, value in wanted:
        owner = existing.get((scheme, value))
        if owner is not None and owner != incident.pk:
            raise ValidationError(
                f"{scheme}:{value}: another incident already carries this identifier."
            )
    created = []
    for scheme, value in dict.fromkeys(wanted):
        if (scheme, value) not in existing:
            created.append(
                IncidentIdentifier.objects.create(incident=incident, scheme=scheme, value=value)
            )
    return created
