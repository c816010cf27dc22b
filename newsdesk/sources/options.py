"""Reading a source's `config` with clear Spanish errors.

Editors type these settings in the admin as JSON; a wrong type or a missing
key must say which key and what is expected, as a `FetchError("config")`
shown on the source's page, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from newsdesk.sources.base import FetchError


class Options:
    """Typed access to one source's config mapping."""

    def __init__(self, config: Any) -> None:
        if config in (None, ""):
            config = {}
        if not isinstance(config, Mapping):
            raise FetchError(
                "config",
                _("La configuración de la fuente debe ser un objeto JSON ({...})."),
            )
        self.config = config

    def _error(self, key: str, expected: str) -> FetchError:
        return FetchError(
            "config",
            _("La clave «%(key)s» de la configuración debe ser %(expected)s.")
            % {"key": key, "expected": expected},
        )

    def text(self, key: str, default: str = "", *, required: bool = False) -> str:
        value = self.config.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, str):
            raise self._error(key, _("un texto"))
        value = value.strip()
        if required and not value:
            raise FetchError(
                "config",
                _("Falta la clave «%(key)s» en la configuración de la fuente.")
                % {"key": key},
            )
        return value

    def integer(
        self, key: str, default: int, *, minimum: int = 1, maximum: int = 1000
    ) -> int:
        value = self.config.get(key, default)
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        # bool is an int in Python; "true" as a count is a typing mistake.
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._error(key, _("un número entero"))
        if not minimum <= value <= maximum:
            raise FetchError(
                "config",
                _("La clave «%(key)s» debe estar entre %(minimum)s y %(maximum)s.")
                % {"key": key, "minimum": minimum, "maximum": maximum},
            )
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.config.get(key, default)
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered in ("true", "sí", "si", "1", "yes"):
                return True
            if lowered in ("false", "no", "0", ""):
                return False
        if not isinstance(value, bool):
            raise self._error(key, _("verdadero o falso (true/false)"))
        return value

    def text_list(self, key: str) -> list[str]:
        """A list of texts; a comma-separated text is accepted too."""
        value = self.config.get(key) or []
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._error(key, _("una lista de textos"))
        return [item.strip() for item in value if item.strip()]
