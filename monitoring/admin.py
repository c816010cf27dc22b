from django.contrib import admin
from django.http import HttpRequest

from newsdesk.admin import FeminineAdminMixin

from .models import Mention, MentionDecision, MentionPull, WatchedAccount


class ReadOnlyAdmin(FeminineAdminMixin, admin.ModelAdmin):
    """Audit rows: written by the desk, only read here."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class MentionDecisionInline(admin.TabularInline):
    model = MentionDecision
    fields = ["created_at", "actor", "from_decision", "to_decision"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Mention)
class MentionAdmin(FeminineAdminMixin, admin.ModelAdmin):
    list_display = [
        "said_at",
        "account",
        "kind",
        "author_handle",
        "decision",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["decision", "account", "kind", "account__network"]
    list_select_related = ["account", "decided_by"]
    search_fields = ["author_handle", "author_name", "external_id"]
    date_hierarchy = "said_at"
    # Decisions change only through the inbox, which keeps the audit trail.
    readonly_fields = [
        "account",
        "kind",
        "external_id",
        "author_handle",
        "author_name",
        "text",
        "url",
        "said_at",
        "decision",
        "decided_by",
        "decided_at",
        "fetched_at",
        "created_at",
        "updated_at",
    ]
    inlines = [MentionDecisionInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(MentionDecision)
class MentionDecisionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "mention", "actor", "from_decision", "to_decision"]
    list_filter = ["to_decision", "actor"]
    list_select_related = ["mention", "actor"]
    date_hierarchy = "created_at"


@admin.register(MentionPull)
class MentionPullAdmin(ReadOnlyAdmin):
    list_display = [
        "started_at",
        "account",
        "outcome",
        "fetched",
        "created",
        "duration_ms",
        "http_status",
        "retry_at",
    ]
    list_filter = ["outcome", "account"]
    list_select_related = ["account"]
    date_hierarchy = "started_at"


@admin.register(WatchedAccount)
class WatchedAccountAdmin(FeminineAdminMixin, admin.ModelAdmin):
    list_display = ["name", "network", "handle", "category", "active_until", "enabled"]
    list_filter = ["category", "network", "enabled"]
    list_editable = ["enabled"]
    search_fields = ["name", "handle", "notes"]
