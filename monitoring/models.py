from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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
        "publishing.SocialAccount", on_delete=models.CASCADE, related_name="mentions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.MENTION)
    external_id = models.CharField(max_length=100)
    author_handle = models.CharField(_("autor"), max_length=100)
    author_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("texto"))
    url = models.URLField(max_length=500, blank=True)
    said_at = models.DateTimeField(_("fecha"))

    decision = models.CharField(
        _("decisión"),
        max_length=20,
        choices=Decision.choices,
        default=Decision.PENDING,
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
        ordering = ["-said_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="mention_unique_external_id"
            )
        ]
        indexes = [
            models.Index(fields=["decision", "-said_at"], name="mention_inbox_idx")
        ]
        verbose_name = _("mención")
        verbose_name_plural = _("menciones")

    def __str__(self) -> str:
        return f"@{self.author_handle}: {self.text[:40]}"
