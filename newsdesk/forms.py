from __future__ import annotations

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Source, StaffRequest


class QueueFilterForm(forms.Form):
    """The queue's tab, order and filters, read from the query string."""

    class Tab:
        RELEVANT = "relevantes"
        LOW = "baja"
        DISMISSED = "descartadas"
        REQUESTS = "solicitudes"
        CHOICES = (
            (RELEVANT, _("Relevantes")),
            (LOW, _("Baja relevancia")),
            (DISMISSED, _("Descartadas")),
            (REQUESTS, _("Solicitudes")),
        )

    SORT_CHOICES = (("date", _("Fecha")), ("score", _("Relevancia")))

    tab = forms.ChoiceField(choices=Tab.CHOICES, required=False)
    sort = forms.ChoiceField(
        label=_("Ordenar por"), choices=SORT_CHOICES, required=False
    )
    source = forms.ModelChoiceField(
        label=_("Fuente"),
        queryset=Source.objects.order_by("name"),
        required=False,
        empty_label=_("Todas las fuentes"),
    )
    q = forms.CharField(label=_("Buscar"), max_length=200, required=False, strip=True)

    def value(self, name: str, default: object = None) -> object:
        """A cleaned value, or the default when it was missing or invalid."""
        if not self.is_valid() and name in self.errors:
            return default
        return self.cleaned_data.get(name) or default


class StaffRequestForm(forms.ModelForm):
    link = forms.URLField(
        label=_("Enlace"),
        max_length=2000,
        required=False,
        assume_scheme="https",
        help_text=_("Opcional: la página de la noticia o del evento."),
        error_messages={
            "invalid": _("Escriba un enlace completo, como https://www.upme.gov.co/.")
        },
    )

    class Meta:
        model = StaffRequest
        fields = ["kind", "title", "description", "link", "event_date", "event_place"]
        widgets = {
            "kind": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
            "event_date": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
        }
        help_texts = {
            "event_date": _("Obligatoria para eventos."),
        }
        error_messages = {
            "title": {
                "max_length": _(
                    "El título no puede pasar de %(limit_value)d caracteres."
                )
            },
            "description": {
                "max_length": _(
                    "La descripción no puede pasar de %(limit_value)d caracteres."
                )
            },
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["event_date"].input_formats = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
        ]

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        event_date = data.get("event_date")
        if (
            kind == StaffRequest.Kind.EVENT
            and not event_date
            and "event_date" not in self.errors
        ):
            self.add_error("event_date", _("Indique la fecha del evento."))
        if event_date and event_date < timezone.now() - timedelta(days=1):
            self.add_error("event_date", _("La fecha del evento ya pasó."))
        if kind == StaffRequest.Kind.NEWS:
            data["event_date"] = None
            data["event_place"] = ""
        return data


class RejectRequestForm(forms.Form):
    note = forms.CharField(
        label=_("Motivo"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": _("Motivo del rechazo (opcional)")}
        ),
        error_messages={
            "max_length": _("El motivo no puede pasar de %(limit_value)d caracteres.")
        },
    )
