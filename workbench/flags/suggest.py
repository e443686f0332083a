"""Ranked corrections for a misread word, with an OCR confusion-aware cost.

Candidates come from two places: the observed word with known OCR confusions undone (rn -> m, cl -> d,
li -> h, 1 -> l, 0 -> o, ...) and, for the rest, rapidfuzz's nearest words of similar length in the
lexicon. Each candidate is scored by `ocr_cost` (an edit distance in which the usual confusions are
cheap) minus a bonus for frequent words and for words the document itself uses; lowest first.

Nothing is ever applied automatically. On a line that looks clean (`looks_clean`: no other flag on it and
every word read with at least `FlaggerConfig.clean_line_conf`), `keep_first` ranks keep-as-read (the
OCR's own text, as the first suggestion) above every correction: above about 95 % accuracy automatic
correction breaks about as much as it fixes (Fink, Schulz and Springmann 2017), so accepting the top
suggestion there, one at a time or all at once, leaves the text as read.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from workbench.flags.config import ENGLISH
from workbench.flags.lexicon import Lexicon, candidate_words, word_key
from workbench.flags.tokens import strip_punct
from workbench.memo import IdentityMemo
from workbench.models import Flag, FlagCategory

if TYPE_CHECKING:
    from workbench.flags.context import PageContext

# (as read, as meant, cost): the glyph confusions of typewriter OCR; multi-character ones included.
CONFUSIONS: tuple[tuple[str, str, float], ...] = (
    ("rn", "m", 0.3),
    ("m", "rn", 0.3),
    ("rri", "m", 0.4),
    ("ni", "m", 0.5),
    ("in", "m", 0.5),
    ("nn", "m", 0.5),
    ("cl", "d", 0.3),
    ("d", "cl", 0.4),
    ("li", "h", 0.3),
    ("lt", "h", 0.4),
    ("b", "h", 0.4),
    ("h", "b", 0.4),
    ("vv", "w", 0.3),
    ("w", "vv", 0.4),
    ("ii", "u", 0.4),
    ("ii", "n", 0.5),
    ("u", "ii", 0.5),
    ("1", "l", 0.2),
    ("l", "1", 0.2),
    ("1", "i", 0.3),
    ("i", "l", 0.3),
    ("l", "i", 0.3),
    ("!", "l", 0.3),
    ("|", "l", 0.2),
    ("|", "i", 0.3),
    ("0", "o", 0.2),
    ("o", "0", 0.2),
    ("5", "s", 0.3),
    ("s", "5", 0.3),
    ("8", "b", 0.4),
    ("6", "b", 0.4),
    ("c", "o", 0.3),
    ("o", "c", 0.3),
    ("c", "e", 0.3),
    ("e", "c", 0.3),
    ("o", "e", 0.4),
    ("e", "o", 0.4),
    ("a", "o", 0.4),
    ("o", "a", 0.4),
    ("u", "n", 0.4),
    ("n", "u", 0.4),
    ("n", "h", 0.4),
    ("h", "n", 0.4),
    ("f", "t", 0.4),
    ("t", "f", 0.4),
    ("f", "s", 0.4),  # the long s of older print read as f ("fich", "Preuffen", "moft")
    ("ff", "ss", 0.4),
    ("t", "l", 0.4),
    ("l", "t", 0.4),
    ("i", "j", 0.4),
    ("j", "l", 0.5),
    ("j", "i", 0.4),
    ("y", "v", 0.4),
    ("v", "y", 0.4),
    ("fi", "h", 0.5),
    ("ri", "n", 0.5),
    ("tl", "d", 0.5),
    ("'", "", 0.3),
    (".", "", 0.4),
    (",", "", 0.4),
)
_MAX_LEN = max(len(a) for a, _, _ in CONFUSIONS)
_MAX_TARGET = max(len(b) for _, b, _ in CONFUSIONS)
_BY_READ: dict[str, list[tuple[str, float]]] = {}
for _read, _meant, _cost in CONFUSIONS:
    _BY_READ.setdefault(_read, []).append((_meant, _cost))

_ROUNDING = 1e-9  # kept off a lower bound of a cost, so that a float summed otherwise stays above it
CASE_COST = ENGLISH.case_cost  # the same in every language: kept out of the memoised cost's arguments
# The least `ocr_cost` per Levenshtein edit: each step of the cost's table spans at most max(len(read),
# len(meant)) edits, so `ocr_cost(a, b) >= COST_PER_EDIT * Levenshtein.distance(a, b)`.
COST_PER_EDIT = min(CASE_COST, 0.5, *(cost / max(len(a), len(b)) for a, b, cost in CONFUSIONS))


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One ranked correction: the word as it should read, its OCR cost and its final score (lower is better)."""

    text: str
    cost: float
    score: float


def ocr_cost(read: str, meant: str) -> float:
    """Edit distance from `read` (as the OCR read it) to `meant`, where OCR confusions are cheap.

    Insert, delete, substitute and swapping two neighbours cost 1; a case-only difference costs 0.1;
    each confusion in CONFUSIONS (e.g. "rn" read for "m") costs its listed weight.
    """
    return _ocr_cost_within(read, meant, math.inf)


# (read, meant) -> (value, bound): what `_table_cost` returned within that bound. Kept across documents (a
# document repeats its misreadings, a collection its documents' words); emptied when it grows too large.
_COSTS: dict[tuple[str, str], tuple[float, float]] = {}
_COSTS_KEPT = 1 << 18


def _ocr_cost_within(read: str, meant: str, bound: float, *, widest: float | None = None) -> float:
    """`ocr_cost(read, meant)` when it is at most `bound`, else some value above `bound` (memoised).

    `widest` is the highest bound the caller ever asks (at least `bound`): a pair asked again under a
    higher bound than its memo holds is costed within `widest`, so that it is not costed a third time
    (the next document's ranking asks the same pairs under bounds of its own).
    """
    known = _COSTS.get((read, meant))
    if known is not None:
        value, within = known
        # exact (found within its bound), or above a bound at least as high as this one
        if value <= within or bound <= within:
            return value
        if widest is not None:
            bound = max(bound, widest)
    value = _table_cost(read, meant, bound)
    if len(_COSTS) >= _COSTS_KEPT:
        _COSTS.clear()
    _COSTS[(read, meant)] = (value, bound)
    return value


def _table_cost(read: str, meant: str, bound: float) -> float:
    """`ocr_cost(read, meant)` when it is at most `bound`, else some value above `bound`.

    Every step costs at least 0, so a path through a cell dearer than `bound` ends dearer than `bound`:
    such cells are not extended, and every cell within `bound` keeps the value the full table gives it
    (the same minimum over the same cheaper paths), so a cost within `bound` is exactly the same float.
    """
    n, m = len(read), len(meant)
    inf = math.inf
    confusions = _confusions_at(read)
    if meant.isascii():  # lowercasing ASCII is letter by letter: meant[j : j + k].lower() == lowered[j : j + k]
        lowered = meant.lower()
        spans = None
    else:  # (not so elsewhere: a final sigma) each span lowercased as it stands, once per call
        spans = [[meant[j : j + k].lower() for j in range(m + 1)] for k in range(_MAX_TARGET + 1)]
    meant_lower = [b.lower() for b in meant]
    dist = [[inf] * (m + 1) for _ in range(n + 1)]
    dist[0][0] = 0.0
    for i in range(n + 1):
        row = dist[i]
        below = dist[i + 1] if i < n else None
        a = read[i] if i < n else ""
        a_lower = a.lower()
        swap_next = read[i + 1] if i + 1 < n else None
        starting = confusions[i]
        for j in range(m + 1):
            here = row[j]
            if here == inf or here > bound:
                continue
            if below is not None and here + 1 < below[j]:
                below[j] = here + 1
            if j < m and here + 1 < row[j + 1]:
                row[j + 1] = here + 1
            if below is not None and j < m:
                b = meant[j]
                step = 0.0 if a == b else CASE_COST if a_lower == meant_lower[j] else 1.0
                if here + step < below[j + 1]:
                    below[j + 1] = here + step
                # a swapped pair ("mn" for "nm") is one slip, not two
                if swap_next is not None and j + 1 < m and a == meant[j + 1] and swap_next == b and a != b:
                    dist[i + 2][j + 2] = min(dist[i + 2][j + 2], here + 1)
            for length, target, cost in starting:
                meant_here = lowered.startswith(target, j) if spans is None else spans[len(target)][j] == target
                if meant_here and here + cost < dist[i + length][j + len(target)]:
                    dist[i + length][j + len(target)] = here + cost
    return dist[n][m]


@lru_cache(maxsize=1 << 14)
def _confusions_at(read: str) -> tuple[tuple[tuple[int, str, float], ...], ...]:
    """For each position of `read` (and its end), the confusions whose reading starts there: (length of the
    reading, what was meant, cost), in CONFUSIONS' order."""
    n = len(read)
    return tuple(
        tuple(
            (length, target, cost)
            for length in range(1, min(_MAX_LEN, n - i) + 1)
            for target, cost in _BY_READ.get(read[i : i + length].lower(), ())
        )
        for i in range(n + 1)
    )


def confusion_variants(word: str, *, depth: int = 2) -> set[str]:
    """`word` (lowercase) with up to `depth` known confusions undone, each a string the OCR may have meant."""
    return set(_confusion_variants(word.lower(), depth))


@lru_cache(maxsize=1 << 15)
def _confusion_variants(word: str, depth: int) -> frozenset[str]:
    frontier = {word}
    seen = set(frontier)
    meant = _TARGETS.get
    for _ in range(depth):
        grown: set[str] = set()
        add = grown.add
        for text in frontier:
            end = len(text)
            for i in range(end):
                # a reading running past the end would be a shorter one, already undone
                for length in range(1, min(_MAX_LEN, end - i) + 1):
                    targets = meant(text[i : i + length])
                    if targets:
                        head, tail = text[:i], text[i + length :]
                        for target in targets:
                            add(head + target + tail)
        frontier = grown - seen
        seen |= grown
    return frozenset(seen)


# What each reading may have meant, in CONFUSIONS' order (the costs left out: the variants need none).
_TARGETS: dict[str, tuple[str, ...]] = {read: tuple(meant for meant, _ in found) for read, found in _BY_READ.items()}


def match_case(word: str, like: str) -> str:
    """`word` cased as `like`: ALL CAPS, Capitalised or lowercase."""
    letters = [c for c in like if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    if like[:1].isupper() or (like[:1] in "1|0!" and len(like) > 1 and like[1:2].islower() and len(letters) > 2):
        return word[:1].upper() + word[1:]
    return word


def rank_words(read: str, lexicon: Lexicon, *, limit: int = 5, max_distance: int = 2) -> list[Suggestion]:
    """Corrections of one word (no edge punctuation), best first, cased like `read`."""
    key = word_key(read)
    if not key:
        return []
    cache = lexicon.cache.setdefault("rank_words", {})
    found = cache.get((key, max_distance))
    if found is None:
        found = cache[(key, max_distance)] = _rank_keys(key, lexicon, max_distance)
    return [Suggestion(match_case(word, read), cost, score) for word, cost, score in found[:limit]]


def _rank_keys(key: str, lexicon: Lexicon, max_distance: int) -> list[tuple[str, float, float]]:
    variants = _confusion_variants(key, 2)
    if _plain_key(key):
        # The variants the word list knows, and the near words, are the same in every document of the
        # language (`_general_candidates`); those the document reads more than once are a set lookup.
        pool = set(_general_candidates(key, lexicon, max_distance))
        pool.update(variants & _repeated_set(lexicon))
    else:
        pool = {v for v in variants if lexicon.attested(v)}
        pool.update(near_candidates(key, lexicon.language, max_distance))
    repeated = _repeated_words(lexicon)
    for length in range(max(1, len(key) - max_distance), len(key) + max_distance + 1):
        words = repeated.get(length, ())
        for found, _distance, _index in process.extract(
            key, words, scorer=Levenshtein.distance, score_cutoff=max_distance, limit=None
        ):
            pool.add(found)
    pool.discard(key)
    config = lexicon.config
    within = max_distance + 0.01
    # Only the best ten are kept. Costed from the least possible score up (COST_PER_EDIT a Levenshtein edit:
    # a lower bound of the cost), a word whose least possible score is worse than the tenth best so far
    # cannot be among them, nor can any after it; and a word is costed only as far as a cost that could
    # still place it (a higher cost is "above the bound"). The ten, and their scores, are the same.
    ordered = []
    for word in pool:
        bonus = config.document_bonus if lexicon.count(word) > 1 else 0.0
        frequency = config.frequency_weight * lexicon.zipf(word)
        least = COST_PER_EDIT * Levenshtein.distance(key, word) - _ROUNDING
        ordered.append((least - frequency - bonus, word, frequency, bonus))
    ordered.sort()
    best: list[float] = []  # the ten best scores so far, negated: a max-heap, the tenth on top
    ranked = []
    for least_score, word, frequency, bonus in ordered:
        bound = within
        if len(best) == 10:
            if least_score > -best[0]:
                break
            bound = min(within, -best[0] + frequency + bonus + _ROUNDING)
        cost = _ocr_cost_within(key, word, bound, widest=within)  # exact when kept; dearer ones not in full
        if cost > bound:
            continue
        score = cost - frequency - bonus
        ranked.append((word, cost, score))
        if len(best) < 10:
            heapq.heappush(best, -score)
        elif -score > best[0]:
            heapq.heapreplace(best, -score)
    ranked.sort(key=lambda s: (s[2], s[0]))
    return ranked[:10]


@lru_cache(maxsize=1 << 15)  # the same for every document of the language: a collection repeats its words
def near_candidates(key: str, language: str, max_distance: int = 2) -> tuple[str, ...]:
    """The words of `language`'s candidate list (lexicon.candidate_words) within `max_distance` Levenshtein
    edits of `key`: of each length from len(key) - max_distance to len(key) + max_distance, the 25 nearest,
    fewest edits first and, among equals, the most frequent (rapidfuzz's process.extract over the bucket).

    Only the bucket's words whose letter signature allows so few edits are compared (`_near_enough`); the
    rest are farther than `max_distance`, so the 25 nearest, and their order, are the same as over the
    whole bucket.
    """
    found: list[str] = []
    buckets = candidate_words(language)
    signatures = _bucket_signatures(language)
    for length in range(max(1, len(key) - max_distance), len(key) + max_distance + 1):
        words = buckets.get(length, ())
        if not words:
            continue
        near = _near_enough(key, signatures[length], max_distance)
        for word, _distance, _index in process.extract(
            key, near, scorer=Levenshtein.distance, score_cutoff=max_distance, limit=25
        ):
            found.append(word)
    return tuple(found)


def _signature(word: str) -> int:
    """64 bits of a word's letters: a to z each once (bit 2k) and twice (bit 2k + 1), any other character
    once, in one of 12 bits by its code point.

    Each bit is 1 where a count reaches a threshold, so the bits two words differ in are at most the sum,
    over characters, of the differences of their counts; one edit changes that sum by at most 2, hence
    popcount(signature(a) ^ signature(b)) <= 2 * Levenshtein.distance(a, b).
    """
    counts: dict[str, int] = {}
    for char in word:
        counts[char] = counts.get(char, 0) + 1
    bits = 0
    for char, count in counts.items():
        if "a" <= char <= "z":
            bit = 2 * (ord(char) - 97)
            bits |= 1 << bit
            if count > 1:
                bits |= 1 << (bit + 1)
        else:
            bits |= 1 << (52 + ord(char) % 12)
    return bits


@lru_cache(maxsize=8)
def _bucket_signatures(language: str):
    """The `_signature` of every word of each bucket of `language`'s candidate list (numpy uint64 arrays)."""
    import numpy as np  # loaded on first use, with the word list

    return {
        length: (np.array([_signature(w) for w in words], dtype=np.uint64), np.array(words, dtype=object))
        for length, words in candidate_words(language).items()
    }


def _near_enough(key: str, bucket, max_distance: int) -> list[str]:
    """The words of a bucket (its signatures and its words, `_bucket_signatures`), in their order, whose
    signature differs from `key`'s in at most 2 * max_distance bits: a superset of those within
    `max_distance` edits (see `_signature`)."""
    import numpy as np

    signatures, words = bucket
    differ = signatures ^ np.uint64(_signature(key))
    if hasattr(np, "bitwise_count"):  # numpy 2
        bits = np.bitwise_count(differ)
    else:
        bits = np.unpackbits(differ.view(np.uint8)).reshape(len(words), 64).sum(axis=1)
    return words[bits <= 2 * max_distance].tolist()


def _plain_key(key: str) -> bool:
    """True when `key` and each of its confusion variants is its own lexicon key and holds no apostrophe, so
    that `lexicon.attested(variant)` is "the word list gives it a Zipf above 0, or the document reads it
    more than once" (no elision to weigh).

    Such a key opens and ends with a letter or digit and lowercases to itself; a confusion undone keeps
    both (every reading that can stand at an edge is a letter or digit, and so is what it is replaced
    by) and adds only lowercase ASCII, so no variant gains edge punctuation, a capital or a curly
    apostrophe for `word_key` to take off.
    """
    return key[:1].isalnum() and key[-1:].isalnum() and key.lower() == key and "'" not in key and "’" not in key


# A general word list (and language) -> {(key, max_distance): its candidates}: one memo per word list.
_GENERAL_POOLS: IdentityMemo[dict[tuple[str, int], tuple[str, ...]]] = IdentityMemo(8)
_GENERAL_POOLS_KEPT = 1 << 15


def _general_candidates(key: str, lexicon: Lexicon, max_distance: int) -> tuple[str, ...]:
    """The candidates of a `_plain_key` that do not depend on the document: its confusion variants (depth 2)
    the general word list gives a Zipf above 0, and its `near_candidates`. Memoised across the documents
    of one word list and language: a collection repeats its misreadings."""
    general = lexicon.general
    memo = _GENERAL_POOLS.get_or_make(general, dict, extra=lexicon.language)
    found = memo.get((key, max_distance))
    if found is None:
        known = [v for v in _confusion_variants(key, 2) if general.get(v, 0.0) > 0]
        found = tuple(dict.fromkeys([*known, *near_candidates(key, lexicon.language, max_distance)]))
        if len(memo) >= _GENERAL_POOLS_KEPT:
            memo.clear()
        memo[(key, max_distance)] = found
    return found


def _repeated_set(lexicon: Lexicon) -> frozenset[str]:
    """The keys the document reads more than once (computed once per lexicon)."""
    found = lexicon.cache.get("repeated_set")
    if found is None:
        found = lexicon.cache["repeated_set"] = frozenset(w for w, count in lexicon.document.items() if count > 1)
    return found


def _repeated_words(lexicon: Lexicon) -> dict[int, list[str]]:
    """The words the document reads more than once, by length (computed once per lexicon)."""
    found = lexicon.cache.get("repeated_words")
    if found is None:
        found = {}
        for word, count in lexicon.document.items():
            if count > 1:
                found.setdefault(len(word), []).append(word)
        lexicon.cache["repeated_words"] = found
    return found


KEPT_LEAD = '"('  # punctuation a typed word may open with; any other leading glyph is a speck
KEPT_TRAIL = ".,;:!?)\"'"


def suggest_token(token: str, lexicon: Lexicon, *, limit: int = 5) -> list[Suggestion]:
    """Corrections of a whole token, its typed edge punctuation kept ("tlie," -> "the,", "..@llidnce" -> "alliance")."""
    memo = lexicon.cache.setdefault("suggest_token", {})  # a document repeats its tokens
    found = memo.get((token, limit))
    if found is None:
        lead, word, trail = strip_punct(token)
        lead = "".join(c for c in lead if c in KEPT_LEAD)
        trail = "".join(c for c in trail if c in KEPT_TRAIL)[:1]
        found = memo[(token, limit)] = tuple(
            Suggestion(lead + s.text + trail, s.cost, s.score) for s in rank_words(word, lexicon, limit=limit)
        )
    return list(found)


# Word readings a reviewer may keep: not markings (stamp noise), line-end joins or lost text, whose "as read"
# is no reading of the line.
KEEP_FIRST_CATEGORIES = frozenset(
    {FlagCategory.MISREAD_WORD, FlagCategory.SPLIT_WORD, FlagCategory.MERGED_WORDS, FlagCategory.CASE_OR_PUNCTUATION}
)


def looks_clean(context: PageContext, flag: Flag, flags: Sequence[Flag]) -> bool:
    """True when the line holding `flag` looks clean: the flag lies on one line, no other of the page's
    `flags` touches that line, and every word on it has a confidence of at least `clean_line_conf`. A line
    whose confidences are unknown (OCR imported as text) never looks clean."""
    text = context.page.text
    if "\n" in text[flag.start : flag.end]:
        return False
    start = text.rfind("\n", 0, flag.start) + 1
    end = text.find("\n", flag.end)
    end = len(text) if end < 0 else end
    for other in flags:
        if other.key == flag.key:
            continue
        # an empty span (lost text at the line's end) touches the line it sits on
        touches = start <= other.start <= end if other.start == other.end else other.start < end and start < other.end
        if touches:
            return False
    words = [token for token in context.tokens if start <= token.start < end]
    threshold = context.config.clean_line_conf
    return bool(words) and all(token.conf is not None and token.conf >= threshold for token in words)


def keep_first(context: PageContext, flags: Sequence[Flag]) -> list[Flag]:
    """One page's `flags` with keep-as-read (the flag's own text) ranked first on each word flag whose line
    `looks_clean`, and taken out again (wherever the ranking put it) on the others; order kept."""
    ranked = []
    for flag in flags:
        if flag.category in KEEP_FIRST_CATEGORIES and flag.suggestions:
            corrections = tuple(s for s in flag.suggestions if s != flag.text)
            keep = (flag.text,) if corrections and looks_clean(context, flag, flags) else ()
            if keep + corrections != flag.suggestions:
                flag = replace(flag, suggestions=keep + corrections)
        ranked.append(flag)
    return ranked
