"""The editorial workflow: who may do what to an incident, and the one way each is done.

Researchers write drafts and submit them for review; editors review, publish,
unpublish and withdraw, correct published incidents and set the assessment. The
admin and the API both call these functions, so the rules and their messages are
the same everywhere:

- ``transition(incident, to_status, user, reason)`` moves an incident along the
  workflow (raises ``PermissionDenied`` or ``ValidationError``);
- ``save_if_current(incident, expected_version, ...)`` saves only if nobody saved
  since the caller read it (raises ``StaleVersion``: the API answers 409);
- ``withdraw_part(claim_or_denial, user, reason)`` takes a claim or a denial out of a
  published incident without deleting it;
- ``record_correction(...)`` writes the public corrections log entry for a change to
  published material; the other functions call it where needed.

Every write runs inside ``pghistory.context(user=..., reason=...)``, so the history
rows the database records carry who and why.
"""

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from history.events import apply_version, restored_reason

from .models import PUBLIC_STATUSES, Claim, Correction, Denial, Incident
from .timeline import changes_since

Status = Incident.Status

# (from, to): the permission needed, and what the move is called.
TRANSITIONS = {
    (Status.DRAFT, Status.IN_REVIEW): ("incidents.change_incident", "submit for review"),
    (Status.IN_REVIEW, Status.DRAFT): ("incidents.review_incident", "return to draft"),
    (Status.DRAFT, Status.PUBLISHED): ("incidents.publish_incident", "publish"),
    (Status.IN_REVIEW, Status.PUBLISHED): ("incidents.publish_incident", "publish"),
    (Status.PUBLISHED, Status.DRAFT): ("incidents.publish_incident", "unpublish"),
    (Status.PUBLISHED, Status.WITHDRAWN): ("incidents.publish_incident", "withdraw"),
}
# Moves that take an incident away from the public, which need a reason.
UNPUBLISHING = {(Status.PUBLISHED, Status.DRAFT), (Status.PUBLISHED, Status.WITHDRAWN)}

MESSAGES = {
    "reason_required": "Give the reason for this change: it is recorded with the change.",
    "withdrawal_reason_required": "Say publicly why the incident is withdrawn.",
    "not_allowed": "An incident cannot go from “{from_}” to “{to}”.",
    "permission": "You cannot {action} incidents: ask an editor.",
    "published_locked": "Only editors can change a published incident.",
}


class StaleVersion(Exception):
    """The incident changed since the caller read it; saving would overwrite that change.

    ``changes`` lists what was recorded since (history.events.Entry objects; each has
    ``as_dict()``), so the caller can show the person what they would have overwritten.
    """

    def __init__(self, incident, expected_version, current_version, changes):
        self.incident = incident
        self.expected_version = expected_version
        self.current_version = current_version
        self.changes = changes
        super().__init__(self.message())

    def message(self):
        return (
            f"Someone else changed this incident after you opened it (you had version "
            f"{self.expected_version}, it is now at version {self.current_version}). Your "
            "changes were not saved: reload it, check what changed and apply yours again."
        )

    def summary(self):
        """What changed since, one line per recorded change, newest last."""
        lines = []
        for entry in self.changes:
            who = entry.username or "someone outside the application"
            what = "; ".join(f"{c.name}: {c.old_display} → {c.new_display}" for c in entry.changes)
            line = f"{entry.when:%d %b %Y %H:%M} {who} {entry.action} {entry.description}"
            if what:
                line += f" ({what})"
            if entry.reason:
                line += f", because: {entry.reason}"
            lines.append(line)
        return lines

    def as_dict(self):
        return {
            "detail": self.message(),
            "expected_version": self.expected_version,
            "current_version": self.current_version,
            "changes": [entry.as_dict() for entry in self.changes],
        }


def can_publish(user):
    return user.has_perm("incidents.publish_incident")


def can_review(user):
    return user.has_perm("incidents.review_incident")


def can_set_assessment(user):
    return user.has_perm("incidents.set_assessment")


def can_change(user, incident=None):
    """Whether the user may edit this incident (and its claims, figures and denials).

    Published and withdrawn incidents are changed only by those who can publish:
    anything else would be publishing without review.
    """
    if not user.has_perm("incidents.change_incident"):
        return False
    return incident is None or incident.pk is None or not is_public(incident) or can_publish(user)


def is_public(incident):
    """Whether the incident, as stored, has been shown to the public."""
    return incident.status in PUBLIC_STATUSES


def allowed_transitions(user, from_status):
    """The statuses this user may move an incident in ``from_status`` to."""
    return [
        to
        for (from_, to), (permission, _) in TRANSITIONS.items()
        if from_ == from_status and user.has_perm(permission)
    ]


def allowed_initial_statuses(user):
    """The statuses a new incident may be created with by this user."""
    return [Status.DRAFT, *allowed_transitions(user, Status.DRAFT)]


def check_transition(from_status, to_status, user, reason="", withdrawn_reason=""):
    """Refuse a move the workflow or the user's role does not allow, saying why."""
    if from_status == to_status:
        return
    rule = TRANSITIONS.get((from_status, to_status))
    if rule is None:
        raise ValidationError(
            MESSAGES["not_allowed"].format(
                from_=Status(from_status).label, to=Status(to_status).label
            ),
            code="transition_not_allowed",
        )
    permission, action = rule
    if not user.has_perm(permission):
        raise PermissionDenied(MESSAGES["permission"].format(action=action))
    if to_status == Status.WITHDRAWN and not withdrawn_reason.strip():
        raise ValidationError(
            {"withdrawn_reason": MESSAGES["withdrawal_reason_required"]},
            code="withdrawal_reason_required",
        )
    if (from_status, to_status) in UNPUBLISHING and not (reason or withdrawn_reason).strip():
        raise ValidationError({"reason": MESSAGES["reason_required"]}, code="reason_required")


def on_unpublished(obj, reason):
    """Called when published material leaves the public: an incident unpublished or
    withdrawn, a claim or denial of a published incident withdrawn.

    ``obj`` is the Incident, Claim or Denial; ``reason`` why. Mirrors learn of it
    through a tombstone (/api/v1/deleted/). An incident's own save already writes its
    tombstones when its status leaves "published", so only parts are recorded here.
    """
    from .models import Incident, Tombstone

    if not isinstance(obj, Incident):
        Tombstone.record(obj, Tombstone.Reason.WITHDRAWN)


def _lock(incident):
    """The stored row, locked until the transaction ends, so checks and save agree."""
    return Incident.objects.select_for_update().get(pk=incident.pk)


def _user_context(user, reason=""):
    context = {}
    if user is not None and user.is_authenticated:
        context.update(user=user.pk, username=user.get_username())
    if reason:
        context["reason"] = reason
    return context


def record_correction(incident, user, reason, public=True):
    """A corrections log entry for a change to published material."""
    if not reason.strip():
        raise ValidationError({"reason": MESSAGES["reason_required"]}, code="reason_required")
    return Correction.objects.create(
        incident=incident,
        author=user if user is not None and user.is_authenticated else None,
        reason=reason.strip(),
        public=public,
        version=Incident.objects.filter(pk=incident.pk).values_list("version", flat=True).get(),
    )


def _check_version(incident, stored, expected_version):
    if expected_version is not None and stored.version != expected_version:
        raise StaleVersion(
            incident, expected_version, stored.version, changes_since(stored, expected_version)
        )


def check_current(incident, expected_version):
    """Lock the stored incident until the transaction ends and return it, raising
    StaleVersion if it is no longer at ``expected_version`` (None: no check). For
    writers that save the incident's parts themselves (the API) before save/transition."""
    stored = _lock(incident)
    _check_version(incident, stored, expected_version)
    return stored


def history_context(user, reason=""):
    """What pghistory.context() records with each change: who, and why."""
    return _user_context(user, reason)


@transaction.atomic
def save_if_current(incident, expected_version, user=None, reason="", public=True):
    """Save the incident's fields only if it is still at ``expected_version``.

    Raises StaleVersion when someone saved it since (nothing is written), and the
    workflow's errors when the user may not change it or a reason is missing: a
    change to a published incident needs a reason, which goes to the corrections log
    (``public``: shown to readers). A status change goes through transition().
    """
    stored = _lock(incident)
    _check_version(incident, stored, expected_version)
    if user is not None and not can_change(user, stored):
        raise PermissionDenied(MESSAGES["published_locked"])
    if incident.status != stored.status:
        return transition(incident, incident.status, user, reason, public=public)
    if is_public(stored) and not reason.strip():
        raise ValidationError({"reason": MESSAGES["reason_required"]}, code="reason_required")
    with pghistory.context(**_user_context(user, reason)):
        incident.save()
        if is_public(stored):
            record_correction(incident, user, reason, public=public)
    return incident


@transaction.atomic
def transition(incident, to_status, user, reason="", *, public=True, expected_version=None):
    """Move the incident to ``to_status`` and save it, with any other changes made to it.

    ``reason`` is required to unpublish or withdraw, and to change a published incident;
    for a withdrawal it is the public reason unless ``incident.withdrawn_reason`` is
    already set. It is recorded in the history and, for published material, in the
    corrections log (``public``: shown to readers).
    """
    stored = _lock(incident)
    _check_version(incident, stored, expected_version)
    from_status = stored.status
    if to_status == Status.WITHDRAWN and not incident.withdrawn_reason.strip():
        incident.withdrawn_reason = reason
    check_transition(from_status, to_status, user, reason, incident.withdrawn_reason)
    if is_public(stored) and not can_publish(user):
        raise PermissionDenied(MESSAGES["published_locked"])
    reason = reason or (incident.withdrawn_reason if to_status == Status.WITHDRAWN else "")
    if is_public(stored) and not reason.strip():
        raise ValidationError({"reason": MESSAGES["reason_required"]}, code="reason_required")

    incident.status = to_status
    if to_status == Status.WITHDRAWN:
        incident.withdrawn_at = timezone.now()
    elif to_status != from_status:
        incident.withdrawn_reason = ""
        incident.withdrawn_at = None
    with pghistory.context(**_user_context(user, reason)):
        incident.save()
        if is_public(stored):
            label = {Status.WITHDRAWN: "Withdrawn", Status.DRAFT: "Unpublished"}.get(to_status)
            record_correction(
                incident, user, f"{label}: {reason}" if label else reason, public=public
            )
    if (from_status, to_status) in UNPUBLISHING:
        on_unpublished(incident, reason)
    return incident


@transaction.atomic
def withdraw_part(obj, user, reason, public=True):
    """Withdraw a claim or a denial of an incident instead of deleting it.

    It stays in the database and in the history, marked withdrawn with the reason, and
    no longer counts in the ranges and the dispute. A part of a draft is simply deleted
    by its editor; this is for incidents that have been public.
    """
    if not isinstance(obj, (Claim, Denial)):
        raise TypeError("Only claims and denials are withdrawn this way")
    stored = _lock(obj.incident)
    if not can_change(user, stored):
        raise PermissionDenied(MESSAGES["published_locked"])
    if not reason.strip():
        raise ValidationError({"reason": MESSAGES["reason_required"]}, code="reason_required")
    if obj.withdrawn_at is not None:
        return obj
    obj.withdrawn_at = timezone.now()
    obj.withdrawn_reason = reason.strip()
    with pghistory.context(**_user_context(user, reason)):
        obj.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        if is_public(stored):
            what = "Claim" if isinstance(obj, Claim) else "Denial"
            record_correction(
                stored, user, f"{what} by {obj.source.public_name} withdrawn: {reason}", public
            )
    if is_public(stored):
        on_unpublished(obj, reason)
    return obj


# Never restored: a restore neither publishes nor unpublishes, nor moves a claim.
RESTORE_KEEPS = {"status", "withdrawn_at", "withdrawn_reason", "incident"}


@transaction.atomic
def restore(obj, event, user):
    """Put back the values an earlier version of an incident, claim or denial had.

    ``event`` is one of the object's history events. The restore is itself recorded,
    with the reason "Restored version of <date>", and in the corrections log when the
    incident is public. Returns the names of the fields that changed.
    """
    incident = obj if isinstance(obj, Incident) else obj.incident
    stored = _lock(incident)
    if not can_change(user, stored):
        raise PermissionDenied(MESSAGES["published_locked"])
    changed = apply_version(obj, event, keep=RESTORE_KEEPS)
    if not changed:
        return changed
    obj.full_clean()
    reason = restored_reason(event)
    with pghistory.context(**_user_context(user, reason)):
        obj.save()
        if is_public(stored):
            record_correction(stored, user, reason)
    return changed
