"""Relevance of an item to the mining and energy sector.

Two parts add up to an item's score:

- the sector vocabulary (`Term`): every enabled term found in the title or
  the summary adds its weight, twice as much in the title. Terms are matched
  accent-folded and stemmed in their language; multi-word terms only as a
  phrase; entities (UPME, CREG...) as whole words, unstemmed;
- once editors have decided on enough items, a model trained on those
  decisions (`RelevanceModel`) moves the score up or down.

Each contribution is kept in `matched_terms` so the editor sees why.
"""

from __future__ import annotations

import io
import logging
import math
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

import numpy as np
from django.conf import settings
from django.db.models import Count, Max, Q
from django.utils import timezone

from . import language as lang
from .models import NewsItem, RelevanceModel, Term
from .sanitize import plain_text_cached

if TYPE_CHECKING:
    from sklearn.feature_extraction.text import HashingVectorizer

logger = logging.getLogger(__name__)

TITLE_FACTOR = 2.0
SUMMARY_FACTOR = 1.0
# Summaries past this length add little but cost time on long articles.
SUMMARY_CHARS = 4000

# Older candidates keep the score they had; nobody reviews them any more.
RESCORE_WINDOW = timedelta(days=30)

MAX_TRAINING_DECISIONS = 20_000
# A model needs both kinds of decision to tell them apart.
MIN_EACH_KIND = 10

MODEL_FIELD = "model"
MODEL_FEATURES = 2**16


def threshold() -> float:
    """Items scoring below this go to the "Baja relevancia" tab."""
    return float(getattr(settings, "RELEVANCE_THRESHOLD", 2.0))


def min_decisions() -> int:
    return int(getattr(settings, "RELEVANCE_MIN_DECISIONS", 200))


def model_weight() -> float:
    """The most a trained model adds to or takes from a score."""
    return float(getattr(settings, "RELEVANCE_MODEL_WEIGHT", 2.0))


# -- Vocabulary ------------------------------------------------------------


@dataclass(frozen=True)
class CompiledTerm:
    pk: int
    text: str
    weight: float
    tokens: tuple[str, ...]


@dataclass
class Vocabulary:
    version: tuple
    # Per matching language ("es", "en", or "raw" for entities): the first
    # token of each term -> the terms that start with it.
    index: dict[str, dict[str, list[CompiledTerm]]] = field(default_factory=dict)

    def add(self, key: str, term: CompiledTerm) -> None:
        if term.tokens:
            self.index.setdefault(key, {}).setdefault(term.tokens[0], []).append(term)


RAW = "raw"
_cache_lock = threading.Lock()
_vocabulary: Vocabulary | None = None


def _version() -> tuple:
    # Any add, edit or delete changes the count or the newest update time.
    figures = Term.objects.aggregate(count=Count("pk"), newest=Max("updated_at"))
    return (figures["count"], figures["newest"])


def compile_vocabulary(version: tuple = ()) -> Vocabulary:
    vocabulary = Vocabulary(version=version)
    for term in Term.objects.filter(enabled=True).exclude(weight=0):
        tokens = lang.words(term.text)
        if term.kind == Term.Kind.ENTITY:
            vocabulary.add(
                RAW, CompiledTerm(term.pk, term.text, term.weight, tuple(tokens))
            )
            continue
        languages = (
            lang.STEMMED_LANGUAGES
            if term.language == Term.Language.BOTH
            else (term.language,)
        )
        for language in languages:
            stemmed = tuple(lang.stems(tokens, language))
            vocabulary.add(
                language, CompiledTerm(term.pk, term.text, term.weight, stemmed)
            )
    return vocabulary


def current_vocabulary() -> Vocabulary:
    """The compiled vocabulary, rebuilt only when a Term has changed."""
    global _vocabulary
    version = _version()
    with _cache_lock:
        if _vocabulary is None or _vocabulary.version != version:
            _vocabulary = compile_vocabulary(version)
        return _vocabulary


def _find(
    tokens: tuple[str, ...], starts: dict[str, list[CompiledTerm]]
) -> set[CompiledTerm]:
    found: set[CompiledTerm] = set()
    # Most words start no term: the few that do are found by a set
    # intersection in C, and only longer terms are looked for in place.
    for first in starts.keys() & set(tokens):
        for term in starts[first]:
            size = len(term.tokens)
            if size == 1:
                found.add(term)
                continue
            starts_here = (at for at, token in enumerate(tokens) if token == first)
            if any(tokens[at : at + size] == term.tokens for at in starts_here):
                found.add(term)
    return found


def _matches(
    text: str, item_language: str, vocabulary: Vocabulary
) -> dict[int, CompiledTerm]:
    """Terms found in `text`, by Term pk (a term counts once per field)."""
    tokens = lang.words(text)
    found = _find(tokens, vocabulary.index.get(RAW, {}))

    # A Spanish text is matched against the Spanish stems, an English one
    # against the English stems; any other (or unknown) against both.
    if item_language in lang.STEMMED_LANGUAGES:
        languages: Sequence[str] = (item_language,)
    else:
        languages = lang.STEMMED_LANGUAGES
    for language in languages:
        if language in vocabulary.index:
            found |= _find(lang.stemmed(tokens, language), vocabulary.index[language])
    return {term.pk: term for term in found}


def summary_text(item: NewsItem) -> str:
    return plain_text_cached(item.summary[:SUMMARY_CHARS]) if item.summary else ""


def lexical_score(
    item: NewsItem, vocabulary: Vocabulary
) -> tuple[float, list[dict[str, object]]]:
    reasons: list[dict[str, object]] = []
    for field_name, text, factor in (
        ("title", item.title, TITLE_FACTOR),
        ("summary", summary_text(item), SUMMARY_FACTOR),
    ):
        for term in _matches(text, item.language, vocabulary).values():
            reasons.append(
                {
                    "term": term.text,
                    "weight": round(term.weight * factor, 2),
                    "field": field_name,
                }
            )
    reasons.sort(key=lambda reason: (-float(reason["weight"]), str(reason["term"])))
    return sum(float(reason["weight"]) for reason in reasons), reasons


# -- Learned model ---------------------------------------------------------


def features(item: NewsItem) -> list[str]:
    """Stemmed words, title words marked again, and the item's source."""
    language = (
        item.language if item.language in lang.STEMMED_LANGUAGES else lang.SPANISH
    )
    # Scoring stemmed these words a moment ago; the cache hands them back.
    title = list(lang.stemmed(lang.words(item.title), language))
    body = list(lang.stemmed(lang.words(summary_text(item)), language))
    return [f"t:{word}" for word in title] + title + body + [f"source:{item.source_id}"]


def _vectorizer() -> HashingVectorizer:
    # Imported late: scikit-learn costs a second to import, and only the
    # desks with a trained model need it.
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(
        analyzer=lambda tokens: tokens,
        n_features=MODEL_FEATURES,
        alternate_sign=False,
        norm=None,
    )


@dataclass(frozen=True)
class LoadedModel:
    pk: int
    idf: np.ndarray
    coef: np.ndarray
    intercept: float

    def probabilities(self, items: Sequence[NewsItem]) -> np.ndarray:
        from sklearn.preprocessing import normalize

        counts = _vectorizer().transform([features(item) for item in items])
        weighted = normalize(counts.multiply(self.idf).tocsr())
        logits = weighted @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-logits))


_model: LoadedModel | None = None
_model_checked: tuple | None = None


def _load(row: RelevanceModel) -> LoadedModel:
    # allow_pickle=False: the archive holds plain arrays, never code.
    with np.load(io.BytesIO(bytes(row.weights)), allow_pickle=False) as archive:
        return LoadedModel(
            pk=row.pk,
            idf=archive["idf"],
            coef=archive["coef"],
            intercept=float(archive["intercept"][0]),
        )


def current_model() -> LoadedModel | None:
    """The newest trained model, loaded once per process and per version."""
    global _model, _model_checked
    newest = RelevanceModel.objects.order_by("-trained_at", "-pk")
    # The training time too: a pk alone may come back after a rollback.
    version = newest.values_list("pk", "trained_at").first()
    with _cache_lock:
        if version is None:
            _model, _model_checked = None, None
        elif _model_checked != version:
            _model = _load(RelevanceModel.objects.get(pk=version[0]))
            _model_checked = version
        return _model


def decisions() -> tuple[list[NewsItem], list[int]]:
    """Items editors used (1) or dismissed (0): the newest decisions, since
    the desk's taste drifts and memory must stay bounded."""
    decided = (
        NewsItem.objects.filter(
            status__in=[NewsItem.Status.USED, NewsItem.Status.DISMISSED],
            decided_at__isnull=False,
        )
        .only("pk", "title", "summary", "language", "source_id", "status")
        .order_by("-decided_at", "-pk")
    )
    items = list(decided[:MAX_TRAINING_DECISIONS])
    labels = [1 if item.status == NewsItem.Status.USED else 0 for item in items]
    return items, labels


def decision_counts() -> tuple[int, int]:
    """(used, dismissed): the decisions a model would learn from."""
    counts = NewsItem.objects.filter(decided_at__isnull=False).aggregate(
        used=Count("pk", filter=Q(status=NewsItem.Status.USED)),
        dismissed=Count("pk", filter=Q(status=NewsItem.Status.DISMISSED)),
    )
    return counts["used"], counts["dismissed"]


def _fit(items: Sequence[NewsItem], labels: Sequence[int]):
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.linear_model import LogisticRegression

    counts = _vectorizer().transform([features(item) for item in items])
    tfidf = TfidfTransformer().fit(counts)
    classifier = LogisticRegression(
        C=1.0, class_weight="balanced", max_iter=1000, random_state=0
    )
    classifier.fit(tfidf.transform(counts), labels)
    return tfidf, classifier


def train_model() -> RelevanceModel | None:
    """Train on editors' decisions; None while there are too few.

    The precision shown in the admin is measured on a quarter of the
    decisions held out of training; the stored model is then fitted on all.
    """
    from sklearn.metrics import precision_score, recall_score
    from sklearn.model_selection import train_test_split

    items, labels = decisions()
    positives = sum(labels)
    negatives = len(labels) - positives
    if len(items) < min_decisions() or min(positives, negatives) < MIN_EACH_KIND:
        logger.info(
            "Relevance model not trained: %s decisions (%s used, %s dismissed)",
            len(items),
            positives,
            negatives,
        )
        return None

    train, test, train_labels, test_labels = train_test_split(
        items, labels, test_size=0.25, random_state=0, stratify=labels
    )
    tfidf, classifier = _fit(train, train_labels)
    counts = _vectorizer().transform([features(item) for item in test])
    predicted = classifier.predict(tfidf.transform(counts))
    precision = precision_score(test_labels, predicted, zero_division=0)
    recall = recall_score(test_labels, predicted, zero_division=0)

    tfidf, classifier = _fit(items, labels)
    buffer = io.BytesIO()
    np.savez_compressed(
        buffer,
        idf=tfidf.idf_.astype(np.float64),
        coef=classifier.coef_[0].astype(np.float64),
        intercept=np.array([classifier.intercept_[0]], dtype=np.float64),
    )
    row = RelevanceModel.objects.create(
        decision_count=len(items),
        positive_count=positives,
        negative_count=negatives,
        held_out_count=len(test),
        precision=float(precision),
        recall=float(recall),
        weights=buffer.getvalue(),
    )
    # Older models are history only; keep a few for comparison.
    stale = RelevanceModel.objects.values_list("pk", flat=True)[10:]
    RelevanceModel.objects.filter(pk__in=list(stale)).delete()
    logger.info(
        "Relevance model %s trained on %s decisions, precision %.2f",
        row.pk,
        len(items),
        precision,
    )
    return row


# -- Scoring ---------------------------------------------------------------


def score_items(items: Sequence[NewsItem]) -> None:
    """Set `score` and `matched_terms` on each item (not saved)."""
    if not items:
        return
    vocabulary = current_vocabulary()
    for item in items:
        item.score, item.matched_terms = lexical_score(item, vocabulary)

    model = current_model()
    if model is None:
        return
    weight = model_weight()
    for item, probability in zip(items, model.probabilities(items), strict=True):
        contribution = round(weight * (2 * float(probability) - 1), 2)
        if math.isfinite(contribution) and contribution:
            item.score += contribution
            item.matched_terms.append(
                {"term": "modelo", "weight": contribution, "field": MODEL_FIELD}
            )


def rescore(items: Iterable[NewsItem], batch_size: int = 500) -> int:
    """Score stored items again (after a vocabulary or model change)."""
    batch: list[NewsItem] = []
    total = 0
    for item in items:
        batch.append(item)
        if len(batch) >= batch_size:
            total += _rescore_batch(batch)
            batch = []
    return total + _rescore_batch(batch)


def rescore_pending() -> int:
    """Score again the items still waiting for a decision, newest first."""
    since = timezone.now() - RESCORE_WINDOW
    pending = (
        NewsItem.objects.filter(status=NewsItem.Status.NEW, published_at__gte=since)
        .defer("minhash")
        .order_by("-published_at", "-pk")
    )
    return rescore(pending.iterator(chunk_size=500))


def _rescore_batch(batch: list[NewsItem]) -> int:
    if not batch:
        return 0
    score_items(batch)
    NewsItem.objects.bulk_update(batch, ["score", "matched_terms"])
    return len(batch)
