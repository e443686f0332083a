"""Flexible character accuracy (FCA): a character accuracy that does not depend on reading order.

Definition (Clausner, Pletschacher and Antonacopoulos, "Flexible character accuracy measure for
reading-order-independent evaluation", Pattern Recognition Letters 131 (2020) 390-397,
doi:10.1016/j.patrec.2020.02.003), in plain words:

    1. Both texts are cut into lines; each line is whitespace-folded and put in NFC, empty lines are
       dropped. Units are grapheme clusters, as in the project's CER (`workbench.normalize`).
    2. The longest remaining gold part is compared with every remaining OCR part: the shorter of the
       two slides along the longer one, and at each position the Levenshtein distance between the
       shorter string and the equally long window of the longer one is taken; the best window is the
       one with the smallest distance (paper, Fig. 2).
    3. Each OCR part gets a penalty for that best window,
           edit_weight * distance + length_weight * |length difference|
           + offset_weight * offset - substring_weight * (length of the shorter part),
       where offset is how far the window lies from the nearer end of the longer part (0 when the
       lengths differ by at most 1). The OCR part with the smallest penalty is matched.
    4. The matched window's distance is counted as errors. When the lengths differ, the rest of the
       longer part (left and right of the window) goes back into its list as new parts.
    5. Steps 2-4 repeat until one list is empty; every unit left over on either side is one error
       (missing or spurious text).
    6. accuracy = (gold units - errors) / gold units, and the measure is the highest accuracy over a
       grid of the four weights (`PAPER_GRID`: edit 15..30 step 5, length 0..21 step 3, offset 0..3,
       substring 0..5; 768 sets, as in PRImA's reference tool).

Choices the paper leaves open, made here so that the score depends only on the multisets of lines
(shuffling the OCR lines never changes it): gold parts of the greatest length
all compete (the best pair wins, as in PRImA's tool, which compares every gold part); a tie in
penalty goes to the smaller distance, then the smaller length difference, then the OCR part's text,
then the gold part's text; among equally distant windows the one nearer an end, then the leftmost,
wins; among weight sets with equal errors the first in grid order is reported. Remainders of a split
keep their spaces (the paper's Fig. 4 counts the space lost between over-segmented lines).

Empty texts and the range, as in PRImA's tool: two empty texts score 1.0, an empty gold against
any OCR text 0.0, and the accuracy is clipped at 0 when there are more errors than gold units (the
error count itself is reported unclipped).

Speed: the published algorithm computes a Levenshtein distance for every window of every pair of
parts, at every step, for each of 768 weight sets. This module gives the same result with far less
work, and every shortcut is exact (a bound, never a guess):
    - weight sets that are multiples of each other make the same choices and run once;
    - rapidfuzz computes each window distance in C;
    - along the windows of one pair, a window at distance d proves every window closer than
      (d - cutoff) / 2 positions to exceed the cutoff (moving a window by k units costs at most 2k
      edits), so most windows are skipped;
    - at each step the OCR parts are visited in order of the penalty bound that their lengths alone
      give, and the search stops as soon as that bound cannot beat the best penalty found;
    - window results are cached across steps and weight sets by the pair of texts;
    - a weight set stops as soon as its errors reach the best total already found, since errors
      only grow.

Cost (reports/bench/flexible.md, 2 cores): the briefing paper (11 KB) takes about 0.2-0.5 s with the
default set and 22 s with the grid; a 100 KB pair about 8 s with the default set; a 1 MB pair more
than 240 s even with the default set. Time grows with about the square of the number of parts (ten
times the text, forty times the time): each step still scores the longest gold part against every
OCR part its length bound lets through, about 530 pairs a step at 100 KB, mostly short remainders
of equal length competing. Caching each gold text's best pair, one rapidfuzz `cdist` call per length
group and a 3-gram filter before the window scan were all tried, exact, and none was faster here.
"""

from __future__ import annotations

import heapq
import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from workbench.normalize import fold_whitespace, grapheme_clusters, nfc

# The paper's default weights (edit, length difference, offset, substring length), tried first.
PAPER_DEFAULT = (25, 20, 1, 4)
PAPER_GRID: tuple[tuple[int, int, int, int], ...] = tuple(
    (edit, length, offset, substring)
    for edit in range(15, 31, 5)
    for length in range(0, 24, 3)
    for offset in range(4)
    for substring in range(6)
)


@dataclass(frozen=True, slots=True)
class FlexibleAccuracy:
    """Flexible character accuracy of an OCR text against gold, with the counts behind it.

    `accuracy` is a fraction in [0, 1] (1.0 for identical texts), `errors` the edit operations plus
    the units left unmatched, in grapheme clusters; `gold_length`/`ocr_length` the texts' lengths in
    the same units (line breaks not counted). `matched_parts` is the number of gold/OCR part pairs
    matched, `unmatched_gold_parts`/`unmatched_ocr_parts` the parts left over, and `weights` the
    (edit, length, offset, substring) weight set that gave the best accuracy.
    """

    accuracy: float
    errors: int
    gold_length: int
    ocr_length: int
    matched_parts: int
    unmatched_gold_parts: int
    unmatched_ocr_parts: int
    weights: tuple[int, int, int, int]


@dataclass(frozen=True, slots=True)
class _Run:
    errors: int
    matched: int
    gold_left: int
    ocr_left: int


def text_lines(text: str) -> list[str]:
    """The lines of `text` as FCA compares them: NFC, whitespace-folded, empty lines dropped."""
    folded = (fold_whitespace(nfc(line)) for line in text.splitlines())
    return [line for line in folded if line]


def _encode(gold: list[str], ocr: list[str]) -> tuple[list[str], list[str]]:
    """The lines with every grapheme cluster as one character, so that len() counts clusters.

    Clusters of several code points get a private-use code point that occurs in neither text.
    """
    joined = "".join(gold) + "".join(ocr)
    if joined.isascii() or len(grapheme_clusters(joined)) == len(joined):
        return gold, ocr
    used = set(joined)
    codes: dict[str, str] = {}
    spare = (chr(c) for c in range(0xF0000, 0x10FFFE) if chr(c) not in used)

    def encode(line: str) -> str:
        out = []
        for cluster in grapheme_clusters(line):
            if len(cluster) == 1:
                out.append(cluster)
            else:
                key = unicodedata.normalize("NFC", cluster)
                if key not in codes:
                    codes[key] = next(spare)
                out.append(codes[key])
        return "".join(out)

    return [encode(line) for line in gold], [encode(line) for line in ocr]


def _reduced(weights: tuple[int, int, int, int]) -> tuple[int, ...]:
    divisor = math.gcd(*weights)
    return tuple(w // divisor for w in weights)


class _Windows:
    """Best windows of pairs of parts, cached by text: (distance, doubled offset, position) or a bound."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, str], tuple[int, int, int]] = {}
        self._above: dict[tuple[str, str], int] = {}  # best distance is known to exceed this cutoff

    def best(self, short: str, long: str, cutoff: int) -> tuple[int, int, int] | None:
        """The best window of `short` in `long` if its distance is <= cutoff, else None."""
        key = (short, long)
        hit = self._exact.get(key)
        if hit is not None:
            return hit if hit[0] <= cutoff else None
        if self._above.get(key, -1) >= cutoff:
            return None
        size, spread = len(short), len(long) - len(short)
        if spread == 0:
            d = Levenshtein.distance(short, long)
            self._exact[key] = (d, 0, 0)
            return (d, 0, 0) if d <= cutoff else None
        # An exact occurrence is the best possible window; str.find is much faster than a scan.
        found = long.find(short)
        if found >= 0:
            positions = [found]
            while (nxt := long.find(short, positions[-1] + 1)) >= 0:
                positions.append(nxt)
            off2, p = min(((0 if spread <= 1 else spread - abs(2 * q - spread)), q) for q in positions)
            self._exact[key] = (0, off2, p)
            return self._exact[key]
        best: tuple[int, int, int] | None = None
        limit = cutoff
        p = 0
        while p <= spread:
            # exact distance (never above `size`), so that a large one allows a long jump
            d = Levenshtein.distance(short, long[p : p + size])
            if d <= limit:
                off2 = 0 if spread <= 1 else spread - abs(2 * p - spread)
                candidate = (d, off2, p)
                if best is None or candidate < best:
                    best = candidate
                    limit = d
                p += 1
            else:
                # windows within (d - limit) / 2 positions of p cannot reach the limit
                p += max(1, (d - limit + 1) // 2)
        if best is None:
            self._above[key] = max(cutoff, self._above.get(key, -1))
            return None
        # Every skipped window was proved farther than the limit in force when it was skipped, which
        # is at least the final best distance: none can tie or beat it, so the best is exact.
        self._exact[key] = best
        return best


def _run(
    gold: Sequence[str],
    ocr: Sequence[str],
    weights: tuple[int, int, int, int],
    windows: _Windows,
    *,
    give_up_at: int,
) -> _Run | None:
    """One pass of the paper's steps 2-5 with one weight set; None once the errors reach give_up_at."""
    ce, cl, co, cs = weights
    gold_heap = [(-len(g), g) for g in gold]
    heapq.heapify(gold_heap)
    # OCR parts by length; each length holds a Counter of texts.
    by_length: dict[int, Counter[str]] = {}
    for o in ocr:
        by_length.setdefault(len(o), Counter())[o] += 1
    ocr_count = len(ocr)
    leftover_units = abs(sum(map(len, gold)) - sum(map(len, ocr)))
    edits = 0
    matched = 0
    while gold_heap and ocr_count:
        # All gold parts of the greatest length compete (a tie must not depend on line order).
        lg = -gold_heap[0][0]
        longest = []
        while gold_heap and -gold_heap[0][0] == lg:
            longest.append(heapq.heappop(gold_heap)[1])
        # Visit lengths in order of the penalty their length alone allows (distance 0, offset 0).
        order = sorted(
            by_length,
            key=lambda lo, lg=lg: (2 * cl * abs(lg - lo) - 2 * cs * min(lg, lo), abs(lg - lo)),
        )
        best_key: tuple | None = None
        for g in sorted(set(longest)):
            for lo in order:
                ld = abs(lg - lo)
                bound = 2 * cl * ld - 2 * cs * min(lg, lo)
                if best_key is not None and (bound, 0, ld) > best_key[:3]:
                    break
                for o in sorted(by_length[lo]):
                    if best_key is None:
                        cutoff = min(lg, lo)  # a window is never farther than its length
                    else:
                        # distance d can only win if 2*ce*d + bound <= best penalty
                        cutoff = (best_key[0] - bound) // (2 * ce)
                        if cutoff < 0:
                            break
                    short, long = (o, g) if lo <= lg else (g, o)
                    window = windows.best(short, long, cutoff)
                    if window is None:
                        continue
                    d, off2, p = window
                    key = (2 * ce * d + bound + co * off2, d, ld, o, p, g)
                    if best_key is None or key < best_key:
                        best_key = key
        assert best_key is not None
        _, d, _, o, p, g = best_key
        longest.remove(g)
        for other in longest:
            heapq.heappush(gold_heap, (-lg, other))
        lo = len(o)
        bucket = by_length[lo]
        bucket[o] -= 1
        if not bucket[o]:
            del bucket[o]
            if not bucket:
                del by_length[lo]
        ocr_count -= 1
        if lg > lo:
            for rest in (g[:p], g[p + lo :]):
                if rest:
                    heapq.heappush(gold_heap, (-len(rest), rest))
        elif lo > lg:
            for rest in (o[:p], o[p + lg :]):
                if rest:
                    by_length.setdefault(len(rest), Counter())[rest] += 1
                    ocr_count += 1
        edits += d
        matched += 1
        if edits + leftover_units >= give_up_at:
            return None
    return _Run(edits + leftover_units, matched, len(gold_heap), ocr_count)


def flexible_character_accuracy(
    gold: str,
    ocr: str,
    *,
    weights: Iterable[tuple[int, int, int, int]] | None = None,
) -> FlexibleAccuracy:
    """Flexible character accuracy of `ocr` against `gold` (see the module docstring), in grapheme clusters.

    `weights` are the (edit, length difference, offset, substring length) weight sets to try; the
    default is the paper's grid with its default set first. The accuracy is a fraction in [0, 1]:
    1.0 for identical texts and for two empty texts, 0.0 for an empty gold against any OCR text.
    """
    gold_lines, ocr_lines = _encode(text_lines(gold), text_lines(ocr))
    gold_length = sum(map(len, gold_lines))
    ocr_length = sum(map(len, ocr_lines))
    candidates = [PAPER_DEFAULT, *PAPER_GRID] if weights is None else list(weights)
    if not candidates:
        raise ValueError("flexible_character_accuracy: weights is empty; give at least one weight set")
    for w in candidates:
        if len(w) != 4 or w[0] <= 0 or min(w) < 0:
            raise ValueError(f"flexible_character_accuracy: weight set {w!r} must be 4 integers, the first > 0")
    windows = _Windows()
    best: tuple[_Run, tuple[int, int, int, int]] | None = None
    seen: set[tuple[int, ...]] = set()
    for w in candidates:
        w = tuple(int(x) for x in w)
        if _reduced(w) in seen:
            continue
        seen.add(_reduced(w))
        give_up = best[0].errors if best else gold_length + ocr_length + 1
        run = _run(gold_lines, ocr_lines, w, windows, give_up_at=give_up)
        if run is not None and (best is None or run.errors < best[0].errors):
            best = (run, w)
        if best[0].errors == abs(gold_length - ocr_length):
            break  # no weight set can do better than the length difference
    assert best is not None
    run, w = best
    if gold_length == 0:
        accuracy = 1.0 if ocr_length == 0 else 0.0
    else:
        accuracy = max(0.0, (gold_length - run.errors) / gold_length)
    return FlexibleAccuracy(
        accuracy=accuracy,
        errors=run.errors,
        gold_length=gold_length,
        ocr_length=ocr_length,
        matched_parts=run.matched,
        unmatched_gold_parts=run.gold_left,
        unmatched_ocr_parts=run.ocr_left,
        weights=w,
    )
