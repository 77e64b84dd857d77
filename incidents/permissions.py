from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission, DjangoModelPermissionsOrAnonReadOnly

from .models import Incident

PUBLISH_PERMISSION = "incidents.publish_incident"


def can_publish(user):
    return user.has_perm(PUBLISH_PERMISSION)


def check_may_write(user, incident=None, status=None):
    """Researchers write drafts; publishing, or changing what is published, takes an editor."""
    from . import workflow

    if can_publish(user):
        return
    if incident is not None and not workflow.can_change(user, incident):
        raise PermissionDenied(workflow.MESSAGES["published_locked"])
    if status == Incident.Status.PUBLISHED:
        raise PermissionDenied("Publishing needs the publish permission (an editor's token).")


class CanImport(BasePermission):
    message = "Importing takes the permissions to add and change incidents."

    def has_permission(self, request, view):
        return request.user.is_authenticated and request.user.has_perms(
            ["incidents.add_incident", "incidents.change_incident"]
        )


class RolePermissions(DjangoModelPermissionsOrAnonReadOnly):
    """The model permissions of the token's user, refused in words a person can act on."""

    message = "Your editorial role does not allow this (deleting or withdrawing an incident "
    message += "takes an editor): ask an editor."
