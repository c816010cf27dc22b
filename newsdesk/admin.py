import re

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .actions import deletion, intake
from .forms import SourceAdminForm
from .models import (
    Cluster,
    FetchAttempt,
    NewsItem,
    RelevanceModel,
    Source,
    StaffRequest,
    Term,
    error_label,
)


class FeminineAdminMixin:
    """Admin messages that agree with a feminine verbose_name.

    Django's Spanish messages are built as "El {name} “{obj}” fue agregado",
    which reads "El fuente" for a fuente, a noticia or a mención.
    """

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        name = re.escape(str(self.opts.verbose_name))
        names = re.escape(str(self.opts.verbose_name_plural))
        text = str(message)
        for pattern, replacement in (
            (rf"\bEl ?({name}) “", r"La \1 “"),
            (r"\bfu[eé] (agregad|eliminad|modificad)o\b", r"fue \1a"),
            (r"Puede volverlo a editar otra vez", "Puede editarla de nuevo"),
            (r"\bPuede editarlo\b", "Puede editarla"),
            (rf"\botro ({name})\b", r"otra \1"),
            (r"\bfueron modificados\b(?= con éxito)", "fueron modificadas"),
            (
                rf"^Eliminado/s (\d+) ({names}) satisfactoriamente\.",
                r"Se eliminaron \1 \2.",
            ),
        ):
            text = re.sub(pattern, replacement, text)
        if isinstance(message, SafeString):
            # Only Spanish words changed in text Django had escaped already.
            text = mark_safe(text)  # noqa: S308 -- rebuilt from escaped text
        return super().message_user(request, text, level, *args, **kwargs)


class ErrorClassFilter(admin.SimpleListFilter):
    """Filter attempts by error, named as the desk reads it."""

    title = _("clase de error")
    parameter_name = "error_class"

    def lookups(self, request, model_admin):
        classes = (
            FetchAttempt.objects.exclude(error_class="")
            .values_list("error_class", flat=True)
            .distinct()
        )
        return sorted(
            ((code, error_label(code)) for code in classes), key=lambda pair: pair[1]
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(error_class=self.value())
        return queryset


class FetchAttemptInline(admin.TabularInline):
    model = FetchAttempt
    extra = 0
    can_delete = False
    max_num = 0
    ordering = ["-started_at", "-pk"]
    fields = [
        "started_at",
        "outcome",
        "http_status",
        "entries_found",
        "items_created",
        "items_updated",
        "duration_ms",
        "error_label",
        "error",
        "warning_lines",
    ]
    readonly_fields = fields

    @admin.display(description=_("avisos"))
    def warning_lines(self, obj: FetchAttempt) -> str:
        return " · ".join(obj.warnings or [])

    @admin.display(description=_("clase de error"))
    def error_label(self, obj: FetchAttempt) -> str:
        return obj.error_label

    def get_formset(self, request, obj=None, **kwargs):
        # Remember the source: get_queryset has no other way to know it.
        request.newsdesk_source_pk = obj.pk if obj else None
        return super().get_formset(request, obj, **kwargs)

    def get_queryset(self, request):
        # Only the recent history: a source polled every 15 minutes
        # collects thousands of rows.
        queryset = super().get_queryset(request)
        source_pk = getattr(request, "newsdesk_source_pk", None)
        recent = list(
            queryset.filter(source_id=source_pk).values_list("pk", flat=True)[:20]
        )
        return queryset.filter(pk__in=recent)


@admin.register(Source)
class SourceAdmin(FeminineAdminMixin, admin.ModelAdmin):
    form = SourceAdminForm
    list_display = [
        "name",
        "kind",
        "enabled",
        "last_fetched_at",
        "last_outcome",
        "last_error_label",
        "error_count",
        "attention",
    ]
    list_filter = ["kind", "enabled", "last_outcome"]
    search_fields = ["name", "url"]
    readonly_fields = [
        "last_fetched_at",
        "last_success_at",
        "last_outcome",
        "last_error_label",
        "last_error",
        "error_count",
        "total_errors",
        "suggested_url",
        "etag",
        "last_modified",
        "request_validators",
        "link_failures",
        "moved_to_url",
        "moved_count",
        "poll_lease_until",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "kind",
                    "url",
                    "enabled",
                    "interval",
                    "config",
                    "mailbox_password",
                ]
            },
        ),
        (
            _("Estado"),
            {
                "fields": [
                    "next_fetch_at",
                    "last_fetched_at",
                    "last_success_at",
                    "last_outcome",
                    "last_error_label",
                    "last_error",
                    "error_count",
                    "total_errors",
                    "suggested_url",
                ]
            },
        ),
        (
            _("Detalles técnicos"),
            {
                "classes": ["collapse"],
                "fields": [
                    "etag",
                    "last_modified",
                    "request_validators",
                    "link_failures",
                    "moved_to_url",
                    "moved_count",
                    "poll_lease_until",
                    "created_at",
                    "updated_at",
                ],
            },
        ),
    ]
    inlines = [FetchAttemptInline]

    @admin.display(boolean=True, description=_("requiere atención"))
    def attention(self, obj: Source) -> bool:
        return obj.needs_attention

    @admin.display(description=_("clase de error"), ordering="last_error_class")
    def last_error_label(self, obj: Source) -> str:
        return obj.last_error_label

    def save_model(self, request, obj: Source, form, change: bool) -> None:
        # Validators from before an edit would let a 304 hide new settings.
        # The row as read is the reference: changed_data trusts the hidden
        # initial value the admin adds for the JSON field.
        edited = any(
            form.initial.get(name) != form.cleaned_data.get(name)
            for name in ("kind", "url", "config")
        )
        if change and edited:
            intake.forget_validators(obj)
        super().save_model(request, obj, form, change)

    # Deleting goes through the action so the stories the source's items
    # belonged to are counted again.
    def delete_model(self, request, obj: Source) -> None:
        deletion.delete_sources(Source.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        deletion.delete_sources(queryset)


@admin.register(FetchAttempt)
class FetchAttemptAdmin(FeminineAdminMixin, admin.ModelAdmin):
    list_display = [
        "started_at",
        "source",
        "outcome",
        "http_status",
        "entries_found",
        "items_created",
        "items_updated",
        "duration_ms",
        "error_label",
    ]
    list_filter = ["outcome", ErrorClassFilter]
    list_select_related = ["source"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("clase de error"), ordering="error_class")
    def error_label(self, obj: FetchAttempt) -> str:
        return obj.error_label


@admin.register(NewsItem)
class NewsItemAdmin(FeminineAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "source",
        "published_at",
        "date_flag",
        "status",
        "was_updated",
    ]
    list_filter = ["status", "date_flag", "was_updated", "source"]
    list_select_related = ["source"]
    search_fields = ["title", "link", "guid"]
    date_hierarchy = "published_at"
    raw_id_fields = ["decided_by"]
    readonly_fields = [
        "identity",
        "content_hash",
        "fetched_at",
        "created_at",
        "updated_at",
    ]

    def delete_model(self, request, obj: NewsItem) -> None:
        deletion.delete_items(NewsItem.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset) -> None:
        deletion.delete_items(queryset)


# -- Relevance, clusters and staff requests ----------------------------------


@admin.register(Term)
class TermAdmin(admin.ModelAdmin):
    list_display = ["text", "language", "kind", "weight", "enabled", "updated_at"]
    list_editable = ["weight", "enabled"]
    list_filter = ["enabled", "language", "kind"]
    search_fields = ["text"]
    readonly_fields = ["created_at", "updated_at"]

    def _rescore(self) -> None:
        # Candidates waiting for a decision follow the new vocabulary.
        from .tasks import rescore_pending_items

        transaction.on_commit(rescore_pending_items.delay)

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        self._rescore()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        self._rescore()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        self._rescore()


@admin.register(RelevanceModel)
class RelevanceModelAdmin(admin.ModelAdmin):
    list_display = [
        "trained_at",
        "decision_count",
        "positive_count",
        "negative_count",
        "held_out_count",
        "precision_percent",
        "recall_percent",
    ]
    readonly_fields = [
        "trained_at",
        "decision_count",
        "positive_count",
        "negative_count",
        "held_out_count",
        "precision",
        "recall",
    ]
    exclude = ["weights"]

    @admin.display(description=_("precisión (decisiones de prueba)"))
    def precision_percent(self, obj: RelevanceModel) -> str:
        return "—" if obj.precision is None else f"{obj.precision:.0%}"

    @admin.display(description=_("exhaustividad"))
    def recall_percent(self, obj: RelevanceModel) -> str:
        return "—" if obj.recall is None else f"{obj.recall:.0%}"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        current = RelevanceModel.objects.first()
        if current is None:
            self.message_user(request, self.why_no_model(), messages.WARNING)
        else:
            self.message_user(
                request,
                gettext(
                    "Modelo vigente entrenado el %(date)s con %(count)d decisiones: "
                    "precisión %(precision)s en %(held_out)d decisiones de prueba. "
                    "Se entrena de nuevo cada día."
                )
                % {
                    "date": date_format(
                        timezone.localtime(current.trained_at), "DATETIME_FORMAT"
                    ),
                    "count": current.decision_count,
                    "precision": self.precision_percent(current),
                    "held_out": current.held_out_count,
                },
                messages.INFO,
            )
        return super().changelist_view(request, extra_context)

    @staticmethod
    def why_no_model() -> str:
        """What the desk still lacks for a model, by the rules of
        relevance.train_model."""
        from .relevance import MIN_EACH_KIND, decision_counts, min_decisions

        used, dismissed = decision_counts()
        decided, needed = used + dismissed, min_decisions()
        if decided < needed:
            return gettext(
                "Sin modelo: el equipo ha decidido %(decided)d noticias y hacen "
                "falta %(needed)d (redactadas o descartadas) para entrenar uno. "
                "Mientras tanto la relevancia sale solo de los términos."
            ) % {"decided": decided, "needed": needed}
        if min(used, dismissed) < MIN_EACH_KIND:
            return gettext(
                "Sin modelo: de %(decided)d decisiones, %(used)d son redactadas y "
                "%(dismissed)d descartadas; hacen falta al menos %(each)d de cada "
                "clase para que aprenda a distinguirlas. Mientras tanto la "
                "relevancia sale solo de los términos."
            ) % {
                "decided": decided,
                "used": used,
                "dismissed": dismissed,
                "each": MIN_EACH_KIND,
            }
        return gettext(
            "Sin modelo todavía: ya hay %(decided)d decisiones; el entrenamiento "
            "diario creará el primero. Mientras tanto la relevancia sale solo de "
            "los términos."
        ) % {"decided": decided}


class ClusterItemInline(admin.TabularInline):
    model = NewsItem
    fk_name = "cluster"
    extra = 0
    can_delete = False
    max_num = 0
    fields = ["title", "source", "published_at", "status"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Cluster)
class ClusterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "source_count", "item_count", "updated_at"]
    list_select_related = ["representative"]
    readonly_fields = [
        "representative",
        "item_count",
        "source_count",
        "created_at",
        "updated_at",
    ]
    inlines = [ClusterItemInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(StaffRequest)
class StaffRequestAdmin(FeminineAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "requester", "status", "created_at", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["requester", "decided_by"]
    search_fields = ["title", "description"]
    date_hierarchy = "created_at"
    # Decisions go through the queue, which records who made them.
    readonly_fields = [
        "requester",
        "status",
        "decided_by",
        "decided_at",
        "decision_note",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request) -> bool:
        return False
