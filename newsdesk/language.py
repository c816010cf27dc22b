"""Language of an item and the text handling that depends on it.

Relevance and clustering both compare words regardless of case and accents,
and stem them with the stemmer of the text's language; the helpers here do
that the same way for both.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from itertools import repeat

import snowballstemmer
from langdetect import DetectorFactory, LangDetectException, detect_langs
from langdetect.detector_factory import PROFILES_DIRECTORY

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
# Frequent function words of the other languages a desk in Colombia meets
# (Portuguese, French, Italian, Catalan, German), accent-folded, that are
# no Spanish or English word: "de", "que" or "para" alone do not make a
# Portuguese text Spanish. Words Spanish or English news also use ("da",
# "do", "per", "die", "sur", "alla" as "allá") are left out.
OTHER_ONLY = frozenset(
    [
        # Portuguese.
        "em",
        "uma",
        "nao",
        "ao",
        "aos",
        "com",
        "foi",
        "pelo",
        "pela",
        "pelos",
        "sao",
        "mais",
        "tambem",
        "ainda",
        "muito",
        "isso",
        "seu",
        "sua",
        "seus",
        "os",
        "na",
        "nas",
        "das",
        "ele",
        "eles",
        "vai",
        "tem",
        "num",
        "numa",
        # French.
        "des",
        "du",
        "et",
        "une",
        "est",
        "pour",
        "dans",
        "au",
        "aux",
        "avec",
        "qui",
        "sont",
        "pas",
        "cette",
        "ont",
        "leur",
        "ils",
        "elle",
        "ou",
        "ces",
        "nous",
        "vous",
        # Italian.
        "il",
        "di",
        "della",
        "delle",
        "dei",
        "degli",
        "gli",
        "nel",
        "nella",
        "sono",
        "anche",
        "questo",
        "che",
        # Catalan.
        "els",
        "amb",
        "dels",
        "pel",
        "pels",
        "aquest",
        # German.
        "der",
        "und",
        "den",
        "ist",
        "mit",
        "von",
        "fur",
        "auf",
        "nicht",
        "ein",
        "eine",
        "einen",
        "einer",
        "zu",
        "zum",
        "zur",
        "im",
        "sich",
        "auch",
        "wird",
        "bei",
        "nach",
        "sind",
        "werden",
    ]
)

MIN_STEM = 4

_WORD = re.compile(r"\w+")

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


# With fewer letters than this (some ten words) langdetect only guesses;
# with more it tells Portuguese or German from Spanish and English.
LONG_SAMPLE_LETTERS = 60
# Its probabilities near 1 mean little on short texts, but on long ones a
# lower figure means a text of mixed or unknown language.
CONFIDENT_PROBABILITY = 0.9

_LATIN_LETTER = re.compile("[A-Za-z\u00c0-\u024f]")
_LETTERS = re.compile(r"[^\W\d_]+")
# Letters only Spanish uses of the two.
_SPANISH_LETTERS = re.compile("[ñáéíóúü]")
_UNACCENTED = str.maketrans("áéíóúü", "aeiouu")
# Spellings of words of four letters or more that belong to one of the
# two languages (unaccented, lower case): English "th", "w", "sh", "-ing",
# "-ly", a consonant before the last "s" or a final "t", "k", "p"...;
# Spanish "-ción", "-dad", "-mente", "-o" and "-a" after a consonant or an
# "i", a first "ll".
_ENGLISH_SPELLING = re.compile(
    r"w|k|th|sh|ck|ee|oo|ou|gh|y(?=[^aeiouy])|[^aeiou]y$|ing$|ed$|ly$|tion$"
    r"|ness$|ment$|ous$|ful$|[^aeiou]s$|[bcfghkmptvwx]$"
)
_SPANISH_SPELLING = re.compile(
    r"^ll|cion(?:es)?$|dad(?:es)?$|mente$|[^aeouy](?:os?|as?)$"
)


def detect_language(text: str, tokens: Sequence[str] | None = None) -> str:
    """ "es", "en", another ISO 639-1 code, or "" when there is no telling.

    Counting function words settles almost every news text in microseconds.
    What that leaves open is Spanish or English unless it is long enough
    for langdetect to name another language with confidence: on a title
    its character n-grams guess ("Oil prices rise" came out French).
    """
    # Callers that hold the text's words already pass them: folding and
    # splitting a text is most of the cost of this function.
    if tokens is None:
        tokens = words(text)
    spanish = sum(map(SPANISH_ONLY.__contains__, tokens))
    english = sum(map(ENGLISH_ONLY.__contains__, tokens))
    other = sum(map(OTHER_ONLY.__contains__, tokens))

    if spanish >= 2 and spanish >= 2 * (english + other):
        return SPANISH
    if english >= 2 and english >= 2 * (spanish + other):
        return ENGLISH

    letters = sum(len(token) for token in tokens if not token.isdigit())
    if letters >= LONG_SAMPLE_LETTERS:
        guess = _likeliest_language(text)
        if guess:
            return guess
    return _spanish_or_english(text, spanish - english)


def _likeliest_language(text: str) -> str:
    """langdetect's answer among all its languages, if it is sure."""
    try:
        likeliest = detect_langs(text)[0]
    except (LangDetectException, IndexError):
        return ""
    return likeliest.lang[:8] if likeliest.prob >= CONFIDENT_PROBABILITY else ""


def _spanish_or_english(text: str, function_words: int) -> str:
    """Spanish or English by the evidence of each word: a function word
    (`function_words`, Spanish ones less English ones) counts double, then
    the letters and spelling of each other word; names count for nothing.
    Only a tie is left to langdetect's n-grams of the two languages."""
    if not _LATIN_LETTER.search(text):
        return ""
    score = 2 * function_words
    if "¿" in text or "¡" in text:
        score += 2

    found = _LETTERS.findall(text)
    # Where some words are in lower case, the capitalised ones are names
    # ("Bogotá", "Frontera Energy"), but the first may just open the title.
    has_names = any(word[0].islower() for word in found)
    for position, word in enumerate(found):
        if len(word) < 4:
            continue
        weight = 2
        if has_names and word[0].isupper():
            if position:
                continue
            weight = 1
        lower = word.lower()
        plain = lower.translate(_UNACCENTED)
        if plain in SPANISH_ONLY or plain in ENGLISH_ONLY:
            continue
        if _SPANISH_LETTERS.search(lower) or _SPANISH_SPELLING.search(plain):
            score += weight
        if _ENGLISH_SPELLING.search(plain):
            score -= weight

    if score:
        return SPANISH if score > 0 else ENGLISH
    # One word with no evidence ("UPME") tells nothing.
    if len(found) < 2:
        return ""
    return _spanish_or_english_ngrams(text)


def _spanish_or_english_ngrams(text: str) -> str:
    detector = _spanish_english_detector().create()
    detector.append(text)
    try:
        likeliest = detector.get_probabilities()
    except LangDetectException:
        return ""
    return likeliest[0].lang if likeliest else ""


@lru_cache(maxsize=1)
def _spanish_english_detector() -> DetectorFactory:
    """langdetect with only its Spanish and English profiles: the two
    languages the desk reads, weighed against each other alone."""
    factory = DetectorFactory()
    profiles = []
    for language in STEMMED_LANGUAGES:
        path = os.path.join(PROFILES_DIRECTORY, language)
        with open(path, encoding="utf-8") as profile:
            profiles.append(profile.read())
    factory.load_json_profile(profiles)
    return factory
