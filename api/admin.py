"""Tokens in the Django admin: made here (the secret is shown once, in the answer to the
save itself: never in a message, which the cookie or session would keep), scoped,
revoked; never edited into another system's token."""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken, Submission
from api.tokens import new_credentials, record_issued, revoke_token
from stations.scopeadmin import ScopedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_path = "company"
    list_display = [
        "name",
        "company",
        "prefix",
        "created_at",
        "last_used_at",
        "last_used_from",
        "use_count",
        "revoked_at",
    ]
    list_filter = ["company", "revoked_at"]
    search_fields = ["name", "prefix"]
    filter_horizontal = ["indicators"]
    readonly_fields = [
        "prefix",
        "created_by",
        "created_at",
        "revoked_at",
        "last_used_at",
        "last_used_from",
        "use_count",
    ]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        # A token's company is fixed once made: moved, it would send for another company
        # and carry its batches there. Make a new token for the other company instead.
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "company"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        if not change:
            obj.prefix, obj.secret_hash, plaintext = new_credentials()
            obj.created_by = request.user
            request._new_token = plaintext  # for response_add, this request only
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # its indicators are saved now: the audit entry names them
            record_issued(form.instance, request.user)

    def response_add(self, request, obj, post_url_continue=None):
        """The new token's page: its secret, once, in this answer only (not cached)."""
        plaintext = getattr(request, "_new_token", None)
        if plaintext is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Token made for %(name)s") % {"name": obj.name},
            "token": obj,
            "plaintext": plaintext,
            "opts": self.opts,
            "list_url": reverse("admin:api_apitoken_changelist"),
        }
        response = TemplateResponse(request, "api/token_created.html", context)
        add_never_cache_headers(response)
        return response

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoke instead: the token's uses and batches stay explained

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset):
        for token in queryset:
            revoke_token(token)
        self.message_user(request, _("%(count)d tokens revoked.") % {"count": queryset.count()})


@admin.register(Submission)
class SubmissionAdmin(ScopedAdmin, admin.ModelAdmin):
    scope_path = "token__company"
    list_display = ["token", "key", "batch", "first_status", "created_at"]
    list_filter = ["token"]
    readonly_fields = ["token", "key", "body_sha256", "batch", "first_status", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
