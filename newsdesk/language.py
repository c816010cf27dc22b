"""Language of an item and the text handling that depends on it.

Relevance and clustering both compare words regardless of case and accents,
and stem them with the stemmer of the text's language; the helpers here do
that the same way for both.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

import snowballstemmer
from langdetect import DetectorFactory, LangDetectException, detect

from newsdesk.textcache import short_text_cache

SPANISH = "es"
ENGLISH = "en"
STEMMED_LANGUAGES = (SPANISH, ENGLISH)

# Function words, accent-folded. Only words that belong to one of the two
# languages count as evidence for it ("a", "no", "he" are in both).
_SPANISH_WORDS = frozenset(
    [
        "de",
        "la",
        "que",
        "el",
        "en",
        "y",
        "los",
        "del",
        "se",
        "las",
        "por",
        "un",
        "para",
        "con",
        "una",
        "su",
        "al",
        "lo",
        "como",
        "mas",
        "pero",
        "sus",
        "le",
        "ya",
        "este",
        "si",
        "porque",
        "esta",
        "entre",
        "cuando",
        "muy",
        "sin",
        "sobre",
        "tambien",
        "hasta",
        "hay",
        "donde",
        "quien",
        "desde",
        "todo",
        "nos",
        "durante",
        "todos",
        "uno",
        "les",
        "ni",
        "contra",
        "otros",
        "ese",
        "eso",
        "ante",
        "ellos",
        "esto",
        "antes",
        "algunos",
        "unos",
        "otro",
        "otras",
        "otra",
        "tanto",
        "esa",
        "estos",
        "mucho",
        "quienes",
        "nada",
        "muchos",
        "cual",
        "poco",
        "ella",
        "estas",
        "algunas",
        "algo",
        "es",
        "son",
        "fue",
        "han",
        "sera",
        "tras",
        "segun",
        "ser",
        "sera",
        "seran",
        "dijo",
    ]
)
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "that",
        "for",
        "on",
        "with",
        "as",
        "by",
        "at",
        "from",
        "it",
        "its",
        "be",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "this",
        "which",
        "or",
        "will",
        "not",
        "but",
        "their",
        "they",
        "she",
        "his",
        "her",
        "we",
        "our",
        "been",
        "more",
        "after",
        "over",
        "said",
        "also",
        "than",
        "into",
        "about",
        "who",
        "would",
        "can",
        "up",
        "out",
        "new",
        "what",
        "when",
        "there",
        "these",
        "those",
        "its",
        "could",
        "should",
    ]
)
SPANISH_ONLY = _SPANISH_WORDS - _ENGLISH_WORDS
ENGLISH_ONLY = _ENGLISH_WORDS - _SPANISH_WORDS
STOPWORDS = _SPANISH_WORDS | _ENGLISH_WORDS | {"a", "o", "e", "u", "no"}

MIN_STEM = 4

_WORD = re.compile(r"\w+")
# Letters and marks that only Spanish uses among the two languages.
_SPANISH_MARKS = re.compile("[ñÑáéíóúÁÉÍÓÚ¿¡]")

# langdetect is random unless seeded; a fixed seed keeps results stable.
DetectorFactory.seed = 0


# The combining accents of Latin script. Decomposing and dropping these in
# C is several times faster than a per-character translation table, which
# str.translate walks in Python-level lookups for any non-ASCII text.
_ACCENT_MARKS = "".join(
    chr(code) for code in range(0x300, 0x370) if unicodedata.combining(chr(code))
)
_ACCENTS = re.compile(f"[{_ACCENT_MARKS}]")


@short_text_cache(maxsize=1024)
def fold(text: str) -> str:
    """Lower-case and drop accents: "Energía" and "ENERGIA" become equal.

    Cached: a summary is folded for its words and again for the search
    column."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = _ACCENTS.sub("", unicodedata.normalize("NFKD", folded))
    if decomposed.isascii():
        return decomposed
    # Marks of other scripts are rarer; they are dropped the slow way.
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@short_text_cache(maxsize=2048)
def words(text: str) -> tuple[str, ...]:
    """Folded words; cached because relevance and clustering both read the
    title and summary of each item of a batch."""
    return tuple(_WORD.findall(fold(text)))


@lru_cache(maxsize=4)
def _stemmer(language: str) -> snowballstemmer.stemmer:
    name = "spanish" if language == SPANISH else "english"
    return snowballstemmer.stemmer(name)


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The form words are compared in: the Snowball stem, unless that is
    too short to mean anything ("solar" stems to "sol", the sun), and then
    the word without its plural ending ("solares" still meets "solar")."""
    # Stemming is the costliest step per word; news vocabulary repeats a lot,
    # so the cache makes it nearly free after the first few feeds. Figures
    # repeat less and have no endings: Snowball gives them back unchanged.
    if word.isdigit():
        return word
    stemmed = _stemmer(language).stemWord(word)
    if len(stemmed) >= MIN_STEM:
        return stemmed
    if word.endswith("es") and len(word) > 4:
        return word[:-2]
    if word.endswith("s") and len(word) > 3:
        return word[:-1]
    return word


def stems(tokens: Sequence[str], language: str) -> list[str]:
    return [stem(token, language) for token in tokens]


@lru_cache(maxsize=2048)
def stemmed(tokens: tuple[str, ...], language: str) -> tuple[str, ...]:
    """`stems` of a text's words, cached: relevance and clustering both
    stem the title and the summary of each item."""
    # map() calls the cached `stem` without a generator frame per word.
    return tuple(map(stem, tokens, repeat(language)))


def detect_language(text: str, tokens: Sequence[str] | None = None) -> str:
    """ "es", "en", another ISO 639-1 code, or "" when there is no telling.

    Counting function words settles almost every news text in microseconds;
    langdetect (slow, but broad) only judges what that leaves open.
    """
    # Callers that hold the text's words already pass them: folding and
    # splitting a text is most of the cost of this function.
    if tokens is None:
        tokens = words(text)
    spanish = sum(1 for token in tokens if token in SPANISH_ONLY)
    spanish += len(_SPANISH_MARKS.findall(text))
    english = sum(1 for token in tokens if token in ENGLISH_ONLY)

    if spanish + english >= 2:
        if spanish >= 2 * english:
            return SPANISH
        if english >= 2 * spanish:
            return ENGLISH

    if len(tokens) < 3:
        return SPANISH if spanish > english else ENGLISH if english > spanish else ""
    try:
        return detect(text)[:8]
    except LangDetectException:
        return ""
