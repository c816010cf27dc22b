"""Add a source from the command line; it is polled on the next beat tick."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from newsdesk.actions import intake
from newsdesk.models import Source

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

    def handle(self, *args: Any, **options: Any) -> None:
        kind = options["kind"].strip().lower()
        kind = KIND_ALIASES.get(kind, kind)
        try:
            source = intake.add_source(
                kind=kind,
                name=options["name"],
                url=options["url"],
                interval_minutes=options["interval"],
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
