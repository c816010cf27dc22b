from __future__ import annotations

import re
from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from upme_social.once import SubmissionTokenMixin

from .models import (
    DEFAULT_INTERVAL,
    MAX_INTERVAL_MINUTES,
    MIN_INTERVAL_MINUTES,
    Source,
    StaffRequest,
    validate_interval,
)


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
    q = forms.CharField(
        label=_("Buscar"),
        max_length=200,
        required=False,
        strip=True,
        error_messages={
            "max_length": _(
                "La búsqueda admite hasta %(limit_value)d caracteres y tiene "
                "%(show_value)d: acórtela para ver resultados."
            )
        },
    )

    def value(self, name: str, default: object = None) -> object:
        """A cleaned value, or the default when it was missing or invalid."""
        if not self.is_valid() and name in self.errors:
            return default
        return self.cleaned_data.get(name) or default


# Events are planned months ahead, not decades; the bound also keeps a
# year-9999 date from overflowing when it is stored in UTC.
EVENT_HORIZON = timedelta(days=2 * 365)

# C0 and C1 controls (tab and line breaks aside) and direction overrides
# never belong in a request a person reads. NUL is left to Django's own
# validator, which every CharField runs: one message for one problem.
_HIDDEN_CONTROLS = re.compile(
    "[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
)


def reject_hidden_controls(value: str) -> None:
    found = _HIDDEN_CONTROLS.search(value or "")
    if found:
        raise ValidationError(
            _("El texto contiene un carácter de control invisible (U+%(code)04X).")
            % {"code": ord(found.group())},
            code="control_character",
        )


class StaffRequestForm(SubmissionTokenMixin, forms.ModelForm):
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
        for name in ("title", "description", "event_place"):
            self.fields[name].validators.append(reject_hidden_controls)
        self.fields["event_date"].input_formats = [
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%d",
        ]
        # Required only for events: the label says so instead of "opcional".
        self.fields["event_date"].condition = _("obligatoria si es un evento")
        self.fields["event_place"].condition = _("solo para eventos")

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
        if event_date and event_date > timezone.now() + EVENT_HORIZON:
            self.add_error(
                "event_date", _("La fecha del evento está a más de dos años.")
            )
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


# What each kind reads from `config`, from the readers' own docstrings.
CONFIG_HELP = _(
    "Un objeto JSON con las opciones del tipo de fuente; deje {} si no necesita "
    "ninguna.<br>"
    "<b>RSS/Atom/JSON Feed</b>: ninguna opción; basta la URL del feed.<br>"
    "<b>Sección de periódico</b> (URL de la sección): "
    "<code>link_selector</code> (selector CSS de los enlaces a artículos, si la "
    "búsqueda automática falla), <code>max_articles</code> (artículos por "
    "consulta, 20 por defecto, máximo 100).<br>"
    "<b>Portal UPME</b> (URL base del portal): <code>api</code> (true/false, "
    "leer la API de WordPress; true por defecto), <code>per_page</code> "
    "(máximo 100), <code>publications</code> (true/false), "
    "<code>news_path</code> y <code>news_selector</code> (página de noticias y "
    "selector CSS de sus enlaces), <code>publications_path</code> y "
    "<code>publications_selector</code> (página de publicaciones y selector de "
    "sus documentos).<br>"
    "<b>Buzón de boletines</b> (sin URL): <code>host</code> y "
    "<code>username</code> (obligatorios), <code>port</code> (993 con ssl, 143 "
    "sin él), <code>ssl</code> (true por defecto) o <code>starttls</code> (con "
    "ssl en false), <code>password_env</code> (variable de entorno con la "
    "contraseña) o la contraseña en el campo «Contraseña del buzón», "
    "<code>folder</code> (INBOX por defecto), <code>allowed_senders</code> "
    '(obligatorio: direcciones o dominios como "@medio.co"), '
    '<code>digest</code> (true, false o "auto"), <code>max_messages</code>.<br>'
    'Ejemplo de buzón: {"host": "imap.upme.gov.co", "username": '
    '"boletines@upme.gov.co", "allowed_senders": ["@medio.co"]}'
)


class MinutesField(forms.IntegerField):
    """A duration typed as whole minutes: "15" is a quarter of an hour.

    Django's own duration box reads "15" as fifteen seconds.
    """

    default_error_messages = {
        "overflow": _("Son demasiados minutos para un intervalo."),
    }

    def prepare_value(self, value: object) -> object:
        if isinstance(value, timedelta):
            return int(value / timedelta(minutes=1))
        return value

    def to_python(self, value: object) -> timedelta | None:
        minutes = super().to_python(value)
        if minutes is None:
            return None
        try:
            return timedelta(minutes=minutes)
        except OverflowError:
            raise ValidationError(
                self.error_messages["overflow"], code="overflow"
            ) from None


class SourceAdminForm(forms.ModelForm):
    """Source settings checked on save with the readers' own checks.

    A mailbox password is write-only: it is never sent back to the browser,
    and leaving the field blank keeps the stored one.
    """

    mailbox_password = forms.CharField(
        label=_("Contraseña del buzón"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_(
            "Solo para buzones. Déjela en blanco para conservar la guardada; "
            "nunca se muestra. Mejor aún: use «password_env» en la configuración."
        ),
    )

    # The model's validator runs on the field, so the bounds are the ones
    # add_source and the poll hold to.
    interval = MinutesField(
        label=_("Intervalo (minutos)"),
        # A declared field does not take the model's default: offered here,
        # a new source saves with the name and address alone.
        initial=DEFAULT_INTERVAL,
        validators=[validate_interval],
        widget=forms.NumberInput(
            attrs={"min": MIN_INTERVAL_MINUTES, "max": MAX_INTERVAL_MINUTES}
        ),
        error_messages={"invalid": _("Escriba el intervalo en minutos enteros.")},
    )

    class Meta:
        model = Source
        fields = ["name", "kind", "url", "enabled", "interval", "config"]
        help_texts = {"config": CONFIG_HELP}
        # Django's Spanish says "Ingresa" here; the desk addresses people
        # as usted everywhere else.
        error_messages = {"config": {"invalid": _("Ingrese un JSON válido.")}}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["interval"].help_text = _(
            "Minutos entre consultas: de %(min)s a %(max)s (una semana)."
        ) % {"min": MIN_INTERVAL_MINUTES, "max": MAX_INTERVAL_MINUTES}
        stored = self.instance.config if isinstance(self.instance.config, dict) else {}
        self.stored_password = stored.get("password") or ""
        if "config" in self.fields and "config" not in self.data:
            self.initial["config"] = {
                key: value for key, value in stored.items() if key != "password"
            }
        if self.stored_password:
            self.fields["mailbox_password"].help_text = _(
                "Hay una contraseña guardada. Déjela en blanco para conservarla; "
                "escriba otra para cambiarla."
            )

    def clean(self) -> dict:
        data = super().clean()
        if "config" in self.errors or "kind" in self.errors:
            return data

        config = data.get("config")
        # An emptied box means no options, not a JSON null in the column.
        if config in (None, ""):
            config = data["config"] = {}
        new_password = data.get("mailbox_password") or ""
        if isinstance(config, dict) and data.get("kind") == Source.Kind.MAILBOX:
            config = dict(config)
            if new_password:
                config["password"] = new_password
            # The stored password stays unless the config names another way.
            elif self.stored_password and not (
                config.get("password") or config.get("password_env")
            ):
                config["password"] = self.stored_password
            data["config"] = config
        elif new_password:
            self.add_error(
                "mailbox_password",
                _("La contraseña solo se usa en fuentes de tipo buzón."),
            )

        from .sources.options import config_errors

        # A URL refused by its own field is not a missing one: the readers'
        # checks see what was typed, so the editor reads one error, not two.
        url = data.get("url") or self.data.get(self.add_prefix("url"), "")
        errors = config_errors(data.get("kind", ""), url, config)
        if errors:
            self.add_error("config", errors)
        return data
