"""The same story from several outlets, grouped into one `Cluster`.

Each item gets a MinHash signature of its normalised title and lead
(accent-folded, stopwords out, stemmed), stored on the row. A per-process
LSH index over the signatures of the last 72 hours proposes candidates;
every candidate is then checked against its stored signature, its date and
its source before an item joins its cluster. The index only ever proposes:
a stale or missing entry costs a missed or a rejected candidate, never a
wrong cluster.
"""

from __future__ import annotations

import heapq
import logging
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

import numpy as np
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from . import language as lang
from .models import Cluster, NewsItem
from .relevance import summary_text

logger = logging.getLogger(__name__)

WINDOW = timedelta(hours=72)
NUM_PERM = 128
# LSH bands x rows: with 32 bands of 4 rows (the S-curve's steepest point
# near 0.42) a pair at similarity 0.5 is proposed 87% of the time, at 0.6
# 99%; unrelated sector news at 0.2 5%, at 0.1 0.3%, so a query brings few
# candidates to check.
LSH_PARAMS = (32, 4)
# A fixed seed makes signatures, and so clusters, the same on every run.
SEED = 1
LEAD_WORDS = 40
# Estimated Jaccard similarity of the word sets to be the same story; an
# outlet's own items must be nearly identical (a re-post, not a follow-up).
SIMILARITY = 0.4
SAME_SOURCE_SIMILARITY = 0.8
# A headline alone is a handful of words, and two stories about one entity
# share half of them ("UPME abre subasta de energía eólica en La Guajira" /
# "... solar en el Cesar"). Below this many words, the shorter text's words
# must nearly all be in the other: a missed match only shows a story twice,
# a false one hides a story behind another.
SHORT_TEXT_WORDS = 9
SHORT_TEXT_CONTAINED = 0.8
SCHEME = "affine32"
_DTYPE = np.uint32
# The value of a slot no word has reached: an empty signature.
_EMPTY = np.iinfo(np.uint32).max
# Permutations depend only on the seed; sharing them spares recomputing
# them for every stored signature loaded.
_PERMUTATIONS = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations
# The PostgreSQL advisory lock polls take turns on to write items ("UPME").
CLUSTERING_LOCK = 0x55504D45


def shingles(item: NewsItem) -> set[str]:
    """Stemmed content words of the title and lead.

    Single words, not longer shingles: outlets reword a story, and word
    pairs rarely survive the rewording.
    """
    language = (
        item.language if item.language in lang.STEMMED_LANGUAGES else lang.SPANISH
    )
    title, lead = lang.words(item.title), lang.words(summary_text(item))
    tokens = title + lead[:LEAD_WORDS]
    # Relevance stemmed the same words already; the cache hands them back.
    stems = lang.stemmed(title, language) + lang.stemmed(lead, language)[:LEAD_WORDS]
    return {
        stem
        for token, stem in zip(tokens, stems, strict=True)
        if token not in lang.STOPWORDS and (len(token) > 1 or token.isdigit())
    }


@lru_cache(maxsize=100_000)
def _hash(word: bytes) -> int:
    # News words repeat from item to item; hashing each one once is most of
    # the cost of a signature.
    return sha1_hash32(word)


def signature(item: NewsItem) -> MinHash:
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        scheme=SCHEME,
        permutations=_PERMUTATIONS,
        hashfunc=_hash,
    )
    words = shingles(item)
    if words:
        minhash.update_batch([word.encode("utf-8") for word in sorted(words)])
    return minhash


def to_bytes(minhash: MinHash) -> bytes:
    return minhash.hashvalues.astype(_DTYPE).tobytes()


def from_bytes(data: bytes | memoryview) -> MinHash:
    values = np.frombuffer(bytes(data), dtype=_DTYPE)
    return MinHash(
        seed=SEED, scheme=SCHEME, hashvalues=values, permutations=_PERMUTATIONS
    )


def values(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype=_DTYPE)


def similarity(first: np.ndarray, second: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of equal minimum hashes."""
    return float(np.count_nonzero(first == second)) / NUM_PERM


def is_empty(minhash: MinHash) -> bool:
    return bool(minhash.is_empty())


@dataclass(slots=True)
class _Entry:
    source_id: int
    published_at: datetime
    # Hash values only: comparing arrays spares building MinHash objects.
    values: np.ndarray
    words: float


_BANDS, _ROWS = LSH_PARAMS
# Odd 64-bit constant (the golden ratio) to mix a band's values into one
# key. Two different bands sharing a key is as rare as a 64-bit collision,
# and would only propose a candidate that the similarity check then judges.
_MIX = np.uint64(0x9E3779B97F4A7C15)


def band_keys(signatures: np.ndarray) -> np.ndarray:
    """One 64-bit key per LSH band of each signature (rows x bands)."""
    bands = signatures.reshape(-1, _BANDS, _ROWS).astype(np.uint64)
    keys = bands[:, :, 0]
    for row in range(1, _ROWS):
        keys = keys * _MIX ^ bands[:, :, row]
    return keys


class RecentIndex:
    """LSH over the signatures of items published in the last 72 hours,
    with each item's source, date and signature (an edited item is put
    again).

    Loaded incrementally (only rows newer than the last one seen, so each
    process also sees what other workers stored), never reloaded whole;
    pruned as items age out, so memory stays bounded by three days of
    stories.

    Each band is a dict from an int key to a pk, or a list of pks once
    items share it: a few dozen bytes per item and band, where a set per
    band key (datasketch's MinHashLSH) costs about ten times as much.
    """

    def __init__(self) -> None:
        self.buckets: list[dict[int, int | list[int]]] = [{} for _ in range(_BANDS)]
        self.entries: dict[int, _Entry] = {}
        # Oldest first, so pruning looks only at what has expired rather
        # than at three days of stories on every poll.
        self.expiry: list[tuple[datetime, int]] = []
        self.last_pk = 0
        # Rows passed while they had no signature (their enrichment failed),
        # by pk: signed later (enrich.enrich_pending, maybe in another
        # process), they sit below `last_pk` and must be looked up again.
        self.bare: dict[int, datetime] = {}

    def put(
        self,
        pk: int,
        source_id: int,
        published_at: datetime,
        values: np.ndarray,
        keys: list[int] | None = None,
        words: float | None = None,
    ) -> None:
        """Index an item; `keys` are its `band_keys` and `words` its
        `word_count`, when the caller computed a batch's at once."""
        entry = self.entries.get(pk)
        if entry is not None:
            if np.array_equal(entry.values, values):
                return
            self._unlink(pk, entry.values)
        if keys is None:
            keys = band_keys(values)[0].tolist()
        for bucket, key in zip(self.buckets, keys, strict=True):
            held = bucket.get(key)
            if held is None:
                bucket[key] = pk
            elif isinstance(held, list):
                held.append(pk)
            else:
                bucket[key] = [held, pk]
        if words is None:
            words = word_count(values)
        self.entries[pk] = _Entry(source_id, published_at, values, words)
        heapq.heappush(self.expiry, (published_at, pk))

    def _unlink(self, pk: int, values: np.ndarray) -> None:
        for bucket, key in zip(
            self.buckets, band_keys(values)[0].tolist(), strict=True
        ):
            held = bucket.get(key)
            if isinstance(held, list):
                if pk in held:
                    held.remove(pk)
                if len(held) == 1:
                    bucket[key] = held[0]
            elif held == pk:
                del bucket[key]

    def refresh(self, now: datetime, stored: Sequence[int] = ()) -> None:
        """Load what other workers stored since the last refresh.

        `stored` are pks this process has just written and will `put`
        itself; the runs of consecutive ones are not read back.
        """
        cutoff = now - WINDOW
        newest = NewsItem.objects.aggregate(newest=Max("pk"))["newest"] or 0
        if newest < self.last_pk:
            # The table was emptied or rolled back: start over.
            self.__init__()
        own = {pk for pk in stored if self.last_pk < pk <= newest}
        # When every row since the last refresh is this process's own, as
        # with a single worker, there is nothing to read.
        if len(own) < newest - self.last_pk:
            self._load(cutoff, own)
        self.last_pk = max(self.last_pk, newest)
        if self.bare:
            self._load_signed_late(cutoff)

        while self.expiry and self.expiry[0][0] < cutoff:
            published_at, pk = heapq.heappop(self.expiry)
            entry = self.entries.get(pk)
            # A pk put again later has a newer heap entry of its own.
            if entry is not None and entry.published_at == published_at:
                self._unlink(pk, entry.values)
                del self.entries[pk]

    def _load(self, cutoff: datetime, own: set[int]) -> None:
        recent = NewsItem.objects.filter(pk__gt=self.last_pk, published_at__gte=cutoff)
        for first, last in _runs(own):
            recent = recent.exclude(pk__range=(first, last))
        rows = recent.values_list("pk", "source_id", "published_at", "minhash")
        self._put_rows(rows.iterator(chunk_size=2000))

    def _load_signed_late(self, cutoff: datetime) -> None:
        for pk, published_at in list(self.bare.items()):
            if published_at < cutoff:
                del self.bare[pk]
        if not self.bare:
            return
        signed = NewsItem.objects.filter(pk__in=list(self.bare), minhash__isnull=False)
        rows = list(signed.values_list("pk", "source_id", "published_at", "minhash"))
        for pk, *_ in rows:
            del self.bare[pk]
        self._put_rows(rows)

    def _put_rows(self, rows: Iterable[tuple]) -> None:
        loaded = []
        for pk, source_id, published_at, data in rows:
            if data is None:
                self.bare[pk] = published_at
            elif not ((signed := values(data)) == _EMPTY).all():
                loaded.append((pk, source_id, published_at, signed))
        if loaded:
            matrix = np.vstack([row[3] for row in loaded])
            keys, sizes = band_keys(matrix).tolist(), word_counts(matrix).tolist()
            for row, row_keys, size in zip(loaded, keys, sizes, strict=True):
                self.put(*row, keys=row_keys, words=size)

    def candidates(self, keys: list[int]) -> set[int]:
        """The pks sharing at least one band key with `keys`."""
        found: set[int] = set()
        # The 32 lookups run in C; most find nothing.
        for held in map(dict.get, self.buckets, keys):
            if held is None:
                continue
            if isinstance(held, list):
                found.update(held)
            else:
                found.add(held)
        return found


# A poll's rows are written in one statement, so their pks come in a few
# runs; more runs than this cost the query more than reading them back.
_MAX_RUNS = 20


def _runs(pks: Iterable[int]) -> list[tuple[int, int]]:
    """The longest runs of consecutive pks, as (first, last)."""
    runs: list[tuple[int, int]] = []
    for pk in sorted(set(pks)):
        if runs and runs[-1][1] == pk - 1:
            runs[-1] = (runs[-1][0], pk)
        else:
            runs.append((pk, pk))
    runs.sort(key=lambda run: run[0] - run[1])
    return runs[:_MAX_RUNS]


_index_lock = threading.Lock()
_index = RecentIndex()


def reset_index() -> None:
    """Forget the in-process index (tests; a new database)."""
    global _index
    with _index_lock:
        _index = RecentIndex()


@dataclass
class _Candidate:
    pk: int
    source_id: int
    published_at: datetime
    cluster_id: int | None
    # Hash values only: comparing arrays spares building MinHash objects.
    values: np.ndarray
    words: float = field(default=-1.0)
    # What picks the row a new cluster shows.
    score: float = 0.0
    status: str = NewsItem.Status.NEW

    def __post_init__(self) -> None:
        if self.words < 0:
            self.words = word_count(self.values)


def sign_items(items: Sequence[NewsItem]) -> None:
    """Set each item's `minhash` from its current text (not saved).

    A set's MinHash is the slot-wise minimum of its words' MinHashes (what
    `MinHash.union` computes), so each word is hashed once per process and
    an item costs one numpy reduction: the same values as `signature`.
    """
    word_lists = [sorted(shingles(item)) for item in items]
    signed = np.full((len(items), NUM_PERM), _EMPTY, dtype=_DTYPE)
    sizes = np.array([len(words) for words in word_lists])
    filled = np.flatnonzero(sizes)
    if filled.size:
        rows = _word_rows.gather([word for words in word_lists for word in words])
        starts = np.concatenate(([0], np.cumsum(sizes)[:-1]))[filled]
        signed[filled] = np.minimum.reduceat(rows, starts, axis=0)
    for item, values in zip(items, signed, strict=True):
        item.minhash = values.tobytes()


class _WordRows:
    """Each word's MinHash values, a row per word this process has seen.

    A batch's rows are gathered by index in one numpy step: looking words
    up one by one and stacking the arrays cost more than the hashing.
    """

    # A word's values are 512 bytes; news vocabulary repeats, and this
    # bounds the table to about 25 MB.
    LIMIT = 50_000

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.positions: dict[str, int] = {}
        self.rows = np.empty((1024, NUM_PERM), dtype=_DTYPE)

    def gather(self, words: list[str]) -> np.ndarray:
        with self.lock:
            new = [word for word in dict.fromkeys(words) if word not in self.positions]
            if len(self.positions) + len(new) > self.LIMIT:
                self.positions.clear()
                new = list(dict.fromkeys(words))
            if new:
                self._add(new)
            return self.rows[[self.positions[word] for word in words]]

    def _add(self, words: list[str]) -> None:
        start = len(self.positions)
        end = start + len(words)
        if end > len(self.rows):
            # Doubling keeps the copies few as the vocabulary grows.
            grown = np.empty((max(end, 2 * len(self.rows)), NUM_PERM), _DTYPE)
            grown[:start] = self.rows[:start]
            self.rows = grown
        self.rows[start:end] = np.vstack([_word_values(word) for word in words])
        self.positions.update(zip(words, range(start, end), strict=True))


def _word_values(word: str) -> np.ndarray:
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        scheme=SCHEME,
        permutations=_PERMUTATIONS,
        hashfunc=_hash,
    )
    minhash.update(word.encode("utf-8"))
    return minhash.digest()


_word_rows = _WordRows()


def cluster_items(items: Sequence[NewsItem]) -> set[int]:
    """Put each stored item in a cluster when another outlet (or, for a
    near-identical text, the same one) told the same story within 72 hours.

    Items signed by `sign_items` keep that signature; the others are signed
    here. Sets `minhash` on the items (not saved), creates the clusters
    (counted) and saves every item's link to its cluster; returns the pks
    of the earlier clusters that gained items or hold an edited one, to
    `recount`.
    """
    take_turn()
    now = timezone.now()
    # An edited item keeps its cluster, but its new score may make it the
    # row the story shows.
    edited = {item.cluster_id for item in items if item.cluster_id is not None}
    ordered = sorted(items, key=lambda item: (item.published_at, item.pk))
    for item in ordered:
        if not item.minhash:
            item.minhash = to_bytes(signature(item))
    # Hash values only: building a MinHash per item cost more than the
    # comparisons it served.
    signed = {item.pk: values(item.minhash) for item in ordered}
    empty = {pk for pk, found in signed.items() if (found == _EMPTY).all()}

    # The index holds the last 72 hours and a match must be within 72 hours
    # of the item, so an older item (a backlog, a new source's archive) can
    # meet nothing: its signature is kept, the index is not asked.
    horizon = now - 2 * WINDOW
    if all(item.published_at < horizon for item in ordered):
        return edited

    # One numpy pass for the whole poll rather than one per item.
    matrix = np.vstack(list(signed.values()))
    keys = dict(zip(signed, band_keys(matrix).tolist(), strict=True))
    sizes = dict(zip(signed, word_counts(matrix).tolist(), strict=True))
    candidates = {
        item.pk: _Candidate(
            item.pk,
            item.source_id,
            item.published_at,
            item.cluster_id,
            signed[item.pk],
            sizes[item.pk],
            item.score,
            item.status,
        )
        for item in ordered
    }

    with _index_lock:
        # This batch is put from memory below; only other workers' rows
        # need reading.
        _index.refresh(now, stored=list(signed))
        # Each item asks before it is put: an item can only join one
        # judged before it, so the batch's later items need not be
        # proposed, and an item no longer meets itself in every band.
        queried: list[_Candidate] = []
        pairs: list[tuple[_Candidate, int, _Entry]] = []
        for item in ordered:
            if item.pk in empty:
                continue
            if item.published_at >= horizon:
                queried.append(candidates[item.pk])
                pairs += _nearby(candidates[item.pk], keys[item.pk], _index)
            if item.published_at >= now - WINDOW:
                _index.put(
                    item.pk,
                    item.source_id,
                    item.published_at,
                    signed[item.pk],
                    keys[item.pk],
                    sizes[item.pk],
                )
    # Only candidates similar enough are kept: the database is asked
    # about likely matches, not about everything the index proposed.
    proposed = _similar(queried, pairs)

    known = _known_candidates(items, proposed)
    members = _members(
        {c.cluster_id for c in known.values() if c.cluster_id is not None}
    )
    batch = {item.pk: item for item in ordered}
    joins = _Joins()
    for item in ordered:
        candidate = candidates[item.pk]
        if item.cluster_id is None and item.pk in proposed:
            cluster_id = _join(candidate, proposed[item.pk], known, members, joins)
            if cluster_id is not None:
                item.cluster_id = cluster_id
        # Later items of the batch may join this one.
        known[item.pk] = candidate
    return joins.save(batch, members) | edited


class _Joins:
    """The links a batch makes, written together once it is judged.

    A story the batch starts has a placeholder (negative) id until its
    cluster is created, already counted, since all its members are in
    hand; its rows are linked in one UPDATE per cluster rather than in a
    query or two per item.
    """

    def __init__(self) -> None:
        self.started: list[Cluster] = []
        self.links: dict[int, list[int]] = defaultdict(list)

    def start(self, representative_pk: int) -> int:
        self.started.append(Cluster(representative_id=representative_pk))
        placeholder = -len(self.started)
        self.links[placeholder].append(representative_pk)
        return placeholder

    def link(self, cluster_id: int, pk: int) -> None:
        self.links[cluster_id].append(pk)

    def save(
        self, batch: dict[int, NewsItem], members: dict[int, list[_Candidate]]
    ) -> set[int]:
        """Write the batch's clusters and links; returns the clusters that
        existed before and gained items, which `recount` must count."""
        for n, cluster in enumerate(self.started, start=1):
            rows = [
                (c.pk, c.source_id, c.score, c.status, c.published_at)
                for c in members[-n]
            ]
            cluster.item_count = len(rows)
            cluster.source_count = len({source_id for _, source_id, *_ in rows})
            cluster.representative_id = _representative(cluster.representative_id, rows)
        # On PostgreSQL and SQLite >= 3.35 the pks come back with the rows.
        Cluster.objects.bulk_create(self.started)
        real = {-n: cluster.pk for n, cluster in enumerate(self.started, start=1)}

        grown: set[int] = set()
        for placeholder, pks in self.links.items():
            cluster_id = real.get(placeholder, placeholder)
            NewsItem.objects.filter(pk__in=pks).update(cluster_id=cluster_id)
            for pk in pks:
                if pk in batch:
                    batch[pk].cluster_id = cluster_id
            if placeholder > 0:
                grown.add(cluster_id)
        if self.started:
            logger.debug("Clusters started: %s", [c.pk for c in self.started])
        return grown


def take_turn() -> None:
    """Wait until no other poll is writing items, for the rest of this
    transaction.

    A poll only sees committed rows: two outlets' tellings of one story,
    polled at once by two workers, would each miss the other and stay apart.
    Holding the lock from the first insert to the commit also makes rows
    commit in pk order, which each process's index relies on to load only
    rows newer than the last it saw. SQLite needs none: its writers take
    turns already.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CLUSTERING_LOCK])


def _nearby(
    item: _Candidate, keys: list[int], index: RecentIndex
) -> list[tuple[_Candidate, int, _Entry]]:
    """The indexed items the LSH proposes for `item`, within 72 hours."""
    pairs = []
    for pk in index.candidates(keys):
        entry = index.entries.get(pk)
        if (
            pk != item.pk
            and entry is not None
            and abs(entry.published_at - item.published_at) <= WINDOW
        ):
            pairs.append((item, pk, entry))
    return pairs


def _similar(
    items: list[_Candidate], pairs: list[tuple[_Candidate, int, _Entry]]
) -> dict[int, list[int]]:
    """For each item, the proposed items close enough in text to be its
    story."""
    found: dict[int, list[int]] = {item.pk: [] for item in items}
    if not pairs:
        return found

    # One numpy comparison for every pair of the poll: one per item cost
    # more in numpy's call overhead than in comparing.
    _, enough = _closeness_of(
        [item for item, _, _ in pairs], [entry for _, _, entry in pairs]
    )
    for (item, pk, _), close in zip(pairs, enough.tolist(), strict=True):
        if close:
            found[item.pk].append(pk)
    for pks in found.values():
        pks.sort()
    return found


def _known_candidates(
    items: Sequence[NewsItem], proposed: dict[int, list[int]]
) -> dict[int, _Candidate]:
    """Stored rows the index proposed, checked against the database: a row
    may be gone, and its cluster may have changed in another worker."""
    batch = {item.pk for item in items}
    wanted = {pk for pks in proposed.values() for pk in pks} - batch
    if not wanted:
        return {}
    rows = NewsItem.objects.filter(pk__in=wanted, minhash__isnull=False).values_list(
        *_CANDIDATE_FIELDS
    )
    return {row[0]: _candidate(*row) for row in rows}


def _members(cluster_ids: set[int]) -> dict[int, list[_Candidate]]:
    """The signed items of each cluster, to check an outlet's own items."""
    if not cluster_ids:
        return {}
    rows = NewsItem.objects.filter(cluster_id__in=cluster_ids, minhash__isnull=False)
    members: dict[int, list[_Candidate]] = {pk: [] for pk in cluster_ids}
    for row in rows.values_list(*_CANDIDATE_FIELDS):
        candidate = _candidate(*row)
        members[candidate.cluster_id].append(candidate)
    return members


_CANDIDATE_FIELDS = (
    "pk",
    "source_id",
    "published_at",
    "cluster_id",
    "minhash",
    "score",
    "status",
)


def _candidate(
    pk: int,
    source_id: int,
    published_at: datetime,
    cluster_id: int | None,
    data: bytes,
    score: float,
    status: str,
) -> _Candidate:
    return _Candidate(
        pk,
        source_id,
        published_at,
        cluster_id,
        values(data),
        score=score,
        status=status,
    )


def _join(
    item: _Candidate,
    proposed: list[int],
    known: dict[int, _Candidate],
    members: dict[int, list[_Candidate]],
    joins: _Joins,
) -> int | None:
    nearby = [
        candidate
        for candidate in map(known.get, proposed)
        if candidate is not None
        and abs(candidate.published_at - item.published_at) <= WINDOW
    ]
    if not nearby:
        return None
    # One numpy comparison for all candidates: a widely syndicated story
    # brings hundreds, and comparing them one by one dominated a poll.
    shared, enough = _closeness(item, nearby)
    scored = [
        (-close, candidate.pk, candidate)
        for candidate, close, enough in zip(
            nearby, shared.tolist(), enough.tolist(), strict=True
        )
        if enough
    ]

    for _, _, best in sorted(scored, key=lambda entry: entry[:2]):
        if best.cluster_id is None:
            best.cluster_id = joins.start(best.pk)
            members[best.cluster_id] = [best]
        elif not _fits(item, members.setdefault(best.cluster_id, [])):
            continue
        item.cluster_id = best.cluster_id
        members[best.cluster_id].append(item)
        joins.link(best.cluster_id, item.pk)
        return best.cluster_id
    return None


def _closeness(
    item: _Candidate, rows: Sequence[_Entry | _Candidate]
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's similarity to the item, and whether it is close enough to
    be the item's story."""
    shared = (
        np.count_nonzero(np.vstack([row.values for row in rows]) == item.values, axis=1)
        / NUM_PERM
    )
    sizes = np.array([row.words for row in rows])
    same_source = np.array([row.source_id for row in rows]) == item.source_id
    return shared, _enough(shared, sizes, item.words, same_source)


def _closeness_of(
    items: Sequence[_Candidate], rows: Sequence[_Entry | _Candidate]
) -> tuple[np.ndarray, np.ndarray]:
    """`_closeness` of each item to the row beside it."""
    shared = (
        np.count_nonzero(
            np.vstack([row.values for row in rows])
            == np.vstack([item.values for item in items]),
            axis=1,
        )
        / NUM_PERM
    )
    sizes = np.array([row.words for row in rows])
    own = np.array([item.words for item in items])
    same_source = np.array([row.source_id for row in rows]) == np.array(
        [item.source_id for item in items]
    )
    return shared, _enough(shared, sizes, own, same_source)


def _enough(
    shared: np.ndarray,
    sizes: np.ndarray,
    own: np.ndarray | float,
    same_source: np.ndarray,
) -> np.ndarray:
    """Whether each pair is close enough to be one story."""
    shorter = np.maximum(np.minimum(sizes, own), 1.0)
    # |A ∩ B| = J (|A| + |B|) / (1 + J): the shorter text's share in the other.
    contained = shared * (sizes + own) / ((1 + shared) * shorter)

    enough = np.where(
        shorter < SHORT_TEXT_WORDS,
        contained >= SHORT_TEXT_CONTAINED,
        shared >= SIMILARITY,
    )
    # An outlet's own items join only as near copies (a re-post).
    return np.where(same_source, shared >= SAME_SOURCE_SIMILARITY, enough)


def word_count(signature: np.ndarray) -> float:
    """The estimated number of distinct words behind a signature.

    The least of k hashes of n words averages 1/(n + 1) of the hash range,
    so n is about k / sum(least / range) - 1 (the estimator of datasketch's
    `MinHash.count`, without building a MinHash). An empty signature
    counts 0.
    """
    return NUM_PERM / float((signature / float(_EMPTY)).sum()) - 1.0


def word_counts(signatures: np.ndarray) -> np.ndarray:
    """`word_count` of each row, in one numpy pass."""
    return NUM_PERM / (signatures / float(_EMPTY)).sum(axis=1) - 1.0


def _fits(item: _Candidate, members: list[_Candidate]) -> bool:
    """An outlet joins a story it already has only with the same text."""
    return all(
        similarity(item.values, member.values) >= SAME_SOURCE_SIMILARITY
        for member in members
        if member.source_id == item.source_id
    )


def recount(cluster_ids: set[int]) -> None:
    """Count items and sources, pick the row the queue shows, and drop the
    clusters left with no item (after deletions).

    While a story waits for a decision, its row is its most relevant
    telling (then the earliest): a richer article from a later outlet
    should not leave the story under "Baja relevancia". A decided story
    keeps its row; if that row is gone, its earliest remaining telling
    takes the place, or the story would show every one of its items.
    """
    if not cluster_ids:
        return
    members: dict[int, list[tuple]] = defaultdict(list)
    shown: dict[int, int | None] = {}
    rows = NewsItem.objects.filter(cluster_id__in=cluster_ids).values_list(
        "cluster_id",
        "cluster__representative_id",
        "pk",
        "source_id",
        "score",
        "status",
        "published_at",
    )
    for cluster_id, representative_id, *row in rows:
        shown[cluster_id] = representative_id
        members[cluster_id].append(tuple(row))

    empty = cluster_ids - members.keys()
    if empty:
        Cluster.objects.filter(pk__in=empty).delete()

    now = timezone.now()
    clusters = [
        Cluster(
            pk=cluster_id,
            item_count=len(rows_of),
            source_count=len({source_id for _, source_id, *_ in rows_of}),
            representative_id=_representative(shown[cluster_id], rows_of),
            updated_at=now,
        )
        for cluster_id, rows_of in members.items()
    ]
    # A poll touches a few clusters; one UPDATE each costs less than
    # bulk_update's CASE clauses.
    for cluster in clusters:
        cluster.save(
            update_fields=["item_count", "source_count", "updated_at", "representative"]
        )


def _representative(current: int | None, rows: list[tuple]) -> int:
    """The row a cluster shows, from its (pk, source, score, status,
    published) rows."""
    statuses = {pk: status for pk, _, _, status, _ in rows}
    waiting = [row for row in rows if row[3] == NewsItem.Status.NEW]
    if waiting and statuses.get(current, NewsItem.Status.NEW) == NewsItem.Status.NEW:
        return min(waiting, key=lambda row: (-row[2], row[4], row[0]))[0]
    if current in statuses:
        return current
    return min(rows, key=lambda row: (row[4], row[0]))[0]


def recount_recent() -> int:
    """Pick the rows of recent stories again, after their scores changed."""
    since = timezone.now() - 2 * WINDOW
    # Polls link items to these clusters meanwhile; taking turns with them
    # keeps a count from being written from rows read before their link.
    with transaction.atomic():
        take_turn()
        cluster_ids = set(
            Cluster.objects.filter(updated_at__gte=since).values_list("pk", flat=True)
        )
        recount(cluster_ids)
    return len(cluster_ids)
