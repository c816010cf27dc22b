from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from publishing.models import SocialAccount


class Mention(models.Model):
    """Something said to or about one of our accounts, waiting for a person."""

    class Kind(models.TextChoices):
        MENTION = "mention", _("Mención")
        MESSAGE = "message", _("Mensaje directo")
        COMMENT = "comment", _("Comentario")

    class Decision(models.TextChoices):
        PENDING = "pending", _("Sin revisar")
        NEEDS_REPLY = "needs_reply", _("Requiere respuesta")
        NO_REPLY = "no_reply", _("No requiere respuesta")

    account = models.ForeignKey(
        "publishing.SocialAccount",
        verbose_name=_("cuenta"),
        on_delete=models.CASCADE,
        related_name="mentions",
    )
    kind = models.CharField(
        _("tipo"), max_length=20, choices=Kind.choices, default=Kind.MENTION
    )
    external_id = models.CharField(_("id en la red"), max_length=100)
    author_handle = models.CharField(_("autor"), max_length=100)
    author_name = models.CharField(_("nombre del autor"), max_length=200, blank=True)
    text = models.TextField(_("texto"))
    url = models.URLField(_("enlace"), max_length=500, blank=True)
    said_at = models.DateTimeField(_("fecha"))

    decision = models.CharField(
        _("decisión"),
        max_length=20,
        choices=Decision.choices,
        default=Decision.PENDING,
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
        ordering = ["-said_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="mention_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["decision", "-said_at"], name="mention_inbox_idx"),
            models.Index(
                fields=["account", "decision", "-said_at"],
                name="mention_account_inbox_idx",
            ),
        ]
        verbose_name = _("mención")
        verbose_name_plural = _("menciones")

    def __str__(self) -> str:
        return f"@{self.author_handle}: {self.text[:40]}"


class MentionDecision(models.Model):
    """Audit trail of the decisions on a mention: who changed it and when."""

    mention = models.ForeignKey(
        Mention,
        verbose_name=_("mención"),
        on_delete=models.CASCADE,
        related_name="decisions",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_decision = models.CharField(
        _("antes"), max_length=20, choices=Mention.Decision.choices
    )
    to_decision = models.CharField(
        _("después"), max_length=20, choices=Mention.Decision.choices
    )
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["mention", "created_at"], name="mentiondecision_idx")
        ]
        verbose_name = _("decisión sobre una mención")
        verbose_name_plural = _("decisiones sobre menciones")

    def __str__(self) -> str:
        return f"{self.mention_id} {self.from_decision}→{self.to_decision}"


class MentionPull(models.Model):
    """One call to a network for an account's new mentions.

    A row in progress also works as the account's lock: the partial unique
    constraint lets only one pull per account run at a time.
    """

    class Outcome(models.TextChoices):
        RUNNING = "running", _("En curso")
        OK = "ok", _("Correcto")
        RATE_LIMITED = "rate_limited", _("Límite de uso")
        AUTH_EXPIRED = "auth_expired", _("Credenciales vencidas")
        FORBIDDEN = "forbidden", _("Prohibido")
        INVALID = "invalid", _("Inválido")
        TRANSIENT = "transient", _("Error temporal")
        ERROR = "error", _("Error inesperado")
        ABANDONED = "abandoned", _("Interrumpida")

    account = models.ForeignKey(
        "publishing.SocialAccount",
        verbose_name=_("cuenta"),
        on_delete=models.CASCADE,
        related_name="mention_pulls",
    )
    started_at = models.DateTimeField(_("inicio"), default=timezone.now)
    finished_at = models.DateTimeField(_("fin"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("duración (ms)"), default=0)
    outcome = models.CharField(
        _("resultado"),
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.RUNNING,
    )
    http_status = models.PositiveSmallIntegerField(
        _("estado HTTP"), null=True, blank=True
    )
    error = models.TextField(_("mensaje de error"), blank=True)
    # For RATE_LIMITED: no pull for this account before this moment.
    retry_at = models.DateTimeField(_("reintentar desde"), null=True, blank=True)
    fetched = models.PositiveIntegerField(_("recibidas"), default=0)
    created = models.PositiveIntegerField(_("nuevas"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=models.Q(outcome="running"),
                name="mentionpull_one_running_per_account",
            )
        ]
        indexes = [
            models.Index(
                fields=["account", "-started_at"], name="mentionpull_account_idx"
            ),
            models.Index(fields=["started_at"], name="mentionpull_started_idx"),
        ]
        verbose_name = _("consulta de menciones")
        verbose_name_plural = _("consultas de menciones")

    def __str__(self) -> str:
        return f"{self.account_id} {self.started_at:%Y-%m-%d %H:%M} {self.outcome}"


class WatchedAccount(models.Model):
    """An account outside the office that the desk keeps an eye on."""

    class Category(models.TextChoices):
        SECTOR_LEADER = "sector_leader", _("Líder del sector")
        MINISTRY_ENTITY = "ministry_entity", _("Entidad adscrita al Ministerio")
        EVENT = "event", _("Cuenta de evento")

    network = models.CharField(
        _("red"), max_length=20, choices=SocialAccount.Network.choices
    )
    handle = models.CharField(
        _("usuario o ID de página"),
        max_length=100,
        help_text=_("@usuario en X; nombre o ID numérico de la página en Facebook."),
    )
    name = models.CharField(_("nombre"), max_length=200)
    category = models.CharField(_("categoría"), max_length=20, choices=Category.choices)
    notes = models.TextField(_("notas"), blank=True)
    # Event accounts matter only around the event; afterwards they stay
    # listed as past instead of being deleted, for the record.
    active_until = models.DateField(
        _("activa hasta"),
        null=True,
        blank=True,
        help_text=_("Para cuentas de eventos: último día en que se sigue la cuenta."),
    )
    enabled = models.BooleanField(_("activa"), default=True)

    created_at = models.DateTimeField(_("creada"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada"), auto_now=True)

    class Meta:
        ordering = ["category", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "handle"], name="watchedaccount_unique_handle"
            )
        ]
        verbose_name = _("cuenta seguida")
        verbose_name_plural = _("cuentas seguidas")

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.name}"

    @property
    def profile_url(self) -> str:
        handle = self.handle.lstrip("@")
        if self.network == SocialAccount.Network.X:
            return f"https://x.com/{handle}"
        return f"https://www.facebook.com/{handle}"

    def is_current(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        if not self.enabled:
            return False
        return self.active_until is None or self.active_until >= today
