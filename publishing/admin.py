from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Field, URLField
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Delivery, Post, PostEvent, PublishAttempt, SocialAccount


def mask(value: object) -> str:
    """Enough of a secret to tell two apart, never enough to use one."""
    text = str(value)
    if len(text) <= 8:
        return "••••"
    return f"••••{text[-4:]}"


class SocialAccountForm(forms.ModelForm):
    # Write-only: the stored credentials never travel back to the browser.
    new_credentials = forms.JSONField(
        label=gettext_lazy("Credenciales nuevas (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Solo las claves que cambian; las demás se conservan. X: consumer_key, "
            "consumer_secret, access_token, access_token_secret. Facebook: "
            "page_access_token. Una clave con valor vacío se borra."
        ),
    )

    class Meta:
        model = SocialAccount
        fields = ["network", "name", "handle", "backend", "enabled"]

    def clean_new_credentials(self) -> dict:
        value = self.cleaned_data.get("new_credentials") or {}
        if not isinstance(value, dict):
            raise forms.ValidationError(
                _('Escriba un objeto JSON: {"clave": "valor"}.')
            )
        return value

    def save(self, commit: bool = True) -> SocialAccount:
        account = super().save(commit=False)
        credentials = dict(account.credentials or {})
        for key, value in self.cleaned_data["new_credentials"].items():
            if value in ("", None):
                credentials.pop(key, None)
            else:
                credentials[key] = value
        account.credentials = credentials
        if commit:
            account.save()
        return account


@admin.register(SocialAccount)
class SocialAccountAdmin(admin.ModelAdmin):
    form = SocialAccountForm
    list_display = ["name", "network", "handle", "mode", "enabled", "last_error"]
    list_filter = ["network", "backend", "enabled"]
    search_fields = ["name", "handle"]
    readonly_fields = ["stored_credentials", "mentions_cursor", "last_error"]
    fields = [
        "network",
        "name",
        "handle",
        "backend",
        "enabled",
        "stored_credentials",
        "new_credentials",
        "mentions_cursor",
        "last_error",
    ]

    @admin.display(description=gettext_lazy("modo"))
    def mode(self, account: SocialAccount) -> str:
        if account.is_sandbox:
            return format_html(
                '<strong style="color:#8a5a00">{}</strong>', _("SANDBOX (no publica)")
            )
        return _("Real")

    @admin.display(description=gettext_lazy("credenciales guardadas"))
    def stored_credentials(self, account: SocialAccount) -> str:
        if not account.credentials:
            return _("Ninguna")
        return format_html_join(
            ", ",
            "{}: {}",
            ((key, mask(value)) for key, value in sorted(account.credentials.items())),
        )


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.display(description=gettext_lazy("dirección en la red"))
def delivery_address(delivery: Delivery) -> str:
    if not delivery.external_url:
        return "—"
    # A sandbox address looks real but leads nowhere: shown, not linked.
    simulated = delivery.attempts.filter(
        sandbox=True, external_id=delivery.external_id
    ).exists()
    if simulated:
        return format_html(
            "{} <strong>{}</strong>", delivery.external_url, _("simulado (sandbox)")
        )
    return format_html(
        '<a href="{}" rel="noopener noreferrer">{}</a>',
        delivery.external_url,
        delivery.external_url,
    )


class DeliveryInline(ReadOnlyInline):
    model = Delivery
    fields = [
        "account",
        "status",
        "attempt_count",
        "external_id",
        delivery_address,
        "last_error",
        "published_at",
    ]
    readonly_fields = fields
    show_change_link = True


class PostEventInline(ReadOnlyInline):
    model = PostEvent
    fields = ["created_at", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "status",
        "created_by",
        "approved_by",
        "scheduled_for",
        "created_at",
    ]
    list_filter = ["status", "mirror_to_facebook"]
    search_fields = ["text", "link"]
    list_select_related = ["created_by", "approved_by"]
    # Status moves only through the desk's actions, never by hand here.
    readonly_fields = [
        "status",
        "created_by",
        "approved_by",
        "submitted_at",
        "approved_at",
        "published_at",
        "news_item",
        "staff_request",
    ]
    filter_horizontal = ["accounts"]
    inlines = [DeliveryInline, PostEventInline]

    def formfield_for_dbfield(
        self, db_field: Field, request: HttpRequest, **kwargs: Any
    ) -> forms.Field | None:
        if isinstance(db_field, URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Posts are written in the composer, where the text is checked.
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Once sent for approval a change here would publish text the
        # approver never saw, with no line in the history: only drafts.
        return obj is None or obj.status == Post.Status.DRAFT


class PublishAttemptInline(ReadOnlyInline):
    model = PublishAttempt
    fields = [
        "started_at",
        "outcome",
        "http_status",
        "duration_ms",
        "external_id",
        "error",
        "sandbox",
        "sent",
    ]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("contenido enviado"))
    def sent(self, attempt: PublishAttempt) -> str:
        return format_html(
            "<code>{}</code>", json.dumps(attempt.payload, ensure_ascii=False)
        )


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "post",
        "account",
        "status",
        "attempt_count",
        "external_id",
        "published_at",
    ]
    list_filter = ["status", "account"]
    list_select_related = ["post", "account"]
    readonly_fields = [
        "post",
        "account",
        "status",
        "attempt_count",
        "external_id",
        delivery_address,
        "last_error",
        "published_at",
        "claimed_at",
        "next_attempt_at",
    ]
    # Shown through delivery_address, which knows a sandbox address.
    exclude = ["external_url"]
    inlines = [PublishAttemptInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(PublishAttempt)
class PublishAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "delivery",
        "started_at",
        "outcome",
        "http_status",
        "duration_ms",
        "sandbox",
    ]
    list_filter = ["outcome", "sandbox"]
    list_select_related = ["delivery__post", "delivery__account"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
