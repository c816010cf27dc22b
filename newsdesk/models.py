from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A source that failed this many times in a row is flagged on the dashboard.
ATTENTION_THRESHOLD = 10


class Source(models.Model):
    class Kind(models.TextChoices):
        FEED = "feed", _("RSS/Atom/JSON Feed")
        NEWSPAPER = "newspaper", _("Sección de periódico")
        PORTAL = "portal", _("Portal UPME")
        MAILBOX = "mailbox", _("Buzón de boletines")

    class Outcome(models.TextChoices):
        NEVER = "", _("Sin consultar")
        OK = "ok", _("Correcto")
        NOT_MODIFIED = "not_modified", _("Sin cambios")
        ERROR = "error", _("Error")

    name = models.CharField(_("nombre"), max_length=200)
    kind = models.CharField(
        _("tipo"), max_length=20, choices=Kind.choices, default=Kind.FEED
    )
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    enabled = models.BooleanField(_("activa"), default=True)
    interval = models.DurationField(_("intervalo"), default=timedelta(minutes=15))
    # Kind-specific settings: CSS selectors, IMAP host and allowed senders...
    config = models.JSONField(_("configuración"), default=dict, blank=True)

    next_fetch_at = models.DateTimeField(_("próxima consulta"), default=timezone.now)
    last_fetched_at = models.DateTimeField(_("última consulta"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("último éxito"), null=True, blank=True)
    last_outcome = models.CharField(
        _("último resultado"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.NEVER,
        blank=True,
    )
    last_error_class = models.CharField(_("clase de error"), max_length=40, blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    error_count = models.PositiveIntegerField(_("errores seguidos"), default=0)
    total_errors = models.PositiveIntegerField(_("errores totales"), default=0)
    # A feed link advertised by an HTML page we got instead of a feed; shown
    # to the editor, never followed on our own.
    suggested_url = models.URLField(_("URL sugerida"), max_length=1000, blank=True)

    # Conditional GET validators from the last successful response.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("fuente")
        verbose_name_plural = _("fuentes")

    def __str__(self) -> str:
        return self.name

    @property
    def needs_attention(self) -> bool:
        return self.error_count >= ATTENTION_THRESHOLD


class FetchAttempt(models.Model):
    """One poll of a source: every outgoing request leaves a row."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="attempts"
    )
    started_at = models.DateTimeField(default=timezone.now)
    duration_ms = models.PositiveIntegerField(default=0)
    outcome = models.CharField(max_length=20, choices=Source.Outcome.choices)
    error_class = models.CharField(max_length=40, blank=True)
    error = models.TextField(blank=True)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    entries_found = models.PositiveIntegerField(default=0)
    items_created = models.PositiveIntegerField(default=0)
    items_updated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["source", "-started_at"], name="fetchattempt_source_idx")
        ]
        verbose_name = _("consulta")
        verbose_name_plural = _("consultas")

    def __str__(self) -> str:
        return f"{self.source_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class NewsItem(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Nueva")
        DISMISSED = "dismissed", _("Descartada")
        USED = "used", _("Redactada")

    class DateFlag(models.TextChoices):
        OK = "", _("Fecha correcta")
        MISSING = "date_missing", _("Sin fecha")
        FUTURE = "future", _("Fecha futura")

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="items")
    # Stable identity within the source: GUID, canonical link or a hash.
    identity = models.CharField(max_length=500)
    guid = models.CharField(max_length=1000, blank=True)
    link = models.URLField(_("enlace"), max_length=2000, blank=True)
    title = models.CharField(_("título"), max_length=1000)
    summary = models.TextField(_("resumen"), blank=True)
    author = models.CharField(_("autor"), max_length=300, blank=True)
    image_url = models.URLField(max_length=2000, blank=True)
    document_url = models.URLField(_("documento"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("publicada"))
    date_flag = models.CharField(
        max_length=20, choices=DateFlag.choices, default=DateFlag.OK, blank=True
    )
    # Hash of title and summary, to notice an entry that came back edited.
    content_hash = models.CharField(max_length=64, blank=True)
    was_updated = models.BooleanField(_("actualizada"), default=False)

    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    fetched_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identity"], name="newsitem_unique_identity"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="newsitem_queue_idx")
        ]
        verbose_name = _("noticia")
        verbose_name_plural = _("noticias")

    def __str__(self) -> str:
        return self.title
