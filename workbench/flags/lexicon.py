"""What words exist: a general lexicon of the document's language (wordfreq) plus the vocabulary of its own OCR.

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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from workbench.flags.config import FlaggerConfig, config_for
from workbench.flags.tokens import page_tokens, strip_punct
from workbench.models import OcrPage

# A word of the candidate list: letters, maybe an inner apostrophe or hyphen ("japan's", "post-war").
# English candidates are ASCII (an accent on an English typescript is a speck, never a correction).
_ASCII_WORD = re.compile(r"^[a-z]+(?:['’-][a-z]+)*$")
_WORD = re.compile(r"^[^\W\d_]+(?:['’-][^\W\d_]+)*$")
# A token shaped like a word: what a language without a word list takes as known.
_WORDLIKE = re.compile(r"^[^\W\d_]+(?:['’.-][^\W\d_]+)*$")
# Numbers, dates and decades: 55,000, 1/11/11, 1950's.
_NUMBER = re.compile(r"\d[\d,./:-]*(['’]?s)?")


@lru_cache(maxsize=8)
def _compiled(rewrites: tuple[tuple[str, str], ...]) -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(pattern), replacement) for pattern, replacement in rewrites)


def _rewritten(word: str, rewrites: tuple[tuple[re.Pattern, str], ...]) -> set[str]:
    """`word` with each rewrite applied everywhere it matches, and at each single place it matches."""
    forms = set()
    for pattern, replacement in rewrites:
        matches = list(pattern.finditer(word))
        if not matches:
            continue
        forms.add(pattern.sub(replacement, word))
        if len(matches) > 1:
            forms.update(word[: m.start()] + m.expand(replacement) + word[m.end() :] for m in matches)
    return forms


@lru_cache(maxsize=8)
def general_frequencies(language: str = "en") -> Mapping[str, float]:
    """wordfreq's words (lowercase) of `language` with their Zipf frequency; {} for a language without one."""
    config = config_for(language)
    if not config.lexicon:
        return {}
    from wordfreq import get_frequency_dict  # loaded on first use (its word lists take a second)

    return {word: math.log10(freq) + 9 for word, freq in get_frequency_dict(config.language).items()}


@lru_cache(maxsize=8)
def candidate_words(language: str = "en") -> dict[int, tuple[str, ...]]:
    """Words of `language` that may be offered as corrections, bucketed by length, most frequent first."""
    config = config_for(language)
    shape = _ASCII_WORD if config.accents_are_specks else _WORD
    buckets: dict[int, list[str]] = {}
    for word, zipf in general_frequencies(language).items():
        if zipf >= config.candidate_min_zipf and shape.match(word):
            buckets.setdefault(len(word), []).append(word)
    return {length: tuple(words) for length, words in buckets.items()}


@lru_cache(maxsize=1 << 17)  # called for every token by every rule; a document repeats its words
def word_key(token: str) -> str:
    """The lexicon key of a token: its word without edge punctuation, lowercased, curly apostrophe folded."""
    return _key_of(token)


def _key_of(token: str) -> str:
    """`word_key` without the memo, for the many strings asked about once (candidate spellings)."""
    return _folded(strip_punct.__wrapped__(token)[1])


def behind_elision(key: str) -> str:
    """The word after a short elided head ("n'effaçât" -> "effaçât", "qu'aimoit" -> "aimoit"), else `key`:
    the form the language's rules judge."""
    head, apostrophe, tail = key.partition("'")
    return tail if apostrophe and len(head) <= 3 and tail else key


def _folded(word: str) -> str:
    """`word` lowercased as wordfreq keys its lists: curly apostrophe straight, and sharp s as "ss".

    wordfreq casefolds what it counts, so its German list holds "dass", "grosse", "Einfluss" and no word
    with ß: looked up as printed, every "daß" and "große" of a German text would be unknown.
    """
    return word.lower().replace("’", "'").replace("ß", "ss")


@dataclass(frozen=True)
class Lexicon:
    """General frequencies of one language plus one document's own word counts (keys are `word_key`s).

    `confidence` holds the mean engine confidence of each key over the document (only keys read with a
    confidence). With no general word list (a language wordfreq lacks) every word-shaped token counts
    as known: the lexicon rules then stay silent and the document's own vocabulary does the work.
    """

    general: Mapping[str, float]
    document: Counter = field(default_factory=Counter)
    cased_document: Counter = field(default_factory=Counter)  # the same counts, case kept
    bigrams: Counter = field(default_factory=Counter)  # (word, next word) pairs of the document, lowercase
    language: str = "en"
    confidence: Mapping[str, float] = field(default_factory=dict)
    # Memo of derived answers (ranked suggestions per word): the lexicon never changes once built.
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def config(self) -> FlaggerConfig:
        """The flagger's thresholds and resources of this lexicon's language."""
        found = self.cache.get("config")
        if found is None:  # asked for by every rule on every token: looked up once per lexicon
            found = self.cache["config"] = config_for(self.language)
        return found

    @classmethod
    def for_texts(cls, texts: Iterable[str], *, language: str = "en") -> Lexicon:
        """The general lexicon of `language` plus the vocabulary of `texts` (a document's OCR pages)."""
        counts: Counter = Counter()
        cased: Counter = Counter()
        pairs: Counter = Counter()
        for text in texts:
            words = [strip_punct(t)[1] for t in text.split()]
            keys = [_folded(w) for w in words]
            counts.update(k for k in keys if k)
            cased.update(w for w in words if w)
            pairs.update((a, b) for a, b in itertools.pairwise(keys) if a and b)
        return cls(general_frequencies(language), counts, cased, pairs, config_for(language).language or language)

    @classmethod
    def for_pages(cls, pages: Sequence[OcrPage], *, language: str = "en") -> Lexicon:
        """`for_texts` of the pages' text, plus the mean engine confidence of each word they read."""
        base = cls.for_texts((page.text for page in pages), language=language)
        sums: Counter = Counter()
        seen: Counter = Counter()
        for page in pages:
            for token in page_tokens(page):
                if token.conf is not None and token.conf > 0:
                    key = word_key(token.text)
                    sums[key] += token.conf
                    seen[key] += 1
        means = {key: sums[key] / seen[key] for key in seen}
        return cls(base.general, base.document, base.cased_document, base.bigrams, base.language, means)

    @property
    def has_words(self) -> bool:
        """True when a general word list backs this lexicon (False: language-free rules only)."""
        return bool(self.general)

    def pair_count(self, first: str, second: str) -> int:
        """How often the document's OCR reads `first` directly followed by `second` (case ignored)."""
        return self.bigrams.get((word_key(first), word_key(second)), 0)

    def cased_count(self, word: str) -> int:
        """How often the document's OCR reads `word` with exactly this case (edge punctuation ignored)."""
        return self.cased_document.get(strip_punct(word)[1], 0)

    def zipf(self, word: str) -> float:
        """The general Zipf frequency of `word` in the lexicon's language (0 when unknown).

        An elision the word list keeps apart ("j'ai": "j" + "ai") is as frequent as its rarer part.
        """
        memo = self.cache.setdefault("zipf", {})  # asked of every token by several rules
        found = memo.get(word)
        if found is None:
            found = memo[word] = self._zipf(word)
        return found

    def pair_by_chance_zipf(self, first: str, second: str) -> float:
        """The Zipf frequency of `first second` as a pair if the two words were independent.

        Zipf is log10 of occurrences per billion words, so a pair's chance frequency is the product of its
        words' shares: zipf(first) + zipf(second) - 9. A word split by a space ("trans action") is far
        commoner joined than this; two words that belong apart ("a part") are not.
        """
        return self.zipf(first) + self.zipf(second) - 9.0

    def _zipf(self, word: str) -> float:
        key = word_key(word)
        found = self.general.get(key)
        if found is not None:
            return found
        if "'" in key.strip("'") and self._elided(key):
            head, _, tail = key.partition("'")
            return min(max(self.general.get(head + "'", 0.0), self.general.get(head, 0.0)), self.general.get(tail, 0.0))
        return 0.0

    def attested(self, word: str) -> bool:
        """`zipf(word) > 0 or count(word) > 1`: the general list knows the word, or the document reads it
        more than once (what a candidate correction needs), without memoising the many words asked once."""
        key = _key_of(word)
        found = self.general.get(key)
        if found is None and "'" in key.strip("'"):
            found = self.zipf(word)  # an elision the word list keeps apart
        return (found is not None and found > 0) or self.document.get(key, 0) > 1

    def count(self, word: str) -> int:
        """How often the document's OCR reads `word` (case and edge punctuation ignored)."""
        return self.document.get(word_key(word), 0)

    def settled(self, word: str) -> bool:
        """True for a word of the document's own vocabulary: read the same way often, with good confidence.

        Such a word (a term, a name, an old spelling) is not an error however rare the general list
        thinks it; a word read often but always with doubt is no evidence of itself.
        """
        config = self.config
        key = word_key(word)
        if self.document.get(key, 0) < config.settled_count:
            return False
        mean = self.confidence.get(key)
        return mean is None or mean >= config.settled_conf

    def repeated_name(self, word: str) -> bool:
        """True for a capitalised word the document writes, exactly so, at least `name_count` times."""
        stem = strip_punct(word)[1]
        return (
            len(stem) > 1
            and stem[:1].isupper()
            and stem[1:].islower()
            and stem.isalpha()
            and self.cased_document.get(stem, 0) >= self.config.name_count
        )

    def is_known(self, word: str) -> bool:
        """True when `word` is taken as real: frequent in the language, a capitalised name the word list
        knows, or read the same way several times in the document. Without a word list: any word-shaped
        token."""
        memo = self.cache.setdefault("known", {})  # asked of every token by several rules
        found = memo.get(word)
        if found is None:
            found = memo[word] = self._known(word)
        return found

    def _known(self, word: str) -> bool:
        key = word_key(word)
        if not key:
            return True
        stem = strip_punct(word)[1]
        if _NUMBER.fullmatch(stem):
            return True
        if not self.general:
            return bool(_WORDLIKE.match(stem))
        config = self.config
        threshold = config.known_zipf_capitalized if stem[:1].isupper() else config.known_zipf
        if self.general.get(key, 0.0) >= threshold:
            return True
        if len(stem) >= config.known_long_letters and key in self.general:
            return True
        if key.endswith("'s") and self.general.get(key[:-2], 0.0) >= threshold:
            return True
        if "-" in key.strip("-") and all(self.is_known(part) for part in stem.split("-") if part):
            return True  # a compound of words: self-defense, US-Japan, political-military
        if "-" in key.strip("-") and self.is_known(stem.replace("-", "")):
            # a word hyphenated where a line once ended, the line break since removed ("surpas-sèrent",
            # elided too: "l'exem-ple")
            return True
        if "¬" in key.strip("¬") and self.is_known(stem.replace("¬", "")):
            # the same with Fraktur's double hyphen, which transcriptions keep ("ge¬worden", "Verhand¬lung")
            return True
        if "'" in key.strip("'") and self._elided(key):
            return True  # an elision: l'homme, qu'il, d'Orléans
        if config.compounds and self._compound(key):
            return True  # a closed compound: Reichssicherheitshauptamt, Flüchtlingsfrage
        return self.document.get(key, 0) >= config.document_known_count

    def variant_of(self, word: str) -> str | None:
        """The common word of which `word` (unknown) is an old spelling or another inflected form, or None.

        Only the language's own rewrites and endings are tried (FlaggerConfig.old_spellings,
        .inflections): a word they do not lead to a common word of the language is no variant.
        """
        key = behind_elision(word_key(word))
        if len(key) < 2 or not key.isalpha():
            return None
        memo = self.cache.setdefault("variant", {})
        if key not in memo:
            memo[key] = self._variant(key)
        return memo[key]

    def unknown_share(self) -> float:
        """The share (0..1) of the document's lowercase words of three letters or more that the lexicon does
        not know (`is_known`): how noisy its OCR is, read without the gold."""
        return self._lowercase_share("unknown_share", lambda w: not self.is_known(w), min_letters=3)

    def old_book_read_cleanly(self) -> bool:
        """True for a document that writes old spellings often (`FlaggerConfig.old_book_variant_share` of its
        lowercase words) and whose OCR is clean (at most `old_book_max_unknown` unknown): its real words one
        slip from a commoner word ("shalt", "hast", "nor") are its own grammar and spelling."""
        config = self.config
        return self.variant_share() >= config.old_book_variant_share and (
            self.unknown_share() <= config.old_book_max_unknown
        )

    def variant_share(self) -> float:
        """The share (0..1) of the document's lowercase words that are rare variants of a common word
        (`variant_of`, Zipf below `variant_zipf`): how much the document writes old spellings at all."""
        floor = self.config.variant_zipf
        return self._lowercase_share("variant_share", lambda w: self.zipf(w) < floor and bool(self.variant_of(w)))

    def _lowercase_share(self, name: str, test: Callable[[str], bool], *, min_letters: int = 1) -> float:
        """The share of the document's lowercase words (counted as often as read, at least `min_letters`
        letters) that pass `test`, computed once per lexicon under `name`."""
        found = self.cache.get(name)
        if found is None:
            words = [
                (w, n) for w, n in self.cased_document.items() if len(w) >= min_letters and w.isalpha() and w.islower()
            ]
            total = sum(n for _, n in words)
            passing = sum(n for w, n in words if test(w))
            found = self.cache[name] = passing / total if total else 0.0
        return found

    def _variant(self, key: str) -> str | None:
        config = self.config
        floor = config.variant_zipf
        forms = {key}
        for _ in range(2):  # old spellings change a word in one or two places ("auoit": u -> v, oi -> ai)
            changed = {new for form in forms for new in _rewritten(form, _compiled(config.old_spellings))} - forms
            # fewest changes first; a lone letter ("hee" -> "h") or an abbreviation without a vowel
            # ("tbe" -> "tb", "sbee" -> "sb") is no word's modern form
            for form in sorted(changed):
                if len(form) >= 2 and self.general.get(form, 0.0) >= floor and self._voiced(form):
                    return form
            forms |= changed
        # longest first, then alphabetical: the inflections are a set, and its order must not pick the form
        endings = sorted(config.inflections, key=lambda ending: (-len(ending), ending))
        for form in sorted(forms):
            for ending in ("", *endings):
                if ending and not form.endswith(ending):
                    continue
                stem = form[: len(form) - len(ending)]
                if len(stem) < config.variant_min_stem:
                    continue
                for other in endings:
                    if other != ending and self.general.get(stem + other, 0.0) >= floor:
                        return stem + other
        return None

    def _voiced(self, form: str) -> bool:
        """True when `form` holds a vowel of the language (always, for a language without that rule)."""
        vowels = self.config.vowels
        return not vowels or any(c in vowels for c in form)

    def _elided(self, key: str) -> bool:
        head, _, tail = key.partition("'")
        if not (head.isalpha() and tail.isalpha()):
            return False  # letters either side: "bacon'5" is a misread possessive, no elision of "5"
        short_head = len(head) <= 7 and (self.general.get(head + "'", 0.0) > 0 or self.general.get(head, 0.0) >= 4)
        long_known = len(tail) >= self.config.known_long_letters and tail in self.general
        return short_head and (
            self.general.get(tail, 0.0) >= self.config.known_zipf or long_known or self.document.get(tail, 0) > 1
        )

    def _compound(self, key: str) -> bool:
        """True when `key` is two common words run together, maybe with a linking s (German compounds)."""
        if len(key) < 8 or not key.isalpha():
            return False
        floor = self.config.compound_part_zipf
        for cut in range(3, len(key) - 2):
            head, tail = key[:cut], key[cut:]
            if self.general.get(tail, 0.0) < floor:
                continue
            if self.general.get(head, 0.0) >= floor or (
                head.endswith("s") and self.general.get(head[:-1], 0.0) >= floor
            ):
                return True
        return False

    def plausibility(self, word: str) -> float:
        """How sure we are that `word` is real, 0..1: frequency-graded, and raised by document repetition."""
        key = word_key(word)
        general = min(1.0, self.general.get(key, 0.0) / 4.0)
        repeated = min(1.0, (self.document.get(key, 0) - 1) / 3.0) if self.document.get(key, 0) > 1 else 0.0
        return max(general, repeated)
