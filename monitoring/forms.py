from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from publishing.models import SocialAccount

from .models import Mention

# The inbox tabs: a decision, or every mention.
TAB_ALL = "all"
TAB_CHOICES = [
    (Mention.Decision.PENDING, Mention.Decision.PENDING.label),
    (Mention.Decision.NEEDS_REPLY, Mention.Decision.NEEDS_REPLY.label),
    (Mention.Decision.NO_REPLY, Mention.Decision.NO_REPLY.label),
    (TAB_ALL, _("Todas")),
]


class InboxFilterForm(forms.Form):
    """The inbox's tab and filters, read from the query string."""

    tab = forms.ChoiceField(choices=TAB_CHOICES, required=False)
    account = forms.ModelChoiceField(
        label=_("Cuenta"),
        queryset=SocialAccount.objects.all(),
        required=False,
        empty_label=_("Todas las cuentas"),
    )
    network = forms.ChoiceField(
        label=_("Red"),
        choices=[("", _("Todas las redes")), *SocialAccount.Network.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Tipo"),
        choices=[("", _("Todos los tipos")), *Mention.Kind.choices],
        required=False,
    )

    def filters(self) -> InboxFilters:
        """The valid filters; a value that is not valid is ignored."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return InboxFilters(
            tab=cleaned.get("tab") or Mention.Decision.PENDING,
            account=cleaned.get("account"),
            network=cleaned.get("network") or "",
            kind=cleaned.get("kind") or "",
        )


@dataclass(frozen=True)
class InboxFilters:
    tab: str
    account: SocialAccount | None
    network: str
    kind: str
