from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from newsdesk.language import fold, words
from newsdesk.sanitize import plain_text_cached

# A source that failed this many times in a row is flagged on the dashboard.
ATTENTION_THRESHOLD = 10

# How often a source may be polled: at most every minute, at least weekly.
# The admin, add_source and the poll itself all hold to these bounds.
MIN_INTERVAL_MINUTES = 1
MAX_INTERVAL_MINUTES = 7 * 24 * 60
DEFAULT_INTERVAL = timedelta(minutes=15)

# The readers speak HTTP(S) only; an ftp:// or file:// address could never
# be polled. Its own code keeps a form from swapping the message for its
# generic "invalid" one.
validate_source_url = URLValidator(
    schemes=["http", "https"],
    message=_("Escriba una URL http(s) completa, como https://medio.co/rss."),
    code="not_http",
)


def validate_interval_minutes(minutes: float) -> None:
    if not MIN_INTERVAL_MINUTES <= minutes <= MAX_INTERVAL_MINUTES:
        raise ValidationError(
            _("El intervalo debe estar entre %(min)s y %(max)s minutos."),
            code="interval_range",
            params={"min": MIN_INTERVAL_MINUTES, "max": MAX_INTERVAL_MINUTES},
        )


def validate_interval(value: timedelta) -> None:
    validate_interval_minutes(value / timedelta(minutes=1))


def bounded_interval(value: timedelta | None) -> timedelta:
    """The interval within the bounds, for a row set by hand out of them."""
    if value is None:
        return DEFAULT_INTERVAL
    lowest = timedelta(minutes=MIN_INTERVAL_MINUTES)
    return min(max(value, lowest), timedelta(minutes=MAX_INTERVAL_MINUTES))


# The desk reads what went wrong, never a reader's code: one label per
# FetchError class, for the sources pages and the admin alike.
ERROR_LABELS = {
    "auth": _("Acceso rechazado"),
    "config": _("Configuración"),
    "connection": _("Sin conexión"),
    "decoding": _("Respuesta dañada"),
    "imap": _("Error del buzón"),
    "internal": _("Error interno"),
    "invalid_url": _("URL no válida"),
    "no_articles": _("Sin artículos"),
    "not_a_feed": _("No es un feed"),
    "parse": _("Formato ilegible"),
    "time_limit": _("Consulta demasiado larga"),
    "timeout": _("Sin respuesta a tiempo"),
    "tls": _("Certificado no válido"),
    "too_large": _("Respuesta demasiado grande"),
    "too_many_redirects": _("Demasiadas redirecciones"),
}
GENERIC_ERROR_LABEL = _("Error de la consulta")


def error_label(error_class: str) -> str:
    """The Spanish label of an error class: "HTTP 404" for http_404."""
    if not error_class:
        return ""
    if error_class in ERROR_LABELS:
        return str(ERROR_LABELS[error_class])
    status = error_class.removeprefix("http_")
    if status != error_class and status.isdigit():
        return f"HTTP {status}"
    # A class a newer reader added before it got its label.
    return str(GENERIC_ERROR_LABEL)


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
    url = models.URLField(
        _("URL"), max_length=1000, blank=True, validators=[validate_source_url]
    )
    enabled = models.BooleanField(_("activa"), default=True)
    interval = models.DurationField(
        _("intervalo"), default=DEFAULT_INTERVAL, validators=[validate_interval]
    )
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
    etag = models.CharField(_("ETag"), max_length=500, blank=True)
    last_modified = models.CharField(_("Last-Modified"), max_length=100, blank=True)
    # The same for a poll's other requests (the portal's publications), by
    # URL: {url: {"etag": ..., "last_modified": ...}}.
    request_validators = models.JSONField(
        _("validadores de otras consultas"), default=dict, blank=True, editable=False
    )
    # A newspaper section's article links that failed, by canonical link:
    # {link: failures}. Only links still on the page are kept; a link that
    # failed a few times is not fetched again (newsdesk.sources.newspaper).
    link_failures = models.JSONField(
        _("artículos fallidos"), default=dict, blank=True, editable=False
    )
    # A permanent redirect moves `url` only once it has held for several
    # polls in a row: a site that misbehaves for an hour keeps its address.
    moved_to_url = models.URLField(
        _("nueva URL (redirección)"), max_length=1000, blank=True
    )
    moved_count = models.PositiveSmallIntegerField(
        _("redirecciones seguidas"), default=0
    )
    # Only one poll of a source at a time, on SQLite and PostgreSQL alike:
    # a poll takes the lease with one conditional UPDATE.
    poll_lease_until = models.DateTimeField(
        _("consulta en curso hasta"), null=True, blank=True
    )

    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("fuente")
        verbose_name_plural = _("fuentes")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        # The desk's page of the source, where editors poll it and read its
        # attempts; the admin links it as "Ver en el sitio".
        return reverse("newsdesk:source_detail", args=[self.pk])

    @property
    def needs_attention(self) -> bool:
        return self.error_count >= ATTENTION_THRESHOLD

    @property
    def interval_minutes(self) -> int:
        return int(self.interval.total_seconds() // 60) if self.interval else 0

    @property
    def last_error_label(self) -> str:
        return error_label(self.last_error_class)


class FetchAttempt(models.Model):
    """One poll of a source: every outgoing request leaves a row."""

    source = models.ForeignKey(
        Source,
        verbose_name=_("fuente"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    started_at = models.DateTimeField(_("inicio"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duración (ms)"), default=0)
    outcome = models.CharField(
        _("resultado"), max_length=20, choices=Source.Outcome.choices
    )
    error_class = models.CharField(_("clase de error"), max_length=40, blank=True)
    error = models.TextField(_("mensaje de error"), blank=True)
    http_status = models.PositiveSmallIntegerField(
        _("estado HTTP"), null=True, blank=True
    )
    entries_found = models.PositiveIntegerField(_("entradas encontradas"), default=0)
    items_created = models.PositiveIntegerField(_("noticias nuevas"), default=0)
    items_updated = models.PositiveIntegerField(_("noticias actualizadas"), default=0)
    # What a successful poll could not do (articles that failed, a portal's
    # documents that did not answer), for the editor, in Spanish.
    warnings = models.JSONField(_("avisos"), default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(
                fields=["source", "-started_at"], name="fetchattempt_source_idx"
            )
        ]
        verbose_name = _("consulta")
        verbose_name_plural = _("consultas")

    def __str__(self) -> str:
        # Bogota time, as every screen shows it; the source's name is left
        # out so a list of attempts costs no query per row.
        when = date_format(timezone.localtime(self.started_at), "DATETIME_FORMAT")
        result = self.error_label or self.get_outcome_display()
        return gettext("Consulta del %(when)s: %(result)s") % {
            "when": when,
            "result": result,
        }

    @property
    def error_label(self) -> str:
        return error_label(self.error_class)


def search_text(*parts: str) -> str:
    """Text as the queue's search compares it: no tags, accents or case.

    SQLite folds case for ASCII only and PostgreSQL never drops accents, so
    both sides of a search are folded here, the same way on either. Each
    part is folded apart (the same result as folding them joined), so the
    summary's plain and folded text, made for scoring, are reused.
    """
    return " ".join(fold(plain_text_cached(part)) for part in parts if part)


class NewsItem(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("Nueva")
        DISMISSED = "dismissed", _("Descartada")
        USED = "used", _("Redactada")

    class DateFlag(models.TextChoices):
        OK = "", _("Fecha correcta")
        MISSING = "date_missing", _("Sin fecha")
        FUTURE = "future", _("Fecha futura")

    source = models.ForeignKey(
        Source, verbose_name=_("fuente"), on_delete=models.CASCADE, related_name="items"
    )
    # Stable identity within the source: GUID, canonical link or a hash.
    identity = models.CharField(_("identidad"), max_length=500)
    guid = models.CharField(_("GUID"), max_length=1000, blank=True)
    link = models.URLField(_("enlace"), max_length=2000, blank=True)
    title = models.CharField(_("título"), max_length=1000)
    summary = models.TextField(_("resumen"), blank=True)
    author = models.CharField(_("autor"), max_length=300, blank=True)
    image_url = models.URLField(_("imagen"), max_length=2000, blank=True)
    document_url = models.URLField(_("documento"), max_length=2000, blank=True)
    published_at = models.DateTimeField(_("publicada"))
    date_flag = models.CharField(
        _("aviso de fecha"),
        max_length=20,
        choices=DateFlag.choices,
        default=DateFlag.OK,
        blank=True,
    )
    # Hash of title and summary, to notice an entry that came back edited.
    content_hash = models.CharField(
        _("huella del contenido"), max_length=64, blank=True
    )
    was_updated = models.BooleanField(_("actualizada"), default=False)
    # Title and summary folded by search_text; kept in step on every write.
    search = models.TextField(_("texto de búsqueda"), blank=True, editable=False)

    # Enrichment (newsdesk/enrich.py): language, relevance and cluster.
    language = models.CharField(_("idioma"), max_length=8, blank=True)
    score = models.FloatField(_("relevancia"), default=0)
    # [{"term": ..., "weight": ..., "field": "title" | "summary" | "model"}]
    matched_terms = models.JSONField(
        _("términos encontrados"), default=list, blank=True
    )
    cluster = models.ForeignKey(
        "Cluster",
        verbose_name=_("grupo"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="items",
    )
    # MinHash signature of title and lead, kept so clustering never has to
    # recompute the signatures of earlier items.
    minhash = models.BinaryField(
        _("firma MinHash"), null=True, blank=True, editable=False
    )

    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decidida por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decidida el"), null=True, blank=True)

    fetched_at = models.DateTimeField(_("recibida"), default=timezone.now)
    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "identity"], name="newsitem_unique_identity"
            )
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="newsitem_queue_idx"),
            models.Index(fields=["status", "-score"], name="newsitem_score_idx"),
            # The few rows a failed enrichment left bare, which beat
            # enriches again (enrich.enrich_pending): found without a scan.
            models.Index(
                fields=["-id"],
                condition=models.Q(minhash__isnull=True),
                name="newsitem_unenriched_idx",
            ),
        ]
        verbose_name = _("noticia")
        verbose_name_plural = _("noticias")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Bulk writes skip save(); intake.store_entries calls fill_search.
        # A save of other fields (an editor's decision) leaves it alone.
        update_fields = kwargs.get("update_fields")
        if update_fields is None:
            self.fill_search()
        elif {"title", "summary"} & set(update_fields):
            self.fill_search()
            kwargs["update_fields"] = {*update_fields, "search"}
        super().save(*args, **kwargs)

    def fill_search(self) -> None:
        self.search = search_text(self.title, self.summary)


class Cluster(models.Model):
    """The same story told by several outlets within 72 hours."""

    # The first item of the story: the one row the queue shows for it.
    representative = models.ForeignKey(
        NewsItem,
        verbose_name=_("noticia representativa"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept in step by newsdesk/clustering.py so the queue shows "N fuentes"
    # without counting rows.
    item_count = models.PositiveIntegerField(_("noticias"), default=0)
    source_count = models.PositiveIntegerField(_("fuentes"), default=0)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["representative"], name="cluster_unique_representative"
            )
        ]
        verbose_name = _("grupo de noticias")
        verbose_name_plural = _("grupos de noticias")

    def __str__(self) -> str:
        title = self.representative.title if self.representative else "—"
        return f"{title} ({self.source_count})"


class Term(models.Model):
    """A word, phrase or entity of the sector that makes an item relevant."""

    class Language(models.TextChoices):
        SPANISH = "es", _("Español")
        ENGLISH = "en", _("Inglés")
        BOTH = "both", _("Ambos")

    class Kind(models.TextChoices):
        TERM = "term", _("Término")
        ENTITY = "entity", _("Entidad")

    text = models.CharField(
        _("texto"),
        max_length=200,
        help_text=_(
            "Palabra, frase o entidad. Se compara sin tildes ni mayúsculas y, "
            "salvo las entidades, por su raíz: «minería» también halla «MINERIA»."
        ),
    )
    language = models.CharField(
        _("idioma"), max_length=4, choices=Language.choices, default=Language.SPANISH
    )
    weight = models.FloatField(
        _("peso"),
        default=1.0,
        help_text=_(
            "Lo que suma cada vez que aparece: el doble en el título. Un peso "
            "negativo resta (entre -10 y 10)."
        ),
    )
    kind = models.CharField(
        _("tipo"), max_length=10, choices=Kind.choices, default=Kind.TERM
    )
    enabled = models.BooleanField(_("activo"), default=True)
    created_at = models.DateTimeField(_("creado"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizado"), auto_now=True)

    class Meta:
        ordering = ["text", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["text", "language"], name="term_unique_text_language"
            ),
            models.CheckConstraint(
                condition=models.Q(weight__gte=-10) & models.Q(weight__lte=10),
                name="term_weight_range",
                violation_error_message=_("El peso debe estar entre -10 y 10."),
            ),
        ]
        verbose_name = _("término del sector")
        verbose_name_plural = _("términos del sector")

    def __str__(self) -> str:
        return f"{self.text} ({self.language})"

    def clean(self) -> None:
        # Terms are compared folded, so "MINERIA" beside "minería" would
        # count every mention twice, and "¡¡!!" would never match at all.
        super().clean()
        folded = words(self.text)
        if not folded:
            raise ValidationError({"text": _("Escriba al menos una palabra o cifra.")})
        for other in Term.objects.exclude(pk=self.pk).only("text", "language"):
            if words(other.text) == folded and self._overlaps(other.language):
                raise ValidationError(
                    {
                        "text": _(
                            "Ya existe «%(other)s» (%(language)s), que se compara "
                            "igual sin tildes ni mayúsculas: contaría dos veces. "
                            "Edite ese término en lugar de crear otro."
                        )
                        % {
                            "other": other.text,
                            "language": other.get_language_display(),
                        }
                    }
                )

    def _overlaps(self, language: str) -> bool:
        both = Term.Language.BOTH
        return both in (language, self.language) or language == self.language


class RelevanceModel(models.Model):
    """A model trained on editors' decisions; the newest one scores items."""

    trained_at = models.DateTimeField(_("entrenado"), default=timezone.now)
    decision_count = models.PositiveIntegerField(_("decisiones"), default=0)
    positive_count = models.PositiveIntegerField(_("redactadas"), default=0)
    negative_count = models.PositiveIntegerField(_("descartadas"), default=0)
    held_out_count = models.PositiveIntegerField(_("decisiones de prueba"), default=0)
    precision = models.FloatField(_("precisión"), null=True, blank=True)
    recall = models.FloatField(_("exhaustividad"), null=True, blank=True)
    # The weights as a NumPy .npz archive (no pickle): safe to load.
    weights = models.BinaryField(_("pesos"), editable=False)

    class Meta:
        ordering = ["-trained_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(precision__isnull=True)
                | (models.Q(precision__gte=0) & models.Q(precision__lte=1)),
                name="relevancemodel_precision_range",
            )
        ]
        verbose_name = _("modelo de relevancia")
        verbose_name_plural = _("modelos de relevancia")

    def __str__(self) -> str:
        # Bogota time, as every screen shows it.
        when = date_format(timezone.localtime(self.trained_at), "DATETIME_FORMAT")
        return f"{when} ({self.decision_count})"


class StaffRequest(models.Model):
    """A UPME employee asks the desk to publish an event or a piece of news."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Evento")
        NEWS = "news", _("Noticia")

    class Status(models.TextChoices):
        NEW = "new", _("Nueva")
        ACCEPTED = "accepted", _("Aceptada")
        REJECTED = "rejected", _("Rechazada")
        PUBLISHED = "published", _("Publicada")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("solicitante"),
        on_delete=models.PROTECT,
        related_name="staff_requests",
    )
    kind = models.CharField(
        _("tipo"), max_length=10, choices=Kind.choices, default=Kind.NEWS
    )
    title = models.CharField(_("título"), max_length=200)
    description = models.TextField(_("descripción"), max_length=5000)
    link = models.URLField(_("enlace"), max_length=2000, blank=True)
    event_date = models.DateTimeField(_("fecha del evento"), null=True, blank=True)
    event_place = models.CharField(_("lugar del evento"), max_length=200, blank=True)

    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decidida por"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decidida"), null=True, blank=True)
    decision_note = models.TextField(_("nota"), max_length=1000, blank=True)
    # The request page this row was sent from; sending that page again
    # finds this request instead of creating a twin (see upme_social.once).
    form_token = models.UUIDField(
        _("formulario de origen"), null=True, blank=True, editable=False
    )

    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["form_token"], name="staffrequest_unique_form_token"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["new", "accepted", "rejected", "published"]
                ),
                name="staffrequest_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["status", "-created_at"], name="staffrequest_status_idx"
            )
        ]
        verbose_name = _("solicitud")
        verbose_name_plural = _("solicitudes")

    def __str__(self) -> str:
        return self.title
