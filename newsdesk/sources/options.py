"""Reading a source's `config` with clear Spanish errors.

Editors type these settings in the admin as JSON; a wrong type or a missing
key must say which key and what is expected, as a `FetchError("config")`
shown on the source's page, never as a traceback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from importlib import import_module
from typing import Any

from cssselect import SelectorError
from django.utils.translation import gettext as _
from lxml.cssselect import CSSSelector

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

    def css_selector(self, key: str) -> str:
        """A CSS selector ("" when absent), refused when it cannot compile:
        a typo must show when the source is saved, not at its first poll."""
        selector = self.text(key)
        if selector:
            try:
                CSSSelector(selector)
            except (SelectorError, ValueError) as exc:
                raise invalid_selector(selector, key) from exc
        return selector

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


def invalid_selector(selector: str, key: str) -> FetchError:
    return FetchError(
        "config",
        _("El selector CSS «%(selector)s» de «%(key)s» no es válido.")
        % {"selector": selector, "key": key},
    )


class ConfigCheck:
    """Runs every check of a reader's settings and keeps all the errors.

    The readers stop at the first wrong key, which is right for a poll; an
    editor saving the form wants to hear about every key at once.
    """

    def __init__(self, config: Any) -> None:
        self.errors: list[str] = []
        self.options: Options | None = None
        try:
            self.options = Options(config)
        except FetchError as exc:
            self.errors.append(exc.message)

    def __call__(self, read: Callable[[Options], object]) -> None:
        if self.options is None:
            return
        try:
            read(self.options)
        except FetchError as exc:
            # Checks that share a key (the port reads ssl) say it once.
            if exc.message not in self.errors:
                self.errors.append(exc.message)

    def require_url(self, url: str, message: str) -> None:
        if not (url or "").strip():
            self.errors.append(message)

    def only_keys(self, known: Iterable[str]) -> None:
        # A misspelt key would otherwise be ignored without a word.
        if self.options is None:
            return
        known = sorted(known)
        for key in self.options.config:
            if key not in known:
                self.errors.append(
                    _("Clave desconocida «%(key)s»; las válidas son: %(keys)s.")
                    % {"key": key, "keys": ", ".join(known) or _("ninguna")}
                )


def config_errors(kind: str, url: str, config: Any) -> list[str]:
    """Every problem a poll would meet in this kind's config, in Spanish.

    Each reader module may define `check_config(check, url)`; a kind whose
    reader takes no settings only needs a URL and an empty object.
    """
    from newsdesk.sources.registry import READERS

    check = ConfigCheck(config)
    dotted = READERS.get(kind)
    if dotted is None:
        return check.errors
    module = import_module(dotted.rsplit(".", 1)[0])
    reader_check = getattr(module, "check_config", None)
    if reader_check is None:
        check.require_url(url, _("Falta la URL de la fuente."))
        check.only_keys(())
    else:
        reader_check(check, url)
    return check.errors
