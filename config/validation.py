"""The model's own validation for API writes, so the API refuses what the admin refuses.

DRF's ModelSerializer does not call the model's clean methods nor check its named
constraints; these helpers do, and give the constraints' violation_error_message,
the same words the admin and the database use, under the API's field names.
"""

import functools
import operator
import re

import orjson
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError
from django.db.models import CheckConstraint, F, Q
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.validators import ProhibitSurrogateCharactersValidator

NON_FIELD = "non_field_errors"


class _SurrogateCheck(ProhibitSurrogateCharactersValidator):
    """DRF's refusal of surrogate characters, with its message, by one regular
    expression search rather than a Python loop over every character."""

    surrogates = re.compile("[\ud800-\udfff]")

    def __call__(self, value):
        found = self.surrogates.search(str(value))
        if found:
            message = self.message.format(code_point=ord(found.group()))
            raise serializers.ValidationError(message, code=self.code)


class InputSerializer(serializers.Serializer):
    """A serializer of input that comes many times in one request (a bundle's claims,
    their sources and figures), with DRF's checks and messages at less cost per item:
    text fields look for surrogate characters with a regular expression, and without
    serializer-level validators the step that would run them (and collect read-only
    defaults for them, once per nested item) is skipped."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if isinstance(field, serializers.CharField):
                field.validators = [
                    _SurrogateCheck()
                    if type(validator) is ProhibitSurrogateCharactersValidator
                    else validator
                    for validator in field.validators
                ]
        return fields

    def run_validators(self, value):
        if self.validators:
            super().run_validators(value)


class RepeatedInput(InputSerializer):
    """An input serializer for a reference that recurs in one payload (a bundle's
    claims cite the same sources and reports again and again): each distinct reference
    is checked once per payload, and the others like it take that result. Only what
    passed is kept: a refused reference is checked, and refused, every time."""

    def run_validation(self, data=empty):
        if type(data) is not dict:
            return super().run_validation(data)
        try:
            key = (type(self), orjson.dumps(data, option=orjson.OPT_SORT_KEYS))
        except TypeError:
            return super().run_validation(data)
        checked = self.root.__dict__.setdefault("_checked_references", {})
        value = checked.get(key)
        if value is None:
            value = checked[key] = super().run_validation(data)
        return dict(value)


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

    relations, checks = _model_parts(type(instance))
    resolved = {
        field.name
        for field in relations
        if getattr(instance, field.attname) is not None
        or (field.is_cached(instance) and getattr(instance, field.name) is not None)
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
    for constraint, holds in checks:
        if exclude and constraint._expression_refs_exclude(
            type(instance), constraint.condition, exclude
        ):
            continue
        if holds is None:  # not evaluable here: the database judges
            try:
                constraint.validate(type(instance), instance, exclude=exclude)
            except ValidationError as error:
                add(constraint_fields.get(constraint.name, NON_FIELD_ERRORS), error.messages)
        elif holds(instance) is False:
            add(
                constraint_fields.get(constraint.name, NON_FIELD_ERRORS),
                [str(constraint.get_violation_error_message())],
            )
    return nest(flat)


@functools.cache
def _model_parts(model):
    """A model's relation fields, and its check constraints each with its condition as
    a Python function (None when the condition is beyond plain field lookups)."""
    relations = [field for field in model._meta.concrete_fields if field.is_relation]
    checks = []
    for constraint in model._meta.constraints:
        if isinstance(constraint, CheckConstraint):
            try:
                checks.append((constraint, _compile(constraint.condition, model)))
            except NotImplementedError:
                checks.append((constraint, None))
    return relations, checks


COMPARISONS = {
    "exact": operator.eq,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def _compile(condition, model):
    """A Q of plain field lookups as a function of an instance returning True, False or
    None (SQL's NULL: unknown, which a check constraint lets through)."""
    parts = []
    for child in condition.children:
        if isinstance(child, Q):
            parts.append(_compile(child, model))
        elif isinstance(child, tuple):
            parts.append(_compile_lookup(*child, model))
        else:
            raise NotImplementedError(child)
    if condition.connector not in (Q.AND, Q.OR):
        raise NotImplementedError(condition.connector)
    decisive = condition.connector == Q.OR  # the value that decides: AND False, OR True
    negated = condition.negated

    def holds(instance):
        result = not decisive
        for part in parts:
            value = part(instance)
            if value is decisive:
                result = decisive
                break
            if value is None:
                result = None
        if negated and result is not None:
            return not result
        return result

    return holds


def _attname(model, name):
    if "__" in name:
        raise NotImplementedError(name)
    return model._meta.get_field(name).attname


def _compile_lookup(lookup, value, model):
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    left = _attname(model, name)
    if isinstance(value, F):
        right = _attname(model, value.name)

        def other(instance):
            return getattr(instance, right)
    elif hasattr(value, "resolve_expression"):
        raise NotImplementedError(value)
    else:

        def other(instance):
            return value

    if kind == "isnull":
        return lambda instance: (getattr(instance, left) is None) == bool(value)
    if kind == "regex":
        pattern = re.compile(value)
        compare = lambda a, b: pattern.search(a) is not None  # noqa: E731
    elif kind in COMPARISONS:
        compare = COMPARISONS[kind]
    else:
        raise NotImplementedError(kind)

    def holds(instance):
        a, b = getattr(instance, left), other(instance)
        return None if a is None or b is None else compare(a, b)

    return holds


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
