"""Text normalization for comparing OCR with gold: named, composable transforms and Unicode-correct units.

Transforms (jiwer-style, each `str -> str`, combined with `compose`):
    nfc               Unicode canonical composition (NFC), so "e" + U+0301 and "é" are the same text.
    fold_whitespace   every run of whitespace (spaces, tabs, line breaks; `str.isspace`) becomes one space,
                      and the ends are stripped. The OCR keeps its lines, the gold is reading text: after
                      folding, a line break and a space are the same thing.
    join_hyphenated_lines
                      "secu-\\nrity" -> "security": a hyphen at the end of a line joins the two halves.
                      Not applied by the metrics (the gold says what the reading text is); offered to
                      callers that compare OCR with text of another layout.

Units (what the metrics count and the alignment maps back to the original text):
    `char_units(text)`   grapheme clusters (Unicode extended grapheme clusters, the `regex` module's `\\X`
                         with uniseg's cut where they differ, see `grapheme_clusters`) of the
                         whitespace-folded text, each compared in its NFC form. This is dinglehopper's
                         "character": NFC, then grapheme clusters.
    `word_units(text)`   words of the whitespace-folded text as dinglehopper segments them: Unicode word
                         boundaries (UAX #29, the `regex` module's `(?w)\\b`, the same boundaries as
                         uniseg's), dropping pieces made only of whitespace, punctuation, symbols, marks
                         or control/format characters. "55,000", "don't" and "U.S" are one word each;
                         "well-known" is two.
    `token_units(text)`  whitespace-separated tokens, punctuation kept ("Japan," is one token).

Each `Units` records where every unit stands in the ORIGINAL (unfolded, un-normalized) text, so an
alignment computed on folded NFC text can point back into `transcripts/ocr/DOC/page-NNN.txt` by offset.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate, pairwise

import regex

Transform = Callable[[str], str]

# The stdlib `re`'s \s is exactly `str.isspace` (regex's \s omits U+001C..U+001F), so folding and
# `str.strip` agree on what whitespace is.
_WHITESPACE_RUN = re.compile(r"\s+")
_LONG_WHITESPACE_RUN = re.compile(r"\s{2,}")
_GRAPHEME = regex.compile(r"\X")
# The Indic conjunct linkers (Unicode property InCB=Linker): the viramas of six scripts.
_LINKER = regex.compile("[\u094d\u09cd\u0acd\u0b4d\u0c4d\u0d4d]")
# Default Unicode word boundaries (UAX #29). V1 lets `finditer` return the empty boundary matches.
_WORD_BOUNDARY = regex.compile(r"\b", flags=regex.WORD | regex.VERSION1)
# UAX #29 words restricted to ASCII: letters, digits and "_" (ExtendNumLet) join; ":", "." and "'" join
# two letters (WB6/7), ",", ";", "." and "'" two digits (WB11/12). A piece of "_" alone is no word.
_ASCII_WORD = re.compile(
    r"[A-Za-z0-9_]+(?:(?:(?<=[A-Za-z])[:.'](?=[A-Za-z])|(?<=[0-9])[,;.'](?=[0-9]))[A-Za-z0-9_]+)*"
)
_HYPHENATED_LINE_END = regex.compile(r"(?<=\w)-[ \t]*\n\s*(?=\w)")
# Unicode general categories that make a piece "not a word" (dinglehopper's `words`): marks,
# punctuation, separators, symbols, and the control (Cc) and format (Cf) characters.
_NON_WORD_MAJOR = frozenset("MPZS")
_NON_WORD_MINOR = frozenset({"Cc", "Cf"})


def nfc(text: str) -> str:
    """`text` in Unicode Normalization Form C."""
    return unicodedata.normalize("NFC", text)


def fold_whitespace(text: str) -> str:
    """`text` with every whitespace run (incl. line breaks) replaced by one space and the ends stripped."""
    return _WHITESPACE_RUN.sub(" ", text).strip(" ")


def join_hyphenated_lines(text: str) -> str:
    """`text` with words hyphenated across a line break joined ("secu-\\nrity" -> "security")."""
    return _HYPHENATED_LINE_END.sub("", text)


def compose(*transforms: Transform) -> Transform:
    """One transform applying `transforms` left to right: compose(fold_whitespace, nfc)(text)."""

    def composed(text: str) -> str:
        return reduce(lambda value, transform: transform(value), transforms, text)

    composed.__name__ = "+".join(t.__name__ for t in transforms) or "identity"
    return composed


TRANSFORMS: dict[str, Transform] = {
    "nfc": nfc,
    "fold_whitespace": fold_whitespace,
    "join_hyphenated_lines": join_hyphenated_lines,
}

# What every metric compares: the whitespace-folded text in NFC (dinglehopper's CER on folded text).
METRIC_TEXT: Transform = compose(fold_whitespace, nfc)


@dataclass(frozen=True, slots=True)
class FoldedText:
    """A text with its whitespace folded, and the way back to offsets in the original.

    `text` is `fold_whitespace(original)`. `breaks` and `shifts` describe the offset map: a folded
    offset f maps to f + shifts[k] for the last k with breaks[k] <= f. Only whitespace runs longer
    than one character (and the stripped start) move offsets, so the map stays small.
    """

    original: str
    text: str
    breaks: tuple[int, ...]
    shifts: tuple[int, ...]

    @classmethod
    def of(cls, original: str) -> FoldedText:
        """Fold `original`'s whitespace, remembering where each folded character came from."""
        lead = len(original) - len(original.lstrip())
        core = original[lead:].rstrip()
        breaks, shifts = [0], [lead]
        removed = 0
        for match in _LONG_WHITESPACE_RUN.finditer(core):
            start, end = match.span()
            removed += end - start - 1
            # the folded space stands at start - (removed before it); what follows it moves back
            breaks.append(start + 1 - (removed - (end - start - 1)))
            shifts.append(lead + removed)
        return cls(original, _WHITESPACE_RUN.sub(" ", core), tuple(breaks), tuple(shifts))

    def to_original(self, offset: int) -> int:
        """The offset in the original text of folded offset `offset` (0 <= offset <= len(text)).

        A folded space maps to the start of its whitespace run; the end of the folded text maps to the
        end of the original's last non-whitespace character.
        """
        k = bisect.bisect_right(self.breaks, offset) - 1
        return offset + self.shifts[k]


def _is_word(piece: str) -> bool:
    if piece.isascii():
        # ASCII letters and digits are the only ASCII characters outside the dropped categories.
        return any(c.isalnum() for c in piece)
    return any(
        unicodedata.category(c)[0] not in _NON_WORD_MAJOR and unicodedata.category(c) not in _NON_WORD_MINOR
        for c in piece
    )


@dataclass(frozen=True, slots=True)
class Units:
    """A text cut into the units a metric counts, each with its span in the original text.

    `keys[i]` is unit i as compared (NFC). `starts[i]`/`ends[i]` are offsets into the folded text
    (`folded.text`); when they are None, unit i is folded character i (the common case of text with
    no combining sequences, which keeps long texts cheap). Use `start`, `end` and `boundary` for
    offsets into the original text.
    """

    folded: FoldedText
    keys: Sequence[str]
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None
    kind: str = "char"  # "char" (grapheme clusters), "word" (as the WER counts) or "token" (whitespace)

    def __len__(self) -> int:
        return len(self.keys)

    def start(self, index: int) -> int:
        """Offset in the original text where unit `index` begins."""
        return self.folded.to_original(index if self.starts is None else self.starts[index])

    def end(self, index: int) -> int:
        """Offset in the original text where unit `index` ends (exclusive)."""
        return self.folded.to_original(index + 1 if self.ends is None else self.ends[index])

    def boundary(self, index: int) -> int:
        """Offset in the original text of the gap before unit `index`: the end of unit index-1.

        For index 0 it is the start of the first unit (0 for a text with no units); for len(self) it
        is the end of the last unit. This is where an insertion before unit `index` belongs.
        """
        if index > 0:
            return self.end(index - 1)
        return self.start(0) if len(self.keys) else 0

    def span(self, first: int, last: int) -> tuple[int, int]:
        """Original offsets covering units first..last-1, or the empty span at the gap when first == last."""
        if first == last:
            at = self.boundary(first)
            return at, at
        return self.start(first), self.end(last - 1)


def grapheme_clusters(text: str) -> list[str]:
    """The extended grapheme clusters of `text` (no normalization), as uniseg (dinglehopper) cuts them.

    The `regex` module's `\\X` gives them 140 times faster than uniseg, with one known difference: it
    joins an Indic conjunct linker (virama) with a following consonant even when no consonant precedes
    the linker, which UAX #29 rule GB9c requires. Clusters holding a linker are therefore re-cut by
    uniseg; they occur only in Indic scripts.
    """
    clusters = _GRAPHEME.findall(text)
    if not _LINKER.search(text):
        return clusters
    from uniseg.graphemecluster import grapheme_clusters as uniseg_clusters

    out: list[str] = []
    for cluster in clusters:
        if _LINKER.search(cluster):
            out.extend(uniseg_clusters(cluster))
        else:
            out.append(cluster)
    return out


def char_units(text: str) -> Units:
    """Grapheme clusters of the whitespace-folded `text`, compared in NFC form (see module docstring)."""
    folded = FoldedText.of(text)
    body = folded.text
    if body.isascii():
        # ASCII has no combining sequences and, once whitespace is folded, no CR LF: one char, one unit.
        return Units(folded, body)
    clusters = grapheme_clusters(body)
    if len(clusters) == len(body) and unicodedata.is_normalized("NFC", body):
        return Units(folded, body)
    ends = list(accumulate(len(c) for c in clusters))
    starts = [0, *ends[:-1]] if ends else []
    return Units(folded, tuple(nfc(c) for c in clusters), starts, ends)


def word_units(text: str) -> Units:
    """Words of the whitespace-folded `text` as dinglehopper counts them (see module docstring)."""
    folded = FoldedText.of(text)
    body = folded.text
    if body.isascii():
        # ASCII-only text: the same words, found by one regular expression ten times faster.
        matches = [m for m in _ASCII_WORD.finditer(body) if m.group().strip("_")]
        return Units(
            folded,
            tuple(m.group() for m in matches),
            tuple(m.start() for m in matches),
            tuple(m.end() for m in matches),
            kind="word",
        )
    cuts = [m.start() for m in _WORD_BOUNDARY.finditer(body)]
    if not cuts or cuts[0] != 0:
        cuts.insert(0, 0)
    if cuts[-1] != len(body):
        cuts.append(len(body))
    keys, starts, ends = [], [], []
    for start, end in pairwise(cuts):
        piece = body[start:end]
        if start < end and _is_word(piece):
            keys.append(nfc(piece))
            starts.append(start)
            ends.append(end)
    return Units(folded, tuple(keys), tuple(starts), tuple(ends), kind="word")


def token_units(text: str) -> Units:
    """Whitespace-separated tokens of `text`, punctuation kept, each compared in NFC form."""
    folded = FoldedText.of(text)
    keys, starts, ends = [], [], []
    position = 0
    for token in folded.text.split(" ") if folded.text else ():
        keys.append(nfc(token))
        starts.append(position)
        ends.append(position + len(token))
        position += len(token) + 1
    return Units(folded, tuple(keys), tuple(starts), tuple(ends), kind="token")


def words(text: str) -> list[str]:
    """The words of `text` (NFC), as the WER counts them."""
    return list(word_units(text).keys)
