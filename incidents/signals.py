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


@receiver(post_save, sender=Claim)
@receiver(post_delete, sender=Claim)
@receiver(post_save, sender=Denial)
@receiver(post_delete, sender=Denial)
def claim_or_denial_changed(sender, instance, origin=None, **kwargs):
    if not _deleted_with(origin, Incident):
        Incident.objects.filter(pk=instance.incident_id).touch()


@receiver(post_save, sender=Figure)
@receiver(post_delete, sender=Figure)
def figure_changed(sender, instance, origin=None, **kwargs):
    if _deleted_with(origin, Incident, Claim):
        return
    Claim.objects.filter(pk=instance.claim_id).update(updated_at=timezone.now())
    # By primary key: a join here makes PostgreSQL scan every version of every row
    # that a long transaction (a bulk import) has updated.
    if Figure.claim.is_cached(instance):
        incident_id = instance.claim.incident_id
    else:
        claims = Claim.objects.filter(pk=instance.claim_id)
        incident_id = claims.values_list("incident_id", flat=True).first()
    if incident_id is not None:
        Incident.objects.filter(pk=incident_id).touch()


@receiver(m2m_changed, sender=Denial.denies.through)
def denied_claims_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # instance is a claim; pk_set holds denials (None when cleared)
        if pk_set:
            Denial.objects.filter(pk__in=pk_set).update(updated_at=timezone.now())
    else:
        Denial.objects.filter(pk=instance.pk).update(updated_at=timezone.now())
    Incident.objects.filter(pk=instance.incident_id).touch()


@receiver(m2m_changed, sender=Incident.related.through)
def related_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    # Related links are symmetrical: both ends show the change.
    Incident.objects.filter(pk__in={instance.pk, *(pk_set or ())}).touch()
