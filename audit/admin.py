from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.changes import entry_changes
from audit.models import AuditEntry
from audit.readonly import ReadOnlyModelAdmin
from audit.selectors import indicator_names
from audit.visibility import visible_entries


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyModelAdmin):
    """The audit trail: seen here, never added, changed or deleted; each reader sees the
    entries of their companies and the shared ones (``audit.visibility``), another
    company's entry is not found."""

    list_display = ["at", "actor_column", "action", "target_type", "target_repr", "company"]
    list_filter = [
        "action",
        ("actor", admin.RelatedOnlyFieldListFilter),
        ("company", admin.RelatedOnlyFieldListFilter),
        "at",
    ]
    search_fields = ["target_repr", "target_id", "actor_name", "reason"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        return visible_entries(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "changes"]

    @admin.display(description=_("by"), ordering="actor_name")
    def actor_column(self, entry: AuditEntry) -> str:
        return entry.actor_label

    @admin.display(description=_("before → after"))
    def changes(self, entry: AuditEntry) -> str:
        rows = [
            (change.label, change.old or "–", change.new or "–")
            for change in entry_changes(entry, indicator_names=indicator_names()).changed
        ]
        if not rows:
            return "–"
        items = format_html_join("", "<li>{}: {} → {}</li>", rows)
        return format_html("<ul>{}</ul>", items)
