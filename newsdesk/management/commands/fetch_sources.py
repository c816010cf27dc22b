"""Poll sources now, in this process, and say how each went.

It exits with status 1 when any source failed, so cron can tell.
"""

from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsdesk.actions import intake
from newsdesk.models import FetchAttempt, Source


def source_id(value: str) -> int:
    """--source as a positive id, refused in Spanish (argparse's own
    message is English: "invalid int value")."""
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            _("«%(value)s» no es un id de fuente: escriba un número entero, como 12.")
            % {"value": value}
        )
    return number


class Command(BaseCommand):
    help = "Consulta ahora las fuentes activas (o una, con --source ID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source", type=source_id, help="id de la fuente a consultar"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        sources = Source.objects.order_by("pk")
        if options["source"] is not None:
            sources = sources.filter(pk=options["source"])
            if not sources:
                raise CommandError(
                    _("No existe una fuente con id %(id)s.") % {"id": options["source"]}
                )
        else:
            sources = sources.filter(enabled=True)

        attempts = []
        for source in sources:
            attempt = intake.poll_source(source.pk)
            self.stdout.write(self._line(source, attempt))
            attempts.append(attempt)

        failed = sum(
            1
            for attempt in attempts
            if attempt is not None and attempt.outcome == Source.Outcome.ERROR
        )
        if failed:
            self.stderr.write(self.style.ERROR(self._summary(attempts, failed)))
            raise SystemExit(1)
        self.stdout.write(self._summary(attempts, failed))

    def _summary(self, attempts: list[FetchAttempt | None], failed: int) -> str:
        if not attempts:
            return _("No hay fuentes activas para consultar.")
        parts = [
            ngettext(
                "%(count)s fuente consultada",
                "%(count)s fuentes consultadas",
                len(attempts),
            )
            % {"count": len(attempts)},
            ngettext("%(count)s falló", "%(count)s fallaron", failed)
            % {"count": failed}
            if failed
            else _("ninguna falló"),
        ]
        busy = attempts.count(None)
        if busy:
            parts.append(
                ngettext(
                    "%(count)s ya estaba en curso",
                    "%(count)s ya estaban en curso",
                    busy,
                )
                % {"count": busy}
            )
        return _("Resumen: %(parts)s.") % {"parts": ", ".join(parts)}

    def _line(self, source: Source, attempt: FetchAttempt | None) -> str:
        if attempt is None:
            return _("%(name)s: otra consulta de esta fuente está en curso.") % {
                "name": source.name
            }
        if attempt.outcome == Source.Outcome.OK:
            found, new, updated = (
                attempt.entries_found,
                attempt.items_created,
                attempt.items_updated,
            )
            return self.style.SUCCESS(
                _("%(name)s: correcto, %(found)s, %(new)s, %(updated)s.")
                % {
                    "name": source.name,
                    "found": ngettext("%(count)s entrada", "%(count)s entradas", found)
                    % {"count": found},
                    "new": ngettext("%(count)s nueva", "%(count)s nuevas", new)
                    % {"count": new},
                    "updated": ngettext(
                        "%(count)s actualizada", "%(count)s actualizadas", updated
                    )
                    % {"count": updated},
                }
            )
        if attempt.outcome == Source.Outcome.NOT_MODIFIED:
            return _("%(name)s: sin cambios desde la última consulta.") % {
                "name": source.name
            }
        return self.style.ERROR(
            _("%(name)s: error (%(label)s): %(message)s")
            % {
                "name": source.name,
                "label": attempt.error_label,
                "message": attempt.error,
            }
        )
