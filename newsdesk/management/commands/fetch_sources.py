"""Poll sources now, in this process, and say how each went."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from newsdesk.actions import intake
from newsdesk.models import FetchAttempt, Source


class Command(BaseCommand):
    help = "Consulta ahora las fuentes activas (o una, con --source ID)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=int, help="id de la fuente a consultar")

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

        for source in sources:
            attempt = intake.poll_source(source.pk)
            self.stdout.write(self._line(source, attempt))

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
            _("%(name)s: error %(class)s: %(message)s")
            % {
                "name": source.name,
                "class": attempt.error_class,
                "message": attempt.error,
            }
        )
