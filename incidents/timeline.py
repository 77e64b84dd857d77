"""An incident's history: its own changes and those of its claims, figures, denials,
links and evidence (media, other monitors' identifiers, intermediaries)."""

from history.events import build_entries, label, merge, name_users, visible

from .models import (
    ClaimEvent,
    ClaimViaEvent,
    DenialDeniesEvent,
    DenialEvent,
    FigureEvent,
    IncidentEvent,
    IncidentIdentifierEvent,
    IncidentRelatedEvent,
    MediaEvent,
)


def _denies_link(event, values):
    verb = "no longer answers" if event.pgh_label == "delete" else "answers"
    return f"Denial #{values['denial_id']} {verb} claim #{values['claim_id']}"


def _related_link(event, values):
    verb = "no longer related to" if event.pgh_label == "delete" else "related to"
    return f"Incident {verb} incident #{values['to_incident_id']}"


def incident_history(incident, since=None):
    """Every recorded change of the incident and its parts, oldest first.

    Nine queries (one per event table), one per kind of related row named in the
    changes, and one for the names of users the events do not name themselves.
    ``since``: only the entries recorded after this time.
    """
    claim_ids = ClaimEvent.objects.filter(incident_id=incident.pk).values("pgh_obj_id")
    denial_ids = DenialEvent.objects.filter(incident_id=incident.pk).values("pgh_obj_id")
    entries = merge(
        build_entries(IncidentEvent, IncidentEvent.objects.filter(pgh_obj_id=incident.pk)),
        build_entries(ClaimEvent, ClaimEvent.objects.filter(pgh_obj_id__in=claim_ids)),
        build_entries(FigureEvent, FigureEvent.objects.filter(claim_id__in=claim_ids)),
        build_entries(DenialEvent, DenialEvent.objects.filter(pgh_obj_id__in=denial_ids)),
        build_entries(
            DenialDeniesEvent,
            DenialDeniesEvent.objects.filter(denial_id__in=denial_ids),
            describe_links=_denies_link,
        ),
        build_entries(
            IncidentRelatedEvent,
            IncidentRelatedEvent.objects.filter(from_incident_id=incident.pk),
            describe_links=_related_link,
        ),
        build_entries(MediaEvent, MediaEvent.objects.filter(incident_id=incident.pk)),
        build_entries(
            IncidentIdentifierEvent,
            IncidentIdentifierEvent.objects.filter(incident_id=incident.pk),
        ),
        build_entries(ClaimViaEvent, ClaimViaEvent.objects.filter(claim_id__in=claim_ids)),
    )
    entries = visible(entries)
    if since is not None:
        entries = [e for e in entries if e.when > since]
    return label(name_users(entries))


def changes_since(incident, version):
    """What was recorded after the incident was at ``version``: what a stale copy misses.

    The time the incident reached that version is that of its event at that version
    (every UPDATE is recorded, and each bumps the version).
    """
    reached = (
        IncidentEvent.objects.filter(pgh_obj_id=incident.pk, version__lte=version)
        .order_by("-pgh_id")
        .values_list("pgh_created_at", flat=True)
        .first()
    )
    return incident_history(incident, since=reached)
