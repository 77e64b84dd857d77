import nested_admin
import pghistory
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from history.admin import HistoryAdminMixin
from sources.admin import ReportAdmin

from . import workflow
from .models import (
    PUBLIC_STATUSES,
    CasualtyCategory,
    Claim,
    ClaimVia,
    Denial,
    Figure,
    Incident,
    IncidentIdentifier,
    Media,
)
from .timeline import changes_since, incident_history


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        label="Public reason for the withdrawal",
        help_text="Shown to readers with the withdrawn record and in the corrections log.",
    )


def _withdraw_page(request, model_admin, objects, withdraw, action=None):
    """Ask for the reason, then withdraw each object with ``withdraw(obj, reason)``."""
    opts = model_admin.opts
    form = WithdrawForm(request.POST if request.POST.get("reason") is not None else None)
    if form.is_bound and form.is_valid():
        done = 0
        for obj in objects:
            try:
                withdraw(obj, form.cleaned_data["reason"])
                done += 1
            except ValidationError as error:
                messages.error(request, f"{obj}: {' '.join(error.messages)}")
        if done:
            messages.success(request, f"Withdrew {done} {opts.verbose_name_plural}.")
        if len(objects) == 1 and action is None:
            return redirect(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[objects[0].pk])
            )
        return redirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
    return TemplateResponse(
        request,
        "admin/incidents/withdraw.html",
        {
            **model_admin.admin_site.each_context(request),
            "title": "Withdraw "
            + str(opts.verbose_name if len(objects) == 1 else opts.verbose_name_plural),
            "opts": opts,
            "objects": objects,
            "form": form,
            "action": action,
            "cancel_url": reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        },
    )


class ReasonFormMixin(forms.Form):
    """The “reason for this change” a change to published material must give."""

    change_reason = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        label="Reason for this change",
        help_text="Required when changing a published incident: what changed and why. "
        "Recorded in the history and in the incident's corrections log.",
    )
    reason_public = forms.BooleanField(
        required=False,
        initial=True,
        label="Show the reason in the public corrections log",
    )

    def require_reason(self):
        if not self.cleaned_data.get("change_reason", "").strip():
            self.add_error("change_reason", workflow.MESSAGES["reason_required"])


class PublishedPartsFormSet(nested_admin.formsets.NestedInlineFormSet):
    """Deleting a claim or denial of a published incident withdraws it instead."""

    user = None
    reason = ""
    reason_public = True

    def delete_existing(self, obj, commit=True):
        if commit and obj.incident.status in PUBLIC_STATUSES:
            workflow.withdraw_part(obj, self.user, self.reason, public=self.reason_public)
        else:
            super().delete_existing(obj, commit=commit)


class ParentIncidentPermissions:
    """Parts of a published incident are changed only by those who may change it."""

    def _incident_locked(self, request, obj):
        return obj is not None and not workflow.can_change(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return not self._incident_locked(request, obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return not self._incident_locked(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return not self._incident_locked(request, obj) and super().has_delete_permission(
            request, obj
        )


@admin.display(description="withdrawn")
def withdrawal(obj):
    if obj is None or obj.withdrawn_at is None:
        return "No"
    return f"{obj.withdrawn_at:%d %b %Y}: {obj.withdrawn_reason}"


class FigureInline(ParentIncidentPermissions, nested_admin.NestedTabularInline):
    model = Figure
    extra = 0
    fields = ["category", "as_said", "min_count", "max_count", "approximate"]

    def _incident_locked(self, request, obj):
        # obj is the claim (on the claim's page) or the incident (nested in its page).
        incident = getattr(obj, "incident", obj)
        return incident is not None and not workflow.can_change(request.user, incident)


class ClaimViaInline(ParentIncidentPermissions, nested_admin.NestedTabularInline):
    model = ClaimVia
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["position", "source"]

    def _incident_locked(self, request, obj):
        incident = getattr(obj, "incident", obj)
        return incident is not None and not workflow.can_change(request.user, incident)


class ClaimInline(ParentIncidentPermissions, nested_admin.NestedStackedInline):
    model = Claim
    formset = PublishedPartsFormSet
    extra = 0
    inlines = [FigureInline, ClaimViaInline]
    autocomplete_fields = ["source", "report", "attributed_to", "supersedes"]
    fields = [
        ("kind", "source"),
        ("report", "claimed_on"),
        "statement",
        "attributed_to",
        "supersedes",
        withdrawal,
    ]
    readonly_fields = [withdrawal]


def _stamp_media(form, user):
    """Record who added an item, and who verified it when the status changes unsigned."""
    media = form.instance
    if media.pk is None and media.added_by_id is None:
        media.added_by = user
    if "verification_status" in form.changed_data and not media.verified_by:
        media.verified_by = user.get_full_name() or user.get_username()


class MediaStampingAdminMixin:
    def save_formset(self, request, form, formset, change):
        if formset.model is Media:
            for media_form in formset.forms:
                if media_form.has_changed():
                    _stamp_media(media_form, request.user)
        super().save_formset(request, form, formset, change)


MEDIA_FIELDS = [
    ("kind", "graphic"),
    "description",
    ("file", "url"),
    ("sha256", "size", "content_type"),
    "report",
    ("acquired_from", "acquired_by", "acquired_at"),
    ("verification_status", "verified_by", "verified_at"),
    "verification_note",
]
MEDIA_READONLY = ["sha256", "size", "content_type", "verified_at"]


class IncidentMediaInline(ParentIncidentPermissions, nested_admin.NestedStackedInline):
    model = Media
    fk_name = "incident"
    extra = 0
    autocomplete_fields = ["report"]
    fields = [*MEDIA_FIELDS[:3], "claim", *MEDIA_FIELDS[3:]]
    readonly_fields = MEDIA_READONLY

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "claim":
            # Only the claims of the incident being edited.
            incident_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Claim.objects.filter(incident_id=incident_id).select_related(
                "source"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClaimMediaInline(ParentIncidentPermissions, nested_admin.NestedStackedInline):
    model = Media
    fk_name = "claim"
    extra = 0
    autocomplete_fields = ["report"]
    fields = MEDIA_FIELDS
    readonly_fields = MEDIA_READONLY

    def _incident_locked(self, request, obj):
        incident = getattr(obj, "incident", obj)
        return incident is not None and not workflow.can_change(request.user, incident)


class IdentifierInline(ParentIncidentPermissions, nested_admin.NestedTabularInline):
    model = IncidentIdentifier
    extra = 0
    fields = ["scheme", "value", "url"]


class DenialForm(forms.ModelForm):
    class Meta:
        model = Denial
        fields = ["source", "report", "denied_on", "statement", "denies"]

    def clean(self):
        cleaned = super().clean()
        denies = cleaned.get("denies")
        if denies is not None and self.instance.incident_id is not None:
            try:
                self.instance.check_denies(denies)
            except forms.ValidationError as error:
                self.add_error(None, error)
        return cleaned


class DenialInline(ParentIncidentPermissions, nested_admin.NestedStackedInline):
    model = Denial
    form = DenialForm
    formset = PublishedPartsFormSet
    extra = 0
    autocomplete_fields = ["source", "report"]
    fields = [("source", "denied_on"), "report", "statement", "denies", withdrawal]
    readonly_fields = [withdrawal]
    filter_horizontal = ["denies"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "denies":
            # Only the claims of the incident being edited can be denied here.
            incident_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Claim.objects.filter(incident_id=incident_id).select_related(
                "source"
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ClaimKindFilter(admin.SimpleListFilter):
    title = "claim kind"
    parameter_name = "claim_kind"

    def lookups(self, request, model_admin):
        return Claim.Kind.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(claims__kind=self.value()).distinct()
        return queryset


class IncidentAdminForm(ReasonFormMixin, forms.ModelForm):
    """The incident form: the workflow's rules, the reason for a change, the version check."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    user = None  # set by IncidentAdmin.get_form

    class Meta:
        model = Incident
        fields = ["status"]  # the admin adds the others, from its fieldsets

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = None
        if self.instance.pk is not None:
            self.fields["expected_version"].initial = self.instance.version
        status = self.fields.get("status")
        if status is not None:
            if self.instance.pk is None:
                allowed = workflow.allowed_initial_statuses(self.user)
            else:
                current = self.instance.status
                allowed = [current, *workflow.allowed_transitions(self.user, current)]
            status.choices = [(s, Incident.Status(s).label) for s in allowed]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        # Locked until the save commits: a concurrent save waits, then sees the new version.
        self.stored = Incident.objects.select_for_update().get(pk=self.instance.pk)
        expected = cleaned.get("expected_version")
        if expected is not None and expected != self.stored.version:
            stale = workflow.StaleVersion(
                self.instance, expected, self.stored.version, self._changes_since(expected)
            )
            raise ValidationError(
                [stale.message(), "Changed since you opened it:", *stale.summary()],
                code="stale_version",
            )
        status = cleaned.get("status", self.stored.status)
        try:
            workflow.check_transition(
                self.stored.status,
                status,
                self.user,
                cleaned.get("change_reason", ""),
                cleaned.get("withdrawn_reason", self.stored.withdrawn_reason),
            )
        except PermissionDenied as error:
            self.add_error("status", str(error))
        except ValidationError as error:
            if hasattr(error, "error_dict") and "reason" in error.error_dict:
                self.add_error("change_reason", error.error_dict["reason"])
            else:
                self.add_error(None, error)
        if workflow.is_public(self.stored):
            self.require_reason()
        if "withdrawn_reason" in cleaned and status != Incident.Status.WITHDRAWN:
            # Only a withdrawn incident has a withdrawal reason.
            cleaned["withdrawn_reason"] = ""
        return cleaned

    def _changes_since(self, version):
        return changes_since(self.stored, version)


class IncidentAdmin(HistoryAdminMixin, MediaStampingAdminMixin, nested_admin.NestedModelAdmin):
    form = IncidentAdminForm
    list_display = [
        "title",
        "occurred_start",
        "place_name",
        "country",
        "status",
        "assessment",
        "claim_count",
        "updated_at",
    ]
    list_filter = ["status", "country", "assessment", ClaimKindFilter, "occurred_precision"]
    search_fields = ["title", "slug", "summary", "place_name", "region", "identifiers__value"]
    date_hierarchy = "occurred_start"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["related"]
    readonly_fields = ["created_at", "updated_at", "version", "public_link", "withdrawn_at"]
    inlines = [ClaimInline, DenialInline, IncidentMediaInline, IdentifierInline]
    actions = ["submit_for_review", "publish", "withdraw"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "summary",
                    "status",
                    "public_link",
                    ("withdrawn_reason", "withdrawn_at"),
                ]
            },
        ),
        (
            "When",
            {"fields": [("occurred_start", "occurred_time", "occurred_end"), "occurred_precision"]},
        ),
        (
            "Where",
            {
                "fields": [
                    ("place_name", "region", "country"),
                    ("latitude", "longitude", "location_precision"),
                ]
            },
        ),
        ("Assessment", {"fields": ["assessment", "assessment_rationale"]}),
        ("Related", {"fields": ["related", ("created_at", "updated_at", "version")]}),
    ]
    reason_fieldset = (
        "Reason for this change",
        {"fields": ["change_reason", "reason_public"]},
    )

    def get_queryset(self, request):
        current = Q(claims__withdrawn_at__isnull=True)
        return super().get_queryset(request).annotate(claim_count=Count("claims", filter=current))

    def get_fieldsets(self, request, obj=None):
        fieldsets = [*super().get_fieldsets(request, obj)]
        # The version the form was opened at travels with it, hidden.
        fieldsets[0] = (None, {"fields": [*fieldsets[0][1]["fields"], "expected_version"]})
        if obj is not None and workflow.is_public(obj):
            fieldsets.append(self.reason_fieldset)
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        if not workflow.can_set_assessment(request.user):
            readonly += ["assessment", "assessment_rationale"]
        if not workflow.can_publish(request.user):
            readonly += ["withdrawn_reason"]
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and workflow.can_change(
            request.user, obj
        )

    def has_publish_permission(self, request):
        return workflow.can_publish(request.user)

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if "delete_selected" in actions:
            # Same name and place as Django's, guarded: published incidents are withdrawn.
            actions["delete_selected"] = self.get_action("delete_drafts", action_location)
            actions["delete_selected"].name = "delete_selected"
        return actions

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        self._reason = reason
        self._reason_public = form.cleaned_data.get("reason_public", True)
        if reason:
            # Every later statement of this request (inlines too) records it in the history.
            pghistory.context(reason=reason)
        stored = form.stored
        if change and stored is not None and obj.status != stored.status:
            workflow.transition(obj, obj.status, request.user, reason, public=self._reason_public)
            self._correction_recorded = True
        else:
            obj.save()
            self._correction_recorded = False

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, PublishedPartsFormSet):
            formset.user = request.user
            formset.reason = self._reason
            formset.reason_public = self._reason_public
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        stored = form.stored
        if (
            change
            and stored is not None
            and workflow.is_public(stored)
            and not self._correction_recorded
            and (form.has_changed() or any(_changed(formset) for formset in formsets))
        ):
            workflow.record_correction(
                form.instance, request.user, self._reason, public=self._reason_public
            )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="incidents_incident_withdraw",
            ),
            *super().get_urls(),
        ]

    def history_entries(self, request, obj):
        return incident_history(obj)

    def restore_version(self, request, obj, event):
        return workflow.restore(obj, event, request.user)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and workflow.is_public(obj):
            messages.info(request, "A published incident is withdrawn, not deleted.")
            return redirect("admin:incidents_incident_withdraw", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def withdraw_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not workflow.can_publish(request.user):
            raise PermissionDenied
        return _withdraw_page(
            request,
            self,
            [obj],
            lambda incident, reason: workflow.transition(
                incident, Incident.Status.WITHDRAWN, request.user, reason
            ),
        )

    @admin.action(
        description="Submit for review",
        description_plural="Submit selected drafts for review",
        permissions=["change"],
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def submit_for_review(self, request, queryset):
        self._move(request, queryset, Incident.Status.IN_REVIEW)

    @admin.action(
        description="Publish",
        description_plural="Publish selected incidents",
        permissions=["publish"],
        location=[admin.ActionLocation.CHANGE_LIST, admin.ActionLocation.CHANGE_FORM],
    )
    def publish(self, request, queryset):
        self._move(request, queryset, Incident.Status.PUBLISHED)

    @admin.action(description="Withdraw selected published incidents", permissions=["publish"])
    def withdraw(self, request, queryset):
        incidents = list(queryset.filter(status=Incident.Status.PUBLISHED))
        if not incidents:
            messages.warning(request, "None of the selected incidents is published.")
            return None
        return _withdraw_page(
            request,
            self,
            incidents,
            lambda incident, reason: workflow.transition(
                incident, Incident.Status.WITHDRAWN, request.user, reason
            ),
            action="withdraw",
        )

    @admin.action(description="Delete selected draft incidents", permissions=["delete"])
    def delete_drafts(self, request, queryset):
        public = [str(i) for i in queryset if i.status in PUBLIC_STATUSES]
        if public:
            messages.error(
                request,
                "Published incidents are withdrawn, not deleted: "
                f"{'; '.join(public)}. Use “Withdraw selected published incidents”.",
            )
            return None
        return delete_selected(self, request, queryset)

    def _move(self, request, queryset, to_status):
        moved, refused = 0, []
        for incident in queryset:
            try:
                workflow.transition(incident, to_status, request.user)
                moved += 1
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if hasattr(error, "messages") else str(error)
                refused.append(f"{incident}: {text}")
        if moved:
            messages.success(
                request, f"{moved} incident(s) now {Incident.Status(to_status).label.lower()}."
            )
        for line in refused:
            messages.error(request, line)

    @admin.display(description="claims", ordering="claim_count")
    def claim_count(self, obj):
        return obj.claim_count

    @admin.display(description="public page")
    def public_link(self, obj):
        if obj.pk is None or obj.status != Incident.Status.PUBLISHED:
            return "Not public"
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())


admin.site.register(Incident, IncidentAdmin)


def _changed(formset):
    """Whether a (possibly nested) inline formset changed anything."""
    if formset.has_changed():
        return True
    return any(
        _changed(nested)
        for form in formset.forms
        for nested in getattr(form, "nested_formsets", [])
    )


class ClaimAdminForm(ReasonFormMixin, forms.ModelForm):
    user = None

    class Meta:
        model = Claim
        fields = ["incident"]  # the admin adds the others, from its fields

    def clean(self):
        cleaned = super().clean()
        incident = cleaned.get("incident") or getattr(self.instance, "incident", None)
        if incident is None:
            return cleaned
        if not workflow.can_change(self.user, incident):
            raise ValidationError(workflow.MESSAGES["published_locked"], code="published_locked")
        if workflow.is_public(incident) and (self.has_changed() or self.instance.pk is None):
            self.require_reason()
        return cleaned


class ClaimAdmin(HistoryAdminMixin, MediaStampingAdminMixin, admin.ModelAdmin):
    form = ClaimAdminForm
    list_display = [
        "__str__",
        "incident",
        "kind",
        "source",
        "report",
        "claimed_on",
        "current",
        withdrawal,
    ]
    list_filter = ["kind"]
    list_select_related = ["incident", "source", "report__publisher"]
    search_fields = ["statement", "source__name", "incident__title"]
    autocomplete_fields = ["incident", "source", "report", "attributed_to", "supersedes"]
    inlines = [FigureInline, ClaimViaInline, ClaimMediaInline]
    fields = [
        "incident",
        "kind",
        "source",
        "report",
        "claimed_on",
        "statement",
        "attributed_to",
        "supersedes",
        withdrawal,
        "change_reason",
        "reason_public",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).with_revision_links()

    @admin.display(description="current", boolean=True)
    def current(self, obj):
        return obj.current

    def get_readonly_fields(self, request, obj=None):
        readonly = [withdrawal]
        if obj is not None and workflow.is_public(obj.incident):
            # Moving a claim out of a published incident would unpublish it silently.
            readonly.append("incident")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (
            obj is None or workflow.can_change(request.user, obj.incident)
        )

    def has_delete_permission(self, request, obj=None):
        # Claims of a published incident are withdrawn (withdraw_view), not deleted.
        return super().has_delete_permission(request, obj) and (
            obj is None or not workflow.is_public(obj.incident)
        )

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "")
        if reason:
            pghistory.context(reason=reason)
        obj.save()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        incident = form.instance.incident
        reason = form.cleaned_data.get("change_reason", "")
        if workflow.is_public(incident) and reason:
            workflow.record_correction(
                incident, request.user, reason, public=form.cleaned_data.get("reason_public")
            )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/withdraw/",
                self.admin_site.admin_view(self.withdraw_view),
                name="incidents_claim_withdraw",
            ),
            *super().get_urls(),
        ]

    def restore_version(self, request, obj, event):
        return workflow.restore(obj, event, request.user)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and workflow.is_public(obj.incident):
            messages.info(request, "A claim of a published incident is withdrawn, not deleted.")
            return redirect("admin:incidents_claim_withdraw", obj.pk)
        return super().delete_view(request, object_id, extra_context)

    def withdraw_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not workflow.can_change(request.user, obj.incident):
            raise PermissionDenied
        return _withdraw_page(
            request,
            self,
            [obj],
            lambda claim, reason: workflow.withdraw_part(claim, request.user, reason),
        )

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        # Claims of published incidents are withdrawn one by one, with a reason.
        actions.pop("delete_selected", None)
        return actions


admin.site.register(Claim, ClaimAdmin)


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "incident", "kind", "verification_status", "graphic", "sha256"]
    list_filter = ["kind", "verification_status", "graphic"]
    list_select_related = ["incident"]
    search_fields = ["description", "acquired_from", "sha256", "incident__title"]
    autocomplete_fields = ["incident", "claim", "report"]
    fields = [*MEDIA_FIELDS[:3], ("incident", "claim"), *MEDIA_FIELDS[3:], "added_by"]
    readonly_fields = [*MEDIA_READONLY, "added_by"]

    def save_model(self, request, obj, form, change):
        _stamp_media(form, request.user)
        super().save_model(request, obj, form, change)


class ReportClaimInline(admin.TabularInline):
    """The claims a report contains, read-only; edit them on their incident."""

    model = Claim
    extra = 0
    can_delete = False
    fields = ["incident_link", "kind", "source", "statement"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("incident", "source")

    @admin.display(description="incident")
    def incident_link(self, obj):
        url = reverse("admin:incidents_incident_change", args=[obj.incident_id])
        return format_html('<a href="{}">{}</a>', url, obj.incident.title)


ReportAdmin.inlines = [*ReportAdmin.inlines, ReportClaimInline]


@admin.register(CasualtyCategory)
class CasualtyCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
