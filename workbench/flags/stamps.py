"""Marking text read into a page: classification lines, downgrading codes, stamps, page numbers.

The built-in vocabulary (`workbench/data/stamp_vocabulary.txt`) lists the words of US classification
markings and declassification stamps. A token matches it by fuzzy comparison after folding the glyphs
OCR confuses (0/O, 1/l/I, 5/S), so `C0NFIDENTlAL` still counts as CONFIDENTIAL. Strong words (CONFIDENTIAL,
GDS, NARA, E.O. 12958) mark a line alone; weak ones (By, Date, SEC, as amended) only next to strong ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rapidfuzz import fuzz, process

from workbench.errors import InputError
from workbench.flags.config import ENGLISH
from workbench.fsutil import read_utf8

STRONG = 1.0
WEAK = 0.5
NONE = 0.0

# Glyphs OCR swaps in capitals; folded on both sides before comparing letters.
_CAPS_FOLD = str.maketrans({"0": "O", "1": "I", "l": "I", "|": "I", "!": "I", "5": "S", "$": "S", "8": "B"})
_EDGE_PUNCT = re.compile(r"^[\W_]+|[\W_]+$")
# "-2-", "- 3 -", "~4~", "(5)", "Page 2": a page number standing alone on its line.
PAGE_NUMBER = re.compile(r"^(?:page\s*)?[-–—~_=.(\[{]*\s*[0-9IlO|]{1,3}\s*[-–—~_=.)\]}]*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class StampVocabulary:
    """The words and token patterns of markings, split into strong and weak evidence."""

    strong: frozenset[str]
    weak: frozenset[str]
    strong_patterns: tuple[re.Pattern, ...] = ()
    weak_patterns: tuple[re.Pattern, ...] = ()

    def with_words(self, words: Iterable[str]) -> StampVocabulary:
        """A copy that also counts `words` (e.g. a document's own marking text) as strong evidence."""
        extra = {fold_caps(w) for w in words if len(fold_caps(w)) >= 3}
        return StampVocabulary(self.strong | extra, self.weak, self.strong_patterns, self.weak_patterns)


def fold_caps(token: str) -> str:
    """`token` without edge punctuation, with OCR look-alikes folded to capitals (C0NFIDENTlAL -> CONFIDENTIAL)."""
    return _EDGE_PUNCT.sub("", token).translate(_CAPS_FOLD).upper()


def parse_vocabulary(text: str, *, source: str = "stamp vocabulary") -> StampVocabulary:
    """Parse the vocabulary format: words (leading "~" = weak), "re:" patterns, "#" comments."""
    strong: set[str] = set()
    weak: set[str] = set()
    strong_patterns: list[re.Pattern] = []
    weak_patterns: list[re.Pattern] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        is_weak = line.startswith("~re:")
        if line.startswith(("re:", "~re:")):
            try:
                pattern = re.compile(line.split(":", 1)[1], re.IGNORECASE)
            except re.error as error:
                raise InputError(f"{source}: line {number}: bad pattern ({error})") from None
            (weak_patterns if is_weak else strong_patterns).append(pattern)
            continue
        for word in line.split():
            target = weak if word.startswith("~") else strong
            folded = fold_caps(word.lstrip("~"))
            if folded:
                target.add(folded)
    return StampVocabulary(frozenset(strong), frozenset(weak - strong), tuple(strong_patterns), tuple(weak_patterns))


def load_vocabulary(path: Path) -> StampVocabulary:
    """Read a stamp vocabulary file; InputError naming the file when it is missing or malformed."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: stamp vocabulary not found")
    return parse_vocabulary(read_utf8(path, what="stamp vocabulary"), source=str(path))


@lru_cache(maxsize=1)
def default_vocabulary() -> StampVocabulary:
    """The built-in vocabulary of US classification and declassification markings."""
    return vocabulary_for("stamp_vocabulary.txt")


@lru_cache(maxsize=8)
def vocabulary_for(name: str) -> StampVocabulary:
    """The built-in vocabulary in workbench/data/`name` (a language's stamp words); "" gives no words."""
    if not name:
        return StampVocabulary(frozenset(), frozenset())
    text = resources.files("workbench").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return parse_vocabulary(text, source=f"workbench/data/{name}")


def _mostly_capitals(token: str) -> bool:
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return True
    return sum(c.isupper() for c in letters) >= 0.7 * len(letters)


def _cutoff(length: int) -> float | None:
    """Least fuzz.ratio for a fuzzy match at this length; None means only an exact match counts."""
    if length <= 4:
        return None
    return 80.0 if length <= 7 else 75.0


def _fuzzy_member(folded: str, words: frozenset[str]) -> bool:
    if folded in words:
        return True
    cutoff = _cutoff(len(folded))
    if cutoff is None:
        return False
    candidates = [w for w in words if abs(len(w) - len(folded)) <= 3 and len(w) > 4]
    return process.extractOne(folded, candidates, scorer=fuzz.ratio, score_cutoff=cutoff) is not None


def token_strength(token: str, vocabulary: StampVocabulary | None = None) -> float:
    """How strongly one token says "marking": STRONG (1.0), WEAK (0.5) or NONE (0.0).

    Letters must be mostly capitals to match a strong word (stamps are typed or stamped in capitals, so
    "secret" in running text is not a marking); patterns (E.O. numbers, dates) match the raw token.
    """
    return _token_strength(token, vocabulary or default_vocabulary())


# Memoised: each line is weighed twice a page (for the body frame, then for stamp noise), a document and a
# collection repeat their tokens, and the fuzzy match over the strong words is the costly part.
@lru_cache(maxsize=1 << 16)
def _token_strength(token: str, vocabulary: StampVocabulary) -> float:
    if any(p.fullmatch(token) for p in vocabulary.strong_patterns):
        return STRONG
    bare = _EDGE_PUNCT.sub("", token)
    # Folding look-alikes suits capitals (C0NFIDENTlAL); a lowercase word keeps its "l" (Guidelines).
    forms = {fold_caps(token), bare.upper()} - {""}
    if _mostly_capitals(bare) and any(_fuzzy_member(form, vocabulary.strong) for form in forms):
        return STRONG
    if any(p.fullmatch(token) for p in vocabulary.weak_patterns):
        return WEAK
    if forms & vocabulary.weak:
        return WEAK
    return NONE


def line_strength(
    tokens: Sequence[str], vocabulary: StampVocabulary | None = None, *, min_share: float = ENGLISH.min_line_share
) -> float:
    """How much a line of tokens reads as a marking, 0..1.

    1.0 for a page number alone on its line ("-2-"); otherwise the share of the line's tokens that match
    the vocabulary plus a quarter per strong token, provided at least one strong token is there and
    at least `min_share` of the tokens match (FlaggerConfig.min_line_share).
    """
    if not tokens:
        return 0.0
    if PAGE_NUMBER.fullmatch(" ".join(tokens)) and re.search(r"[-–—~_=(]", " ".join(tokens)):
        return 1.0
    strengths = [token_strength(t, vocabulary) for t in tokens]
    share = sum(1.0 if s > 0 else 0.0 for s in strengths) / len(strengths)
    if max(strengths) < STRONG or share < min_share:
        return 0.0  # a body line with a stamp beside it is no stamp line: its stamp words are flagged alone
    return min(1.0, share + 0.25 * strengths.count(STRONG))
