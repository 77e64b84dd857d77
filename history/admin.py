import pghistory
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse

from .events import apply_version, object_history, restored_reason


class HistoryAdminMixin:
    """The admin's “History” page shows the history the database records.

    Each change: when, who, why, and each field's old and new value; each earlier
    version of the record can be restored (the restore is recorded as a change too).
    """

    history_template = "history/object_history.html"
    # Fields a restore leaves as they are.
    restore_keeps = ()

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:event_id>/restore/",
                self.admin_site.admin_view(self.restore_view),
                name="{}_{}_restore".format(*info),
            ),
            *super().get_urls(),
        ]

    def history_entries(self, request, obj):
        """The entries shown, oldest first: by default the record's own changes."""
        return object_history(obj)

    def restore_version(self, request, obj, event):
        """Apply an earlier version's values and save; return the changed field names."""
        changed = apply_version(obj, event, keep=self.restore_keeps)
        if changed:
            obj.full_clean()
            with pghistory.context(reason=restored_reason(event)):
                obj.save()
        return changed

    def _restore_url(self, entry):
        if entry.object_id is None or entry.label not in ("insert", "update", "baseline"):
            return None
        opts = entry.model._meta
        try:
            return reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_restore",
                args=[entry.object_id, entry.event.pgh_id],
            )
        except NoReverseMatch:
            return None

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = self.history_entries(request, obj)
        can_restore = self.has_change_permission(request, obj)
        own = [e.event.pgh_id for e in entries if e.model is type(obj) and e.object_id == obj.pk]
        latest = (type(obj), max(own, default=None))
        rows = []
        for entry in reversed(entries):
            # Restoring is offered for the record's earlier versions, not its current one.
            offer = can_restore and (entry.model, entry.event.pgh_id) != latest
            rows.append((entry, self._restore_url(entry) if offer else None))
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "module_name": str(self.opts.verbose_name_plural).capitalize(),
            "object": obj,
            "opts": self.opts,
            "rows": rows,
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.history_template, context)

    def restore_view(self, request, object_id, event_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        history_url = reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_history",
            args=[obj.pk],
        )
        if request.method != "POST":
            return redirect(history_url)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        event = get_object_or_404(type(obj).pgh_event_model, pgh_id=event_id, pgh_obj_id=obj.pk)
        try:
            changed = self.restore_version(request, obj, event)
        except ValidationError as error:
            messages.error(
                request,
                "This version cannot be restored as it is: " + " ".join(error.messages),
            )
            return redirect(history_url)
        if changed:
            messages.success(
                request,
                f"{restored_reason(event)}: {', '.join(changed)}. The restore is in the history.",
            )
        else:
            messages.info(request, "That version has the same values as the current one.")
        return redirect(history_url)
