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

from newsdesk.admin import FeminineAdminMixin

from .forms import check_schedule
from .models import Delivery, Post, PostEvent, PublishAttempt, SocialAccount


def mask(value: object) -> str:
    """Enough of a secret to tell two apart, never enough to use one."""
    text = str(value)
    if len(text) <= 8:
        return "••••"
    return f"••••{text[-4:]}"


class WriteOnlyTextarea(forms.Textarea):
    """A textarea that always renders empty, whatever was typed or stored."""

    def format_value(self, value: Any) -> None:
        # Secrets typed into a form that failed validation must not come
        # back in the page, its cache or the browser's history.
        return None


# What a live account needs before it can publish or read mentions.
REQUIRED_LIVE_KEYS = {
    SocialAccount.Network.X: (
        "consumer_key",
        "consumer_secret",
        "access_token",
        "access_token_secret",
    ),
    SocialAccount.Network.FACEBOOK: ("page_access_token",),
}


class SocialAccountForm(forms.ModelForm):
    # Write-only: the stored credentials never travel back to the browser.
    new_credentials = forms.JSONField(
        label=gettext_lazy("Credenciales nuevas (JSON)"),
        required=False,
        widget=WriteOnlyTextarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=gettext_lazy(
            "Solo las claves que cambian; las demás se conservan. X: consumer_key, "
            "consumer_secret, access_token, access_token_secret. Facebook: "
            "page_access_token. Una clave con valor vacío se borra. Este campo "
            "nunca se muestra de nuevo: si el formulario vuelve con errores, "
            "escriba otra vez las credenciales."
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

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("backend") != SocialAccount.Backend.LIVE:
            return cleaned

        network = cleaned.get("network")
        credentials = self._merged_credentials(cleaned.get("new_credentials") or {})
        missing = [
            key
            for key in REQUIRED_LIVE_KEYS.get(network, ())
            if not str(credentials.get(key) or "").strip()
        ]
        if missing:
            self.add_error(
                "new_credentials",
                _(
                    "Para el modo real faltan estas credenciales: %(keys)s. "
                    "Escríbalas en el JSON o deje la cuenta en Sandbox."
                )
                % {"keys": ", ".join(missing)},
            )
        handle = str(cleaned.get("handle") or "").strip()
        if network == SocialAccount.Network.FACEBOOK and not handle.isdigit():
            self.add_error(
                "handle",
                _(
                    "Para el modo real de Facebook, el usuario debe ser el "
                    "identificador numérico de la página (solo dígitos)."
                ),
            )
        return cleaned

    def _merged_credentials(self, changes: dict) -> dict:
        credentials = dict(self.instance.credentials or {})
        for key, value in changes.items():
            if value in ("", None):
                credentials.pop(key, None)
            else:
                credentials[key] = value
        return credentials

    def save(self, commit: bool = True) -> SocialAccount:
        account = super().save(commit=False)
        account.credentials = self._merged_credentials(
            self.cleaned_data["new_credentials"]
        )
        if commit:
            account.save()
        return account


@admin.register(SocialAccount)
class SocialAccountAdmin(FeminineAdminMixin, admin.ModelAdmin):
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


class PostAdminForm(forms.ModelForm):
    class Meta:
        model = Post
        fields = ["text", "link", "accounts", "mirror_to_facebook", "scheduled_for"]

    def clean_scheduled_for(self) -> Any:
        when = self.cleaned_data.get("scheduled_for")
        if when is not None:
            check_schedule(when)
        return when


@admin.register(Post)
class PostAdmin(FeminineAdminMixin, admin.ModelAdmin):
    form = PostAdminForm
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
class DeliveryAdmin(FeminineAdminMixin, admin.ModelAdmin):
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
