from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SocialAccount(models.Model):
    class Network(models.TextChoices):
        X = "x", "X"
        FACEBOOK = "facebook", "Facebook"

    class Backend(models.TextChoices):
        SANDBOX = "sandbox", _("Sandbox (no envía nada)")
        LIVE = "live", _("Real (API de la red)")

    network = models.CharField(_("red"), max_length=20, choices=Network.choices)
    name = models.CharField(_("nombre"), max_length=100)
    handle = models.CharField(
        _("usuario o ID de página"),
        max_length=100,
        help_text=_("@usuario en X; ID numérico de la página en Facebook."),
    )
    backend = models.CharField(
        _("modo"), max_length=20, choices=Backend.choices, default=Backend.SANDBOX
    )
    # API keys and tokens. Never logged, never shown back in full.
    credentials = models.JSONField(_("credenciales"), default=dict, blank=True)
    enabled = models.BooleanField(_("activa"), default=True)

    # Newest mention already pulled, so each pull asks only for newer ones.
    mentions_cursor = models.CharField(
        _("cursor de menciones"), max_length=100, blank=True
    )
    last_error = models.TextField(_("último error"), blank=True)

    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada el"), auto_now=True)

    class Meta:
        ordering = ["network", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "handle"], name="socialaccount_unique_handle"
            )
        ]
        verbose_name = _("cuenta")
        verbose_name_plural = _("cuentas")

    def __str__(self) -> str:
        return f"{self.get_network_display()} {self.name}"

    @property
    def is_sandbox(self) -> bool:
        return self.backend == self.Backend.SANDBOX


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Borrador")
        PENDING = "pending", _("Pendiente de aprobación")
        APPROVED = "approved", _("Aprobado")
        PUBLISHED = "published", _("Publicado")
        FAILED = "failed", _("Fallido")

    text = models.TextField(_("texto para X"))
    link = models.URLField(_("enlace"), max_length=2000, blank=True)
    news_item = models.ForeignKey(
        "newsdesk.NewsItem",
        verbose_name=_("noticia de origen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    staff_request = models.ForeignKey(
        "newsdesk.StaffRequest",
        verbose_name=_("solicitud de origen"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="posts",
    )
    accounts = models.ManyToManyField(
        SocialAccount,
        verbose_name=_("cuentas de X"),
        related_name="posts",
        limit_choices_to={"network": SocialAccount.Network.X},
        blank=True,
    )
    mirror_to_facebook = models.BooleanField(_("replicar en Facebook"), default=True)
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    scheduled_for = models.DateTimeField(_("programado para"), null=True, blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("redactada por"),
        on_delete=models.PROTECT,
        related_name="posts_created",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("aprobada por"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="posts_approved",
    )
    submitted_at = models.DateTimeField(
        _("enviada a aprobación el"), null=True, blank=True
    )
    approved_at = models.DateTimeField(_("aprobada el"), null=True, blank=True)
    published_at = models.DateTimeField(_("publicada el"), null=True, blank=True)
    # The composer page this post was created from; sending that page again
    # finds this post instead of creating a twin (see upme_social.once).
    form_token = models.UUIDField(
        _("formulario de origen"), null=True, blank=True, editable=False
    )

    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada el"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="post_status_idx")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["form_token"], name="post_unique_form_token"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["draft", "pending", "approved", "published", "failed"]
                ),
                name="post_status_valid",
            ),
        ]
        verbose_name = _("publicación")
        verbose_name_plural = _("publicaciones")

    def __str__(self) -> str:
        return self.text[:60]


class Delivery(models.Model):
    """One post on one account: the unit that is published exactly once."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pendiente")
        SENDING = "sending", _("Enviando")
        PUBLISHED = "published", _("Publicado")
        FAILED = "failed", _("Fallido")
        # The worker died while the network call was in flight: it may or
        # may not have been published, so a person checks before a resend.
        NEEDS_CHECK = "needs_check", _("Requiere verificación")

    post = models.ForeignKey(
        Post,
        verbose_name=_("publicación"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    account = models.ForeignKey(
        SocialAccount,
        verbose_name=_("cuenta"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    status = models.CharField(
        _("estado"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    external_id = models.CharField(_("ID en la red"), max_length=100, blank=True)
    external_url = models.URLField(_("dirección en la red"), max_length=500, blank=True)
    last_error = models.TextField(_("último error"), blank=True)
    published_at = models.DateTimeField(_("publicada el"), null=True, blank=True)
    attempt_count = models.PositiveSmallIntegerField(_("intentos"), default=0)
    # Set when a worker claims the delivery; a claim this old with no answer
    # means the worker died mid-call.
    claimed_at = models.DateTimeField(_("tomada el"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("próximo intento"), null=True, blank=True)

    created_at = models.DateTimeField(_("creada el"), auto_now_add=True)
    updated_at = models.DateTimeField(_("actualizada el"), auto_now=True)

    class Meta:
        ordering = ["post", "account__network", "account__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "account"], name="delivery_unique_post_account"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "pending",
                        "sending",
                        "published",
                        "failed",
                        "needs_check",
                    ]
                ),
                name="delivery_status_valid",
            ),
        ]
        # The beat looks for due and stuck deliveries by status.
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")
        ]
        verbose_name = _("entrega")
        verbose_name_plural = _("entregas")

    def __str__(self) -> str:
        return f"{self.post_id} → {self.account}"


class PublishAttempt(models.Model):
    """Every call made to a network to publish a delivery."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Correcto")
        DUPLICATE = "duplicate", _("Duplicado")
        RATE_LIMITED = "rate_limited", _("Límite de uso")
        AUTH_EXPIRED = "auth_expired", _("Credenciales vencidas")
        FORBIDDEN = "forbidden", _("Prohibido")
        INVALID = "invalid", _("Inválido")
        TRANSIENT = "transient", _("Error temporal")

    delivery = models.ForeignKey(
        Delivery,
        verbose_name=_("entrega"),
        on_delete=models.CASCADE,
        related_name="attempts",
    )
    started_at = models.DateTimeField(_("iniciado el"), default=timezone.now)
    duration_ms = models.PositiveIntegerField(_("duración (ms)"), default=0)
    outcome = models.CharField(_("resultado"), max_length=20, choices=Outcome.choices)
    http_status = models.PositiveSmallIntegerField(
        _("estado HTTP"), null=True, blank=True
    )
    error = models.TextField(_("error"), blank=True)
    external_id = models.CharField(_("ID en la red"), max_length=100, blank=True)
    # What was sent (in the sandbox: what would have been sent); no secrets.
    payload = models.JSONField(_("contenido enviado"), default=dict, blank=True)
    sandbox = models.BooleanField(_("sandbox"), default=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("intento de publicación")
        verbose_name_plural = _("intentos de publicación")

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.outcome}"


class PostEvent(models.Model):
    """Audit trail of a post's status changes."""

    post = models.ForeignKey(
        Post,
        verbose_name=_("publicación"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("persona"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    from_status = models.CharField(
        _("estado anterior"), max_length=20, choices=Post.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("estado nuevo"), max_length=20, choices=Post.Status.choices
    )
    note = models.TextField(_("nota"), blank=True)
    created_at = models.DateTimeField(_("fecha"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("evento")
        verbose_name_plural = _("eventos")

    def __str__(self) -> str:
        return f"{self.post_id} {self.from_status}→{self.to_status}"
