"""The model's own validation for API writes, so the API refuses what the admin refuses.

DRF's ModelSerializer does not call the model's clean methods nor check its named
constraints; these helpers do, and give the constraints' violation_error_message,
the same words the admin and the database use, under the API's field names.
"""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from rest_framework import serializers

NON_FIELD = "non_field_errors"


def nest(flat):
    """{"occurred.start": [...]} -> {"occurred": {"start": [...]}}."""
    nested = {}
    for path, messages in flat.items():
        node = nested
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node.setdefault(leaf, []).extend(messages)
    return nested


def model_errors(instance, *, rename=None, constraint_fields=None, exclude=()):
    """Everything full_clean() would say about ``instance``, keyed by API field name.

    ``rename`` maps model field names to API field paths ("occurred_start" ->
    "occurred.start"); ``constraint_fields`` maps a constraint's name to the API field
    its message belongs to (otherwise it goes to non_field_errors).
    """
    rename = rename or {}
    constraint_fields = constraint_fields or {}
    flat = {}

    def add(key, messages):
        if key == NON_FIELD_ERRORS:
            key = NON_FIELD
        flat.setdefault(rename.get(key, key), []).extend(messages)

    exclude = set(exclude)
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            add(key, messages)
            exclude.add(key)
    try:
        instance.clean()
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            add(key, messages)
    try:
        instance.validate_unique(exclude=exclude)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            add(key, messages)
    for constraint in instance._meta.constraints:
        try:
            constraint.validate(type(instance), instance, exclude=exclude)
        except ValidationError as error:
            add(constraint_fields.get(constraint.name, NON_FIELD_ERRORS), error.messages)
    return nest(flat)


def constraint_message(model, name):
    """The violation_error_message of one of the model's named constraints."""
    for constraint in model._meta.constraints:
        if constraint.name == name:
            return str(constraint.violation_error_message)
    raise LookupError(name)


def integrity_error_message(error: IntegrityError, models):
    """The words for a database refusal: the named constraint's message, or the trigger's."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    name = getattr(diag, "constraint_name", None)
    for model in models:
        for constraint in model._meta.constraints:
            if constraint.name == name:
                return str(constraint.violation_error_message)
    primary = getattr(diag, "message_primary", None)
    return primary or "The database refused this change."


def raise_for_integrity_error(error, models):
    raise serializers.ValidationError({NON_FIELD: [integrity_error_message(error, models)]})
