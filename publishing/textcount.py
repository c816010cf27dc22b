"""Weighted length of a post's X text, by the twitter-text v3 rules.

X counts a URL as 23, an emoji as 2, CJK and most scripts beyond U+10FF as 2
and everything else as 1, up to 280. The composer counts in the browser with
the official twitter-text bundle; the server counts again here before it
stores or sends anything, so both must agree.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from twitter_text import parse_tweet
from twitter_text.config import config as _configs

MAX_WEIGHTED_LENGTH = 280

_V3 = _configs["version3"]
_LINE_ENDINGS = re.compile(r"\r\n|\r")

# What twitter-text refuses (its invalid_chars group), in plain words.
_REFUSED_BY_X = {
    "\ufeff": gettext_lazy("espacio invisible"),
    "\ufffe": gettext_lazy("no carácter"),
    "\uffff": gettext_lazy("no carácter"),
}
# X accepts these, but they silently reorder how the text reads; an
# institution's post must not carry them.
_DIRECTION_CONTROLS = {
    "\u202a": gettext_lazy("incrustación de izquierda a derecha"),
    "\u202b": gettext_lazy("incrustación de derecha a izquierda"),
    "\u202c": gettext_lazy("fin de formato direccional"),
    "\u202d": gettext_lazy("forzar izquierda a derecha"),
    "\u202e": gettext_lazy("forzar derecha a izquierda"),
    "\u2066": gettext_lazy("aislamiento de izquierda a derecha"),
    "\u2067": gettext_lazy("aislamiento de derecha a izquierda"),
    "\u2068": gettext_lazy("aislamiento según el primer carácter"),
    "\u2069": gettext_lazy("fin de aislamiento direccional"),
}
# Control characters (C0 and C1) beep, move the cursor or vanish; only the
# line break belongs in a post.
_CONTROL_NAMES = {
    "\t": gettext_lazy("tabulador"),
    "\x07": gettext_lazy("campana (BEL)"),
    "\x08": gettext_lazy("retroceso (BS)"),
    "\x1b": gettext_lazy("escape (ESC)"),
    "\x7f": gettext_lazy("borrado (DEL)"),
}
# Characters that show nothing: a text made only of these looks empty.
_INVISIBLE_NAMES = {
    "\u00ad": gettext_lazy("guion invisible"),
    "\u034f": gettext_lazy("unión de grafemas invisible"),
    "\u115f": gettext_lazy("relleno hangul"),
    "\u1160": gettext_lazy("relleno hangul"),
    "\u17b4": gettext_lazy("vocal invisible"),
    "\u17b5": gettext_lazy("vocal invisible"),
    "\u180e": gettext_lazy("separador de vocal mongol"),
    "\u200b": gettext_lazy("espacio de ancho cero"),
    "\u200c": gettext_lazy("separador de ancho cero"),
    "\u200d": gettext_lazy("unión de ancho cero"),
    "\u2060": gettext_lazy("unión de palabras"),
    "\u2800": gettext_lazy("braille en blanco"),
    "\u3164": gettext_lazy("relleno hangul"),
    "\uffa0": gettext_lazy("relleno hangul de media anchura"),
}
# Enough to find the spot without flooding the message.
_MAX_REPORTED = 5
_CONTEXT_CHARS = 15


@dataclass(frozen=True)
class TweetLength:
    weighted_length: int
    valid: bool
    permillage: int
    valid_range_end: int
    display_range_end: int

    @property
    def remaining(self) -> int:
        return MAX_WEIGHTED_LENGTH - self.weighted_length


def normalize_line_endings(text: str) -> str:
    """The browser's textarea holds "\\n" but submits "\\r\\n"; X gets "\\n"."""
    return _LINE_ENDINGS.sub("\n", text)


def measure(text: str) -> TweetLength:
    # The package folds "\r\n" into one character while the JavaScript
    # library counts two; we store and send "\n" only, where both agree.
    text = normalize_line_endings(text)
    parsed = parse_tweet(text, _V3)

    return TweetLength(
        weighted_length=parsed.weightedLength,
        valid=parsed.valid,
        permillage=parsed.permillage,
        # The package answers -1 for an empty text; the JavaScript library
        # and the conformance suite answer 0.
        valid_range_end=max(parsed.validRangeEnd, 0),
        display_range_end=parsed.displayRangeEnd,
    )


def validation_error(text: str) -> str | None:
    """A Spanish message saying why X would refuse `text`, or None."""
    if not text.strip():
        return _("El texto para X está vacío.")

    text = normalize_line_endings(text)
    controls = _describe(text, _control_names(text))
    if controls:
        return _(
            "El texto para X contiene caracteres de control, que no se ven y "
            "X mostraría mal o rechazaría: %(found)s. Bórrelos (suelen llegar "
            "al copiar y pegar)."
        ) % {"found": controls}
    if all(_is_invisible(char) for char in text):
        return _(
            "El texto para X solo tiene caracteres invisibles: %(found)s. "
            "Escriba el texto de la publicación."
        ) % {"found": _describe(text, _invisible_names(text))}

    hidden = _describe(text, _DIRECTION_CONTROLS)
    if hidden:
        return _(
            "El texto para X contiene controles ocultos de dirección del texto, "
            "que cambian el orden en que se lee: %(found)s. Bórrelos; una "
            "publicación institucional no debe llevarlos."
        ) % {"found": hidden}

    length = measure(text)
    if length.weighted_length > MAX_WEIGHTED_LENGTH:
        return _(
            "El texto para X mide %(length)s de %(max)s caracteres; "
            "acórtelo en %(excess)s."
        ) % {
            "length": length.weighted_length,
            "max": MAX_WEIGHTED_LENGTH,
            "excess": length.weighted_length - MAX_WEIGHTED_LENGTH,
        }
    refused = _describe(text, _REFUSED_BY_X)
    if refused:
        return _(
            "El texto para X contiene caracteres que X no acepta: %(found)s. "
            "Bórrelos (suelen llegar al copiar y pegar)."
        ) % {"found": refused}
    if not length.valid:
        return _("El texto para X contiene caracteres que X no acepta.")
    return None


def _control_names(text: str) -> dict[str, str]:
    return {
        char: _CONTROL_NAMES.get(char, gettext_lazy("carácter de control"))
        for char in set(text)
        if char != "\n" and unicodedata.category(char) == "Cc"
    }


def _is_invisible(char: str) -> bool:
    # Separators (Z*), format characters (Cf) and the blank look-alikes.
    return (
        char.isspace()
        or char in _INVISIBLE_NAMES
        or unicodedata.category(char) in ("Cf", "Zs", "Zl", "Zp")
    )


def _invisible_names(text: str) -> dict[str, str]:
    names = {}
    for char in set(text):
        if char in _INVISIBLE_NAMES:
            names[char] = _INVISIBLE_NAMES[char]
        elif not char.isspace():
            names[char] = gettext_lazy("carácter invisible")
    return names


def _describe(text: str, names: dict[str, str]) -> str:
    """Each listed character found, by code point, name and place."""
    found = [(i, char) for i, char in enumerate(text) if char in names]
    parts = []
    for index, char in found[:_MAX_REPORTED]:
        before = text[max(0, index - _CONTEXT_CHARS) : index].strip()
        # Strip the other hidden characters so the quote reads cleanly.
        before = "".join(c for c in before if c not in names)
        where = (
            _("en la posición %(position)s, después de «%(before)s»")
            % {"position": index + 1, "before": before}
            if before
            else _("en la posición %(position)s, al inicio") % {"position": index + 1}
        )
        parts.append(f"U+{ord(char):04X} ({names[char]}) {where}")
    if len(found) > _MAX_REPORTED:
        parts.append(_("y %(count)s más") % {"count": len(found) - _MAX_REPORTED})
    return "; ".join(parts)
