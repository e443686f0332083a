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

Comparison options (`ComparisonOptions`, frozen, keyword fields; `DEFAULT` is the figures above):
    fold_whitespace (on), case_insensitive, remove_accents, ignore_punctuation, fold_equivalents
    (dinglehopper's ligature, quote and dash table), no_gold_char (a gold character marking text
    without gold, "#" in the ICDAR post-OCR sets) and private_use_letters (MUFI characters are letters
    inside words, as in dinglehopper). `DINGLEHOPPER` gives dinglehopper's own figures on plain
    strings. Every unit function takes `options=` and records them in its `Units`; `as_dict()`,
    `label()` and `version` are what outputs record.

Each `Units` records where every unit stands in the ORIGINAL (unfolded, un-normalized) text, so an
alignment computed on folded NFC text can point back into `transcripts/ocr/DOC/page-NNN.txt` by offset.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields
from functools import cache, partial, reduce
from itertools import accumulate

import numpy as np
import regex
from uniseg.graphemecluster import grapheme_clusters as uniseg_clusters

from workbench.equivalences import EQUIVALENCE_PATTERN, EQUIVALENCES

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
_ANY_CHAR = re.compile(".", flags=re.DOTALL)
_NON_ASCII = re.compile("[^\x00-\x7f]")
# A grapheme cluster holding a non-ASCII character (only those can change under NFC).
_NFC_CANDIDATE = regex.compile(r"(?=.?[^\x00-\x7f])\X", flags=regex.DOTALL)
_END_WHITESPACE = re.compile(r"\A\s+|\s+\Z")
# What folding changes: runs of two or more, and single whitespace characters other than a space.
_FOLDABLE_WHITESPACE = re.compile(r"\s{2,}|[^\S ]")


def nfc(text: str) -> str:
    """`text` in Unicode Normalization Form C."""
    return unicodedata.normalize("NFC", text)


_NFC = partial(unicodedata.normalize, "NFC")  # nfc without a Python frame, for `map`


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

# The version of the options' meanings: cited in `ComparisonOptions.version`. Bump it when what an
# option does changes (a new equivalence, another case mapping), so figures under old names are not
# taken for figures under new ones.
OPTIONS_SCHEME = "1"

# BMP private-use area, where MUFI puts the letters Unicode lacks (dinglehopper counts them as letters).
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")



@dataclass(frozen=True, slots=True, kw_only=True)
class ComparisonOptions:
    """How gold and OCR are made comparable before the metrics count; the defaults are the figures of
    `METRICS_VERSION` (whitespace folded, NFC, grapheme clusters, dinglehopper's words).

    fold_whitespace     every whitespace run is one space, the ends stripped. Off: whitespace counts
                        as dinglehopper counts it on plain strings (two spaces are two characters, a
                        line break one).
    case_insensitive    upper and lower case are the same (`str.lower` of the whole text; unlike
                        `str.casefold` it keeps "ß", "ſ" and ligatures, which are `fold_equivalents`'
                        business).
    remove_accents      combining marks (Unicode Mn) are dropped after canonical decomposition:
                        "é" is "e"; letters without a decomposition ("ø", "ß", "æ") stay.
    ignore_punctuation  punctuation characters (Unicode P*) are removed (so "don't" is "dont" and
                        "well-known" one word "wellknown"); symbols stay.
    fold_equivalents    dinglehopper's normalisation (`EQUIVALENCES`): ligatures, quotes and dashes.
    no_gold_char        a character marking gold text that is missing (the ICDAR post-OCR sets use
                        "#"): gold units holding it, and the OCR units aligned with them or inserted
                        next to them, are not counted (CER, WER, bag of words). Must be one character
                        that is never part of a word (punctuation or a symbol); the other options
                        leave it alone.
    private_use_letters characters of the private-use area U+E000..U+F8FF (MUFI) are letters inside
                        words ("deelben" one word), as dinglehopper's word segmentation has them.
                        Off by default: the default words are `METRICS_VERSION`'s, and ordinary text
                        holds no private-use characters, so only MUFI transcriptions see a change.

    The character transforms run on the NFC text in this order: equivalents, case, accents,
    punctuation, whitespace folding; every unit still points back into the original text.
    """

    fold_whitespace: bool = True
    case_insensitive: bool = False
    remove_accents: bool = False
    ignore_punctuation: bool = False
    fold_equivalents: bool = False
    no_gold_char: str | None = None
    private_use_letters: bool = False

    def __post_init__(self) -> None:
        char = self.no_gold_char
        if char is None:
            return
        # it must survive every other option and never join a word, or its spans could not be found
        if len(char) != 1 or char.isspace() or _is_word(char) or _PRIVATE_USE.match(char):
            raise ValueError(
                f"ComparisonOptions.no_gold_char: {char!r} must be one character that is never part of"
                " a word (punctuation or a symbol, e.g. '#')"
            )
        if char.lower() != char or _without_marks(char) != char or any(char in key for key in EQUIVALENCES):
            raise ValueError(f"ComparisonOptions.no_gold_char: {char!r} is changed by the other options")

    @property
    def transforms_characters(self) -> bool:
        """True when an option changes characters (not only whitespace), so texts need a full offset map."""
        return self.case_insensitive or self.remove_accents or self.ignore_punctuation or self.fold_equivalents

    def as_dict(self) -> dict[str, bool | str | None]:
        """The options as plain JSON-ready data, one entry per field."""
        return asdict(self)

    def label(self) -> str:
        """A short human label for reports: "whitespace folded; case-insensitive"."""
        parts = ["whitespace folded" if self.fold_whitespace else "whitespace counted"]
        if self.case_insensitive:
            parts.append("case-insensitive")
        if self.remove_accents:
            parts.append("accents removed")
        if self.ignore_punctuation:
            parts.append("punctuation ignored")
        if self.fold_equivalents:
            parts.append("ligatures, quotes and dashes folded")
        if self.no_gold_char is not None:
            parts.append(f"{self.no_gold_char!r} marks text without gold")
        if self.private_use_letters:
            parts.append("private-use characters are letters")
        return "; ".join(parts)

    @property
    def version(self) -> str:
        """A stable name of these options for reports to cite: "1:fold_whitespace" for the defaults.

        The scheme (`OPTIONS_SCHEME`), then the options that are on, in field order; the no-gold
        character as its code point ("no_gold_char=U+0023").
        """
        on = []
        for field in fields(self):
            value = getattr(self, field.name)
            if field.name == "no_gold_char":
                if value is not None:
                    on.append(f"no_gold_char=U+{ord(value):04X}")
            elif value:
                on.append(field.name)
        return f"{OPTIONS_SCHEME}:" + ";".join(on)


DEFAULT = ComparisonOptions()
# dinglehopper's own figures on plain strings: whitespace as it is, MUFI letters inside words.
DINGLEHOPPER = ComparisonOptions(fold_whitespace=False, private_use_letters=True)


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
    def of(cls, original: str, *, fold: bool = True) -> FoldedText:
        """Fold `original`'s whitespace, remembering where each folded character came from.

        With `fold=False` the text is kept as it is (the identity map).
        """
        if not fold:
            return cls(original, original, (0,), (0,))
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
        # `str.split` cuts at the runs `_WHITESPACE_RUN` matches (both are `str.isspace`), four times faster
        return cls(original, " ".join(core.split()), tuple(breaks), tuple(shifts))

    def to_original(self, offset: int) -> int:
        """The offset in the original text of folded offset `offset` (0 <= offset <= len(text)).

        A folded space maps to the start of its whitespace run; the end of the folded text maps to the
        end of the original's last non-whitespace character.
        """
        k = bisect.bisect_right(self.breaks, offset) - 1
        return offset + self.shifts[k]

    def to_original_many(self, offsets: np.ndarray) -> np.ndarray:
        """`to_original` of every offset of the integer array `offsets`, at once."""
        k = np.searchsorted(np.asarray(self.breaks), offsets, side="right") - 1
        return offsets + np.asarray(self.shifts)[k]

    def start_of(self, offset: int) -> int:
        """The original offset where the folded text from `offset` on begins (see `to_original`)."""
        return self.to_original(offset)

    def end_of(self, offset: int) -> int:
        """The original offset where the folded text up to `offset` (exclusive) ends (see `to_original`)."""
        return self.to_original(offset)


@dataclass(frozen=True, slots=True, eq=False)
class MappedText:
    """A text changed piece by piece by the comparison options, with the original span of each character.

    `text[i]` stands for `original[starts[i]:ends[i]]`: a character of a replacement ("fi" for the
    ligature "ﬁ", "ä" for "a" + combining e) stands for the whole span replaced. It offers the same
    offset map as FoldedText (`start_of`, `end_of`), so Units point into the original either way.
    """

    original: str
    text: str
    starts: np.ndarray
    ends: np.ndarray

    @classmethod
    def of(cls, original: str) -> MappedText:
        """`original` unchanged: character i stands for original[i:i+1]."""
        offsets = np.arange(len(original), dtype=np.int64)
        return cls(original, original, offsets, offsets + 1)

    def sub(self, pattern: re.Pattern | regex.Pattern, replace: Transform) -> MappedText:
        """The text with every match of `pattern` replaced by `replace(match)`, the offset map kept."""
        texts: list[str] = []
        starts: list[np.ndarray] = []
        ends: list[np.ndarray] = []
        last = 0
        for match in pattern.finditer(self.text):
            old = match.group()
            new = replace(old)
            if new == old:
                continue
            first, stop = match.span()
            texts.append(self.text[last:first])
            starts.append(self.starts[last:first])
            ends.append(self.ends[last:first])
            texts.append(new)
            if len(new) == stop - first:
                # one character for one: each keeps its own origin, so alignments stay fine-grained
                starts.append(self.starts[first:stop])
                ends.append(self.ends[first:stop])
            else:
                starts.append(np.full(len(new), self.starts[first], dtype=np.int64))
                ends.append(np.full(len(new), self.ends[stop - 1], dtype=np.int64))
            last = stop
        if not texts:
            return self
        texts.append(self.text[last:])
        starts.append(self.starts[last:])
        ends.append(self.ends[last:])
        return MappedText(self.original, "".join(texts), np.concatenate(starts), np.concatenate(ends))

    def lowered(self) -> MappedText:
        """The text in lower case (`str.lower`), the offset map kept."""
        lowered = self.text.lower()
        if len(lowered) == len(self.text):
            # lower() never shortens a character, so equal lengths mean one character for one
            return MappedText(self.original, lowered, self.starts, self.ends)
        return self.sub(_ANY_CHAR, str.lower)

    def start_of(self, offset: int) -> int:
        """The original offset where the text from `offset` on begins (the end of the text for len(text))."""
        if offset < len(self.text):
            return int(self.starts[offset])
        return int(self.ends[-1]) if self.text else 0

    def end_of(self, offset: int) -> int:
        """The original offset where the text up to `offset` (exclusive) ends."""
        if offset > 0:
            return int(self.ends[offset - 1])
        return int(self.starts[0]) if self.text else 0


def _nothing(_: str) -> str:
    return ""


def _one_space(_: str) -> str:
    return " "


def _without_marks(char: str) -> str:
    return nfc("".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn"))


@cache
def _punctuation(keep: str | None) -> regex.Pattern:
    # the no-gold character is punctuation too ("#"), but it must survive to mark its span
    return regex.compile(r"\p{P}" if keep is None else rf"(?!{regex.escape(keep)})\p{{P}}")


def comparison_text(text: str, *, options: ComparisonOptions = DEFAULT) -> FoldedText | MappedText:
    """The text the metrics cut into units under `options`, with the map back to offsets in `text`.

    Options that only fold whitespace give a FoldedText (cheap); character options a MappedText.
    """
    if not options.transforms_characters:
        return FoldedText.of(text, fold=options.fold_whitespace)
    mapped = MappedText.of(text)
    if not unicodedata.is_normalized("NFC", text):
        # the equivalence table and the accent rule are written for composed text, as dinglehopper's is
        mapped = mapped.sub(_NFC_CANDIDATE, nfc)
    if options.fold_equivalents:
        mapped = mapped.sub(EQUIVALENCE_PATTERN, EQUIVALENCES.__getitem__)
    if options.case_insensitive:
        mapped = mapped.lowered()
    if options.remove_accents and not mapped.text.isascii():
        mapped = mapped.sub(_NON_ASCII, _without_marks)
    if options.ignore_punctuation:
        mapped = mapped.sub(_punctuation(options.no_gold_char), _nothing)
    if options.fold_whitespace:
        # folded last, so that the spaces around removed punctuation fold too
        mapped = mapped.sub(_END_WHITESPACE, _nothing).sub(_FOLDABLE_WHITESPACE, _one_space)
    return mapped


def _is_word(piece: str) -> bool:
    if piece.isalnum():
        # letters and digits only (most words): Unicode's alphanumerics are categories L and N
        return True
    if piece.isascii():
        # ASCII letters and digits are the only ASCII characters outside the dropped categories.
        return any(c.isalnum() for c in piece)
    return any(
        unicodedata.category(c)[0] not in _NON_WORD_MAJOR and unicodedata.category(c) not in _NON_WORD_MINOR
        for c in piece
    )


class _WordCharTable(dict):
    """A `str.translate` table, filled as characters are met: "1" for a character that makes a piece of
    text a word (`_is_word`), "0" for the others (whitespace, punctuation, symbols, marks, Cc, Cf)."""

    def __missing__(self, code: int) -> str:
        value = "1" if _is_word(chr(code)) else "0"
        self[code] = value
        return value


_WORD_CHARS = _WordCharTable()

# ASCII characters standing in for non-ASCII ones of the same UAX #29 word-break class and the same word
# character status (`_is_word`), so that text made only of such characters is cut into words by the ASCII
# expression (`_ASCII_WORD`): "é" is a letter like "a", "’" and "‘" join letters and digits like ".", "·"
# joins letters like ":", "—", "€" or "®" break words like "#". Characters of other classes (marks, ZWJ,
# Hebrew letters, ideographs, ...) have none, and the text takes the general route.
_WORD_STAND_INS = (
    (regex.compile(r"\p{WB=ALetter}"), True, "a"),
    (regex.compile(r"\p{WB=Numeric}"), True, "0"),
    (regex.compile(r"\p{WB=MidNumLet}"), False, "."),
    (regex.compile(r"\p{WB=MidLetter}"), False, ":"),
    (regex.compile(r"\p{WB=MidNum}"), False, ","),
    (regex.compile(r"\p{WB=Other}"), False, "#"),
)


class _WordStandInTable(dict):
    """The ASCII stand-in of each non-ASCII character met (see _WORD_STAND_INS), or the character itself
    when it has none; filled as characters are met."""

    def __missing__(self, char: str) -> str:
        word = _is_word(char)
        value = next((ascii for pattern, is_word, ascii in _WORD_STAND_INS if is_word == word and pattern.match(char)),
                     char)
        self[char] = value
        return value


_WORD_STAND_IN = _WordStandInTable()
# Characters that are a grapheme cluster on their own whatever stands next to them (UAX #29: no rule joins
# them with a neighbour; CR, which joins a following LF, is not among them): any other character (a mark,
# ZWJ, a prepend, a regional indicator, Hangul jamo) sends a text through `grapheme_clusters`.
_LONE_CLUSTER = regex.compile(r"[\p{GCB=Other}\p{GCB=Control}\p{GCB=LF}]")


class _LoneClusterTable(dict):
    """True for a character that is always a grapheme cluster of its own (`_LONE_CLUSTER`); filled as met."""

    def __missing__(self, char: str) -> bool:
        value = char != "\r" and _LONE_CLUSTER.match(char) is not None
        self[char] = value
        return value


_LONE = _LoneClusterTable()


def _ascii_stand_ins(text: str) -> str | None:
    """`text` with each non-ASCII character replaced by its ASCII stand-in (same offsets), or None when one
    has none."""
    shadow = _NON_ASCII.sub(lambda match: _WORD_STAND_IN[match.group()], text)
    return shadow if shadow.isascii() else None


def _ascii_word_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every word of the ASCII `text` (UAX #29 words restricted to ASCII)."""
    if "_" in text:
        return [m.span() for m in _ASCII_WORD.finditer(text) if m.group().strip("_")]
    return [m.span() for m in _ASCII_WORD.finditer(text)]


def _word_pieces(body: str, shadow: str) -> list[tuple[int, int]]:
    """The (start, end) of every word of `body`: the pieces between the word boundaries of `shadow` (the
    same text, or with private-use letters stood in for) that hold a word character (`_is_word`).

    A piece is a word when the count of word characters before its end exceeds the count before its
    start; both counts come from one pass over the text, so no piece is looked at in Python.
    """
    lengths = np.fromiter(map(len, _WORD_BOUNDARY.split(shadow)), dtype=np.int64)
    cuts = np.concatenate(([0], np.cumsum(lengths)))
    is_word = np.frombuffer(body.translate(_WORD_CHARS).encode("ascii"), dtype=np.uint8) == ord("1")
    before = np.concatenate(([0], np.cumsum(is_word)))
    starts, ends = cuts[:-1], cuts[1:]
    keep = (starts < ends) & (before[ends] > before[starts])
    return list(zip(starts[keep].tolist(), ends[keep].tolist(), strict=True))


@dataclass(frozen=True, slots=True)
class Units:
    """A text cut into the units a metric counts, each with its span in the original text.

    `keys[i]` is unit i as compared (NFC). `starts[i]`/`ends[i]` are offsets into the compared text
    (`folded.text`: folded, and changed by the options); when they are None, unit i is character i
    of it (the common case of text with no combining sequences, which keeps long texts cheap). Use
    `start`, `end` and `boundary` for offsets into the original text. `no_gold` holds the indices of
    units made of `options.no_gold_char` (runs of it, for words and tokens).
    """

    folded: FoldedText | MappedText
    keys: Sequence[str]
    starts: Sequence[int] | None = None
    ends: Sequence[int] | None = None
    kind: str = "char"  # "char" (grapheme clusters), "word" (as the WER counts) or "token" (whitespace)
    no_gold: frozenset[int] = frozenset()
    options: ComparisonOptions = DEFAULT

    def __len__(self) -> int:
        return len(self.keys)

    def start(self, index: int) -> int:
        """Offset in the original text where unit `index` begins."""
        return self.folded.start_of(index if self.starts is None else self.starts[index])

    def end(self, index: int) -> int:
        """Offset in the original text where unit `index` ends (exclusive)."""
        return self.folded.end_of(index + 1 if self.ends is None else self.ends[index])

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

    def spans(self, firsts: Sequence[int], lasts: Sequence[int]) -> list[tuple[int, int]]:
        """`span(first, last)` of every pair of `firsts` and `lasts`, in order.

        Character units of whitespace-folded text (the common case) are mapped all at once: there a
        unit's start, its end and the gap before it all come from the one offset map.
        """
        if self.starts is None and isinstance(self.folded, FoldedText) and len(self.keys):
            # span(f, l) is (to_original(f), to_original(l)) for f < l and f == l alike here
            starts = self.folded.to_original_many(np.asarray(firsts, dtype=np.int64)).tolist()
            ends = self.folded.to_original_many(np.asarray(lasts, dtype=np.int64)).tolist()
            return list(zip(starts, ends, strict=True))
        return [self.span(first, last) for first, last in zip(firsts, lasts, strict=True)]

    def without(self, drop: frozenset[int]) -> Units:
        """These units with those at the indices in `drop` left out (spans kept)."""
        keep = [i for i in range(len(self.keys)) if i not in drop]
        return Units(
            self.folded,
            tuple(self.keys[i] for i in keep),
            tuple(i if self.starts is None else self.starts[i] for i in keep),
            tuple(i + 1 if self.ends is None else self.ends[i] for i in keep),
            kind=self.kind,
            options=self.options,
        )


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

    out: list[str] = []
    for cluster in clusters:
        if _LINKER.search(cluster):
            out.extend(uniseg_clusters(cluster))
        else:
            out.append(cluster)
    return out


def _no_gold_chars(keys: Sequence[str], char: str | None) -> frozenset[int]:
    if char is None:
        return frozenset()
    if isinstance(keys, str):
        return frozenset(m.start() for m in re.finditer(re.escape(char), keys))
    return frozenset(i for i, key in enumerate(keys) if key == char)


def char_units(text: str, *, options: ComparisonOptions = DEFAULT) -> Units:
    """Grapheme clusters of `text` as compared under `options` (by default whitespace-folded), in NFC."""
    return _char_units(comparison_text(text, options=options), options)


def word_units(text: str, *, options: ComparisonOptions = DEFAULT) -> Units:
    """Words of `text` as compared under `options`, cut as dinglehopper cuts them (see module docstring).

    With `options.no_gold_char`, each run of it is a unit too (listed in `no_gold`), so that the
    metrics can leave out the OCR words aligned with text that has no gold.
    """
    return _word_units(comparison_text(text, options=options), options)


def char_and_word_units(text: str, *, options: ComparisonOptions = DEFAULT) -> tuple[Units, Units]:
    """`char_units(text)` and `word_units(text)` under `options`, the text folded once for both."""
    folded = comparison_text(text, options=options)
    return _char_units(folded, options), _word_units(folded, options)


def _char_units(folded: FoldedText | MappedText, options: ComparisonOptions) -> Units:
    body = folded.text
    keys: Sequence[str]
    if body.isascii() and "\r\n" not in body:
        # ASCII has no combining sequences, and without CR LF one char is one unit.
        return Units(folded, body, no_gold=_no_gold_chars(body, options.no_gold_char), options=options)
    if "\r" not in body and all(_LONE[char] for char in set(_NON_ASCII.findall(body))):
        # every character is a cluster of its own (what `grapheme_clusters` would find, without cutting)
        if unicodedata.is_normalized("NFC", body):
            return Units(folded, body, no_gold=_no_gold_chars(body, options.no_gold_char), options=options)
        clusters = list(body)
    else:
        clusters = grapheme_clusters(body)
        if len(clusters) == len(body) and unicodedata.is_normalized("NFC", body):
            return Units(folded, body, no_gold=_no_gold_chars(body, options.no_gold_char), options=options)
    ends = list(accumulate(len(c) for c in clusters))
    starts = [0, *ends[:-1]] if ends else []
    keys = tuple(nfc(c) for c in clusters)
    return Units(folded, keys, starts, ends, no_gold=_no_gold_chars(keys, options.no_gold_char), options=options)


def _word_units(folded: FoldedText | MappedText, options: ComparisonOptions) -> Units:
    body = folded.text
    pieces: list[tuple[int, int]]
    if body.isascii():
        # ASCII-only text: the same words, found by one regular expression ten times faster.
        pieces = _ascii_word_spans(body)
    else:
        # dinglehopper makes private-use characters (MUFI) letters for word breaking; any letter
        # stands in for them here, offsets unchanged, and the pieces are cut from the real text.
        shadow = _PRIVATE_USE.sub("a", body) if options.private_use_letters else body
        ascii_shadow = _ascii_stand_ins(shadow)
        # most text is ASCII but for a few letters and quotes: the ASCII route with stand-ins for them
        pieces = _word_pieces(body, shadow) if ascii_shadow is None else _ascii_word_spans(ascii_shadow)
    no_gold: frozenset[int] = frozenset()
    if options.no_gold_char is not None:
        # the no-gold character is never part of a word (ComparisonOptions checks), so runs and
        # words do not overlap
        runs = [m.span() for m in re.finditer(re.escape(options.no_gold_char) + "+", body)]
        if runs:
            marked = sorted([(span, False) for span in pieces] + [(span, True) for span in runs])
            pieces = [span for span, _ in marked]
            no_gold = frozenset(i for i, (_, is_run) in enumerate(marked) if is_run)
    texts = [body[start:end] for start, end in pieces]
    starts, ends = zip(*pieces, strict=True) if pieces else ((), ())
    return Units(
        folded,
        # ASCII is its own NFC; otherwise each word is composed (in C, through `map`)
        tuple(texts) if body.isascii() else tuple(map(_NFC, texts)),
        starts,
        ends,
        kind="word",
        no_gold=no_gold,
        options=options,
    )


def token_units(text: str, *, options: ComparisonOptions = DEFAULT) -> Units:
    """Whitespace-separated tokens of `text` as compared under `options`, punctuation kept, in NFC.

    A token made only of `options.no_gold_char` is listed in `no_gold`.
    """
    folded = comparison_text(text, options=options)
    keys, starts, ends = [], [], []
    for match in re.finditer(r"\S+", folded.text):
        keys.append(nfc(match.group()))
        starts.append(match.start())
        ends.append(match.end())
    char = options.no_gold_char
    no_gold = frozenset() if char is None else frozenset(i for i, key in enumerate(keys) if not key.strip(char))
    return Units(folded, tuple(keys), tuple(starts), tuple(ends), kind="token", no_gold=no_gold, options=options)


def words(text: str, *, options: ComparisonOptions = DEFAULT) -> list[str]:
    """The words of `text` (NFC), as the WER counts them under `options` (no-gold runs left out)."""
    units = word_units(text, options=options)
    return [key for i, key in enumerate(units.keys) if i not in units.no_gold]
