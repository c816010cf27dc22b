from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from newsdesk.models import NewsItem, StaffRequest
from upme_social.once import SubmissionTokenMixin

from . import textcount
from .actions import Draft
from .models import Post, SocialAccount

# A schedule further ahead is a typo (a wrong year), not a plan.
MAX_SCHEDULE_AHEAD = timedelta(days=365)


def check_schedule(when: datetime) -> None:
    """Refuse a schedule in the past, out of range or absurdly far ahead."""
    try:
        # Stored in UTC: 9999-12-31 23:59 in Bogotá is already year 10000.
        when = when.astimezone(UTC)
    except (OverflowError, ValueError) as error:
        raise forms.ValidationError(
            _("Esa fecha está fuera del rango permitido; revise el año."),
            code="out_of_range",
        ) from error

    now = timezone.now()
    if when < now:
        raise forms.ValidationError(_("La hora programada ya pasó."), code="past")
    if when > now + MAX_SCHEDULE_AHEAD:
        raise forms.ValidationError(
            _(
                "Solo se puede programar hasta un año por delante; "
                "revise la fecha (¿el año?)."
            ),
            code="too_far",
        )


class AccountChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: SocialAccount) -> str:
        label = f"{obj.name} ({obj.handle})"
        if obj.is_sandbox:
            return _("%(account)s · Sandbox: no publica de verdad") % {"account": label}
        return label

    def _check_values(self, value: Any) -> Any:
        try:
            return super()._check_values(value)
        except forms.ValidationError as error:
            if error.code not in ("invalid_choice", "invalid_pk_value"):
                raise
            raise forms.ValidationError(
                _unavailable_accounts_message(value), code=error.code
            ) from error


def _unavailable_accounts_message(value: Any) -> str:
    # Name the accounts that were switched off while the person wrote, so
    # they know which tick to remove; unknown ids get a general message.
    chosen = [str(v) for v in value if str(v).isdigit()]
    disabled = SocialAccount.objects.filter(
        pk__in=chosen, network=SocialAccount.Network.X, enabled=False
    )
    names = ", ".join(account.name for account in disabled)
    if names:
        return _(
            "Estas cuentas de X ya no están activas: %(names)s. "
            "Quítelas o pida que las activen."
        ) % {"names": names}
    return _(
        "Una de las cuentas elegidas ya no existe o no es una cuenta de X. "
        "Revise las cuentas marcadas."
    )


class PostForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Texto para X"),
        widget=forms.Textarea(attrs={"rows": 5, "data-tweet-counter": "true"}),
        # The weighted limit is checked below; this only stops absurd input.
        max_length=5000,
        strip=False,
        required=False,
    )
    link = forms.URLField(
        label=gettext_lazy("Enlace"),
        help_text=gettext_lazy(
            "Va a Facebook como enlace de la publicación; en X, inclúyalo en el texto."
        ),
        required=False,
        max_length=2000,
        assume_scheme="https",
    )
    accounts = AccountChoiceField(
        label=gettext_lazy("Cuentas de X"),
        queryset=SocialAccount.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    mirror_to_facebook = forms.BooleanField(
        label=gettext_lazy(
            "Replicar en la página de Facebook (mismo texto; el enlace va como "
            "enlace de la publicación)"
        ),
        required=False,
        initial=True,
    )
    scheduled_for = forms.DateTimeField(
        label=gettext_lazy("Programar para (hora de Bogotá, opcional)"),
        required=False,
        widget=forms.DateTimeInput(
            attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
        ),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        error_messages={
            "invalid": gettext_lazy("Escriba la fecha y la hora como AAAA-MM-DD HH:MM.")
        },
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["accounts"].queryset = SocialAccount.objects.filter(
            network=SocialAccount.Network.X, enabled=True
        )

    def clean_text(self) -> str:
        text = textcount.normalize_line_endings(self.cleaned_data["text"])
        error = textcount.validation_error(text)
        if error:
            raise forms.ValidationError(error)
        return text

    def clean_scheduled_for(self) -> datetime | None:
        when = self.cleaned_data["scheduled_for"]
        if when is not None:
            check_schedule(when)
        return when

    def to_draft(self) -> Draft:
        data = self.cleaned_data
        return Draft(
            text=data["text"],
            link=data["link"],
            accounts=list(data["accounts"]),
            mirror_to_facebook=data["mirror_to_facebook"],
            scheduled_for=data["scheduled_for"],
        )

    @classmethod
    def initial_from_post(cls, post: Post) -> dict:
        return {
            "text": post.text,
            "link": post.link,
            "accounts": list(post.accounts.all()),
            "mirror_to_facebook": post.mirror_to_facebook,
            "scheduled_for": timezone.localtime(post.scheduled_for)
            if post.scheduled_for
            else None,
        }


class NewPostForm(SubmissionTokenMixin, PostForm):
    """The composer for a new post: sent twice, it still makes one post."""

    @classmethod
    def initial_for(
        cls, item: NewsItem | None, staff_request: StaffRequest | None
    ) -> dict:
        # A new post goes to every X account unless the editor unticks one.
        initial: dict = {
            "accounts": list(
                SocialAccount.objects.filter(
                    network=SocialAccount.Network.X, enabled=True
                )
            )
        }
        if item is not None:
            initial |= {"text": f"{item.title} {item.link}".strip(), "link": item.link}
        elif staff_request is not None:
            text = f"{request_headline(staff_request)} {staff_request.link}"
            initial |= {"text": text.strip(), "link": staff_request.link}
        return initial


def request_headline(staff_request: StaffRequest) -> str:
    """A first line for the post: the title, and when and where an event is."""
    if staff_request.kind != StaffRequest.Kind.EVENT or not staff_request.event_date:
        return staff_request.title

    # The post is read in Colombia: the time is Bogotá's, as on screen.
    when = date_format(timezone.localtime(staff_request.event_date), "DATETIME_FORMAT")
    if staff_request.event_place:
        return _("%(title)s · %(when)s · %(place)s") % {
            "title": staff_request.title,
            "when": when,
            "place": staff_request.event_place,
        }
    return _("%(title)s · %(when)s") % {"title": staff_request.title, "when": when}


class RejectForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Nota para quien redactó"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={
            "required": gettext_lazy("Escriba una nota para devolver la publicación.")
        },
    )
