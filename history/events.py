"""Reading the history the database records: who changed what, when, why, from what.

Every insert, update and delete of a tracked table writes an event row (a snapshot of
the row, with the context of the change) by trigger. An event's old values are those
of the previous event of the same object, so the entries here pair each snapshot with
the one before it.
"""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models

from .baseline import BASELINE_LABEL

# Columns every save changes; listing them as changes would hide the real ones.
BOOKKEEPING = {"id", "created_at", "updated_at", "version"}

ACTIONS = {
    "insert": "created",
    "update": "changed",
    "delete": "deleted",
    BASELINE_LABEL: "history begins",
}


@dataclass
class Change:
    """One field's value before and after; ``*_display`` are filled in by ``label()``."""

    fld: models.Field
    old: object
    new: object
    old_display: str = ""
    new_display: str = ""

    @property
    def field(self):
        return self.fld.name

    @property
    def name(self):
        return str(self.fld.verbose_name)


@dataclass
class Entry:
    """One recorded change of one row, ready to show."""

    event: models.Model
    model: type
    object_id: object
    label: str
    when: object
    user_id: object
    username: str
    reason: str
    url: str
    changes: list = field(default_factory=list)
    description: str = ""

    @property
    def action(self):
        return ACTIONS.get(self.label, self.label)

    @property
    def version(self):
        return getattr(self.event, "version", None)

    def as_dict(self):
        """A JSON-ready form, for the API and for messages."""
        return {
            "model": self.model._meta.model_name,
            "object_id": self.object_id,
            "action": self.action,
            "at": self.when.isoformat(),
            "user": self.username or None,
            "reason": self.reason or None,
            "changes": {c.field: [c.old_display, c.new_display] for c in self.changes},
        }


def tracked_fields(event_model):
    """The concrete fields of the tracked model that the event model snapshots."""
    tracked = event_model.pgh_tracked_model._meta.concrete_model
    names = {f.name for f in event_model._meta.concrete_fields if not f.name.startswith("pgh_")}
    return [f for f in tracked._meta.concrete_fields if f.name in names]


def snapshot(event, fields):
    return {f.attname: getattr(event, f.attname) for f in fields}


def _context(event):
    return event.pgh_context or {}


class _Labels:
    """Readable values: choices by their label, related rows by their name, in bulk."""

    def __init__(self):
        self.wanted = {}
        self.found = {}

    def want(self, fld, value):
        if fld.is_relation and value is not None:
            self.wanted.setdefault(fld.related_model, set()).add(value)

    def load(self):
        for model, pks in self.wanted.items():
            # Names like a claim's (“... by <source>”) read its required relations.
            required = [f.name for f in model._meta.concrete_fields if f.is_relation and not f.null]
            rows = model._base_manager.filter(pk__in=pks)
            if required:
                rows = rows.select_related(*required)
            self.found[model] = {obj.pk: str(obj) for obj in rows}

    def display(self, fld, value):
        if value is None or value == "" or value == []:
            return "(empty)"
        if fld.is_relation:
            name = self.found.get(fld.related_model, {}).get(value)
            return f"{name} (#{value})" if name else f"#{value} (deleted)"
        if fld.choices:
            return str(dict(fld.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return str(value)


def label(entries):
    """Fill in the readable old and new values of the entries' changes.

    One query per kind of related row named (a source, a report...), for all entries.
    """
    labels = _Labels()
    for entry in entries:
        for change in entry.changes:
            labels.want(change.fld, change.old)
            labels.want(change.fld, change.new)
    labels.load()
    for entry in entries:
        for change in entry.changes:
            if change.old is not None or entry.label not in ("insert", BASELINE_LABEL):
                change.old_display = labels.display(change.fld, change.old)
            if change.new is not None or entry.label != "delete":
                change.new_display = labels.display(change.fld, change.new)
    return entries


def _describe(event_model, values):
    """A short name for the row an event is about, from its own snapshot."""
    tracked = event_model.pgh_tracked_model
    name = tracked._meta.verbose_name.capitalize()
    obj_id = values.get("id")
    for attr in ("title", "name", "as_said"):
        if values.get(attr):
            return f"{name} #{obj_id}: {values[attr]}"
    if values.get("statement"):
        text = values["statement"]
        return f"{name} #{obj_id}: “{text[:60]}{'…' if len(text) > 60 else ''}”"
    return f"{name} #{obj_id}" if obj_id is not None else name


def _listing(fields, values, removed=False):
    """A row's non-empty values, as added (or removed) ones."""
    return [
        Change(f, values[f.attname], None) if removed else Change(f, None, values[f.attname])
        for f in fields
        if values[f.attname] not in (None, "", [])
    ]


def build_entries(event_model, events, *, describe_links=None):
    """Entries for events of one event model, oldest first, each with its changes.

    ``events`` must include, for every object, all its events up to the newest one
    wanted: the old values of a change come from the event before it.
    """
    fields = tracked_fields(event_model)
    shown = [f for f in fields if f.name not in BOOKKEEPING]
    has_obj = hasattr(event_model, "pgh_obj")
    previous = {}
    entries = []
    for event in sorted(events, key=lambda e: e.pgh_id):
        values = snapshot(event, fields)
        before = previous.get(event.pgh_obj_id) if has_obj else None
        if has_obj:
            previous[event.pgh_obj_id] = values
        context = _context(event)
        if event.pgh_label == "delete":
            # A deleted row keeps its last values; a removed link is shown by what it linked.
            changes = [] if has_obj else _listing(shown, values, removed=True)
        elif before is None:
            changes = _listing(shown, values)
        else:
            changes = [
                Change(f, before[f.attname], values[f.attname])
                for f in shown
                if before[f.attname] != values[f.attname]
            ]
        description = (
            describe_links(event, values) if describe_links and not has_obj else None
        ) or _describe(event_model, values)
        entries.append(
            Entry(
                event=event,
                model=event_model.pgh_tracked_model,
                object_id=event.pgh_obj_id if has_obj else None,
                label=event.pgh_label,
                when=event.pgh_created_at,
                user_id=context.get("user"),
                username=context.get("username", ""),
                reason=context.get("reason", ""),
                url=context.get("url", ""),
                changes=changes,
                description=description,
            )
        )
    return entries


def name_users(entries):
    """Fill in usernames the context lacks (changes recorded before it was stored)."""
    missing = {e.user_id for e in entries if e.user_id and not e.username}
    if missing:
        names = dict(
            get_user_model()
            ._base_manager.filter(pk__in=missing)
            .values_list("pk", get_user_model().USERNAME_FIELD)
        )
        for entry in entries:
            if entry.user_id and not entry.username:
                entry.username = names.get(entry.user_id, f"user #{entry.user_id}")
    return entries


def visible(entries):
    """Leave out updates that changed only bookkeeping columns (a version bump)."""
    return [e for e in entries if e.label != "update" or e.changes]


def object_history(obj):
    """Every recorded change of one row, oldest first."""
    event_model = type(obj).pgh_event_model
    events = list(event_model.objects.filter(pgh_obj_id=obj.pk))
    return label(name_users(visible(build_entries(event_model, events))))


def merge(*entry_lists):
    merged = [entry for entries in entry_lists for entry in entries]
    merged.sort(key=lambda e: (e.when, e.event.pgh_id))
    return merged


def restored_reason(event):
    return f"Restored version of {event.pgh_created_at:%d %b %Y %H:%M:%S %Z}"


def apply_version(obj, event, keep=()):
    """Set the object's fields to the values its history ``event`` recorded.

    Bookkeeping columns and the fields named in ``keep`` are left alone. Returns the
    names of the fields that changed; nothing is saved.
    """
    changed = []
    for fld in tracked_fields(type(event)):
        if fld.name in BOOKKEEPING or fld.name in keep:
            continue
        value = getattr(event, fld.attname)
        if getattr(obj, fld.attname) != value:
            setattr(obj, fld.attname, value)
            changed.append(fld.name)
    return changed
