"""Add a source from the command line; it is polled on the next beat tick."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from newsdesk.actions import intake
from newsdesk.models import Source
from newsdesk.sources.options import config_errors

# "rss" and "atom" read better on a command line than "feed".
KIND_ALIASES = {
    "rss": Source.Kind.FEED,
    "atom": Source.Kind.FEED,
    "json": Source.Kind.FEED,
}


class Command(BaseCommand):
    help = "Agrega una fuente: feed, newspaper, portal o mailbox."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--kind", required=True, help="feed, newspaper, portal o mailbox"
        )
        parser.add_argument("--name", required=True, help="nombre visible de la fuente")
        parser.add_argument("--url", default="", help="dirección de la fuente")
        parser.add_argument(
            "--interval", type=int, default=15, help="minutos entre consultas (15)"
        )
        parser.add_argument(
            "--disabled", action="store_true", help="crearla desactivada"
        )
        parser.add_argument(
            "--config",
            default="{}",
            help=(
                'opciones del tipo en JSON, p. ej. \'{"host": "imap.upme.gov.co", '
                '"username": "boletines", "password_env": "BUZON_CLAVE", '
                '"allowed_senders": ["@medio.co"]}\''
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"].strip().lower()
        kind = KIND_ALIASES.get(kind, kind)
        config = self._config(kind, options["url"], options["config"])
        try:
            source = intake.add_source(
                kind=kind,
                name=options["name"],
                url=options["url"],
                interval_minutes=options["interval"],
                config=config,
                enabled=not options["disabled"],
            )
        except ValidationError as exc:
            messages = [
                message
                for messages in exc.message_dict.values()
                for message in messages
            ]
            raise CommandError(" ".join(messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Fuente «%(name)s» creada con id %(id)s (%(kind)s).")
                % {
                    "name": source.name,
                    "id": source.pk,
                    "kind": source.get_kind_display(),
                }
            )
        )

    def _config(self, kind: str, url: str, raw: str) -> dict:
        # The same checks as the admin form: a source that could never be
        # polled is not created.
        try:
            config = json.loads(raw or "{}")
        except json.JSONDecodeError as exc:
            raise CommandError(
                _("--config no es JSON válido (%(error)s).") % {"error": exc.msg}
            ) from exc
        errors = config_errors(kind, url, config) if kind in Source.Kind.values else []
        if errors:
            raise CommandError(
                _("Configuración no válida: %(errors)s") % {"errors": " ".join(errors)}
            )
        return config
