"""What words exist: a general English lexicon (wordfreq) plus the vocabulary of the document's own OCR.

wordfreq was picked by measurement over symspellpy and pyspellchecker (bench/bench_flags.py): it knows
more of the gold's words (its 321,000 English words include the place names of the briefing paper,
Misawa, Yokota, Kadena), and gives a graded frequency (Zipf scale: log10 of occurrences per billion
words, 0 for unknown, 7.7 for "the") instead of a yes/no, which ranks suggestions and calibrates
confidences. Candidate corrections come from rapidfuzz over the same word list, ranked by an OCR
confusion-aware cost (workbench.flags.suggest).

The document's vocabulary is counted from its OCR pages only (never from gold): a word the OCR read the
same way several times is probably real (a proper noun, a term of art) even when wordfreq is unsure.
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from workbench.flags.tokens import strip_punct

# A word of the candidate list: letters, maybe an inner apostrophe or hyphen ("japan's", "post-war").
_WORD = re.compile(r"^[a-z]+(?:['’-][a-z]+)*$")
CANDIDATE_MIN_ZIPF = 2.5  # rarer words are offered only as confusion variants (rn -> m ...) or from the document
KNOWN_ZIPF = 2.0  # a lowercase word at least this frequent is taken as real
KNOWN_ZIPF_CAPITALIZED = 1.5  # capitalised words (names) are rarer in the web corpus yet real
DOCUMENT_KNOWN_COUNT = 2  # read the same way this often in the document: taken as real


@lru_cache(maxsize=1)
def general_frequencies() -> Mapping[str, float]:
    """wordfreq's English words (lowercase) with their Zipf frequency."""
    from wordfreq import get_frequency_dict

    return {word: math.log10(freq) + 9 for word, freq in get_frequency_dict("en").items()}


@lru_cache(maxsize=1)
def candidate_words() -> dict[int, tuple[str, ...]]:
    """Words that may be offered as corrections, bucketed by length, most frequent first."""
    buckets: dict[int, list[str]] = {}
    for word, zipf in general_frequencies().items():
        if zipf >= CANDIDATE_MIN_ZIPF and _WORD.match(word):
            buckets.setdefault(len(word), []).append(word)
    return {length: tuple(words) for length, words in buckets.items()}


def word_key(token: str) -> str:
    """The lexicon key of a token: its word without edge punctuation, lowercased, curly apostrophe folded."""
    return strip_punct(token)[1].lower().replace("’", "'")


@dataclass(frozen=True)
class Lexicon:
    """General English frequencies plus one document's own word counts (keys are `word_key`s)."""

    general: Mapping[str, float]
    document: Counter = field(default_factory=Counter)
    cased_document: Counter = field(default_factory=Counter)  # the same counts, case kept
    bigrams: Counter = field(default_factory=Counter)  # (word, next word) pairs of the document, lowercase
    # Memo of derived answers (ranked suggestions per word): the lexicon never changes once built.
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_texts(cls, texts: Iterable[str]) -> Lexicon:
        """The general lexicon plus the vocabulary of `texts` (a document's OCR pages)."""
        counts: Counter = Counter()
        cased: Counter = Counter()
        pairs: Counter = Counter()
        for text in texts:
            words = [strip_punct(t)[1] for t in text.split()]
            keys = [w.lower().replace("’", "'") for w in words]
            counts.update(k for k in keys if k)
            cased.update(w for w in words if w)
            pairs.update((a, b) for a, b in itertools.pairwise(keys) if a and b)
        return cls(general_frequencies(), counts, cased, pairs)

    def pair_count(self, first: str, second: str) -> int:
        """How often the document's OCR reads `first` directly followed by `second` (case ignored)."""
        return self.bigrams.get((word_key(first), word_key(second)), 0)

    def cased_count(self, word: str) -> int:
        """How often the document's OCR reads `word` with exactly this case (edge punctuation ignored)."""
        return self.cased_document.get(strip_punct(word)[1], 0)

    def zipf(self, word: str) -> float:
        """The general English Zipf frequency of `word` (0 when unknown)."""
        key = word_key(word)
        return self.general.get(key, 0.0)

    def count(self, word: str) -> int:
        """How often the document's OCR reads `word` (case and edge punctuation ignored)."""
        return self.document.get(word_key(word), 0)

    def is_known(self, word: str) -> bool:
        """True when `word` is taken as real: frequent English, a capitalised name wordfreq knows, or
        read the same way several times in the document."""
        key = word_key(word)
        if not key:
            return True
        stem = strip_punct(word)[1]
        if re.fullmatch(r"\d[\d,./:-]*(['’]?s)?", stem):
            return True  # numbers, dates and decades: 55,000, 1/11/11, 1950's
        threshold = KNOWN_ZIPF_CAPITALIZED if stem[:1].isupper() else KNOWN_ZIPF
        if self.general.get(key, 0.0) >= threshold:
            return True
        if key.endswith("'s") and self.general.get(key[:-2], 0.0) >= threshold:
            return True
        if "-" in key.strip("-") and all(self.is_known(part) for part in stem.split("-") if part):
            return True  # a compound of words: self-defense, US-Japan, political-military
        return self.document.get(key, 0) >= DOCUMENT_KNOWN_COUNT

    def plausibility(self, word: str) -> float:
        """How sure we are that `word` is real, 0..1: frequency-graded, and raised by document repetition."""
        key = word_key(word)
        general = min(1.0, self.general.get(key, 0.0) / 4.0)
        repeated = min(1.0, (self.document.get(key, 0) - 1) / 3.0) if self.document.get(key, 0) > 1 else 0.0
        return max(general, repeated)
