"""The model's own validation for API writes, so the API refuses what the admin refuses.

DRF's ModelSerializer does not call the model's clean methods nor check its named
constraints; these helpers do, and give the constraints' violation_error_message,
the same words the admin and the database use, under the API's field names.
"""

import operator
import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.db.models import CheckConstraint, F, Q
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


def in_memory_model_errors(instance, *, rename=None, constraint_fields=None):
    """model_errors() without a query: for writers that check uniqueness themselves.

    Related objects the writer resolved (set, or with an id) are not looked up again;
    uniqueness is left to the caller and to the database; check constraints are
    evaluated here, with SQL's rule that an unknown (NULL) condition passes. A
    condition this cannot evaluate is checked by the database, as model_errors() does.
    The messages are model_errors()'s.
    """
    rename = rename or {}
    constraint_fields = constraint_fields or {}
    flat = {}

    def add(key, messages):
        if key == NON_FIELD_ERRORS:
            key = NON_FIELD
        flat.setdefault(rename.get(key, key), []).extend(messages)

    resolved = {
        field.name
        for field in instance._meta.concrete_fields
        if field.is_relation
        and (
            getattr(instance, field.attname) is not None
            or (field.is_cached(instance) and getattr(instance, field.name) is not None)
        )
    }
    exclude = set()
    try:
        instance.clean_fields(exclude=resolved)
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            add(key, messages)
            exclude.add(key)
    try:
        instance.clean()
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            add(key, messages)
    for constraint in instance._meta.constraints:
        if not isinstance(constraint, CheckConstraint):
            continue
        try:
            if constraint._expression_refs_exclude(type(instance), constraint.condition, exclude):
                continue
            holds = _condition_holds(constraint.condition, instance)
        except NotImplementedError:
            try:
                constraint.validate(type(instance), instance, exclude=exclude)
            except ValidationError as error:
                add(constraint_fields.get(constraint.name, NON_FIELD_ERRORS), error.messages)
            continue
        if holds is False:
            add(
                constraint_fields.get(constraint.name, NON_FIELD_ERRORS),
                [str(constraint.get_violation_error_message())],
            )
    return nest(flat)


COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _condition_holds(condition, instance):
    """A Q of plain field lookups evaluated on an instance: True, False or None (NULL)."""
    results = []
    for child in condition.children:
        if isinstance(child, Q):
            results.append(_condition_holds(child, instance))
        elif isinstance(child, tuple):
            results.append(_lookup_holds(*child, instance))
        else:
            raise NotImplementedError(child)
    if condition.connector == Q.AND:
        result = False if False in results else (None if None in results else True)
    elif condition.connector == Q.OR:
        result = True if True in results else (None if None in results else False)
    else:
        raise NotImplementedError(condition.connector)
    if condition.negated and result is not None:
        result = not result
    return result


def _field_value(instance, name):
    if "__" in name:
        raise NotImplementedError(name)
    return getattr(instance, instance._meta.get_field(name).attname)


def _lookup_holds(lookup, value, instance):
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    left = _field_value(instance, name)
    if isinstance(value, F):
        value = _field_value(instance, value.name)
    elif hasattr(value, "resolve_expression"):
        raise NotImplementedError(value)
    if kind == "isnull":
        return (left is None) == bool(value)
    if left is None or value is None:
        return None
    if kind == "regex":
        return re.search(value, left) is not None
    if kind not in COMPARISONS:
        raise NotImplementedError(kind)
    return COMPARISONS[kind](left, value)


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
