"""Keep ``updated_at`` and the tombstones right whichever way a record changes.

Signals rather than save()/delete() overrides, because queryset deletes (the
admin's bulk delete, cascades) call neither.
"""

from django.db.models import QuerySet
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from django.utils import timezone

from .models import Claim, Denial, Figure, Incident, Tombstone


def _deleted_with(origin, *models):
    """True when the deletion started at one of these models: the whole branch goes."""
    if origin is None:
        return False
    model = origin.model if isinstance(origin, QuerySet) else type(origin)
    return issubclass(model, models)


@receiver(pre_delete, sender=Incident)
def incident_deleted(sender, instance, **kwargs):
    if instance.status == Incident.Status.PUBLISHED:
        Tombstone.record(instance, Tombstone.Reason.DELETED)


@receiver(pre_delete, sender=Claim)
@receiver(pre_delete, sender=Denial)
def claim_or_denial_deleted(sender, instance, origin=None, **kwargs):
    if _deleted_with(origin, Incident):
        return  # the incident's own tombstone covers it
    if Incident.objects.public().filter(pk=instance.incident_id).exists():
        Tombstone.record(instance, Tombstone.Reason.DELETED)


# The incident itself is touched (new updated_at and version) by the database triggers
# of incidents.models._touch_incidents, for every write to its claims, figures,
# denials and links, whoever makes it. The receivers below only keep the claim's and
# the denial's own updated_at right when a figure or a denied claim changes.


@receiver(post_save, sender=Figure)
@receiver(post_delete, sender=Figure)
def figure_changed(sender, instance, origin=None, **kwargs):
    if _deleted_with(origin, Incident, Claim):
        return
    Claim.objects.filter(pk=instance.claim_id).update(updated_at=timezone.now())


@receiver(m2m_changed, sender=Denial.denies.through)
def denied_claims_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # instance is a claim; pk_set holds denials (None when cleared)
        if pk_set:
            Denial.objects.filter(pk__in=pk_set).update(updated_at=timezone.now())
    else:
        Denial.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
