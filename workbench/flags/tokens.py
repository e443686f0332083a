"""OCR text as tokens with offsets, and the helpers every detector shares.

A token is a run of non-whitespace characters of the page's OCR text, with its character offsets, its
line number in the text and, when the OCR stored word records, the engine's confidence and box. Flags
point into the OCR text by these offsets, so the tokens are taken from the text itself (not from the
word records) and the word records are attached by offset.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from workbench.models import Box, Flag, OcrPage, OcrWord
from workbench.normalize import fold_whitespace as fold_whitespace  # re-exported: the law's folding

_TOKEN = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]", re.UNICODE)
_EDGES = re.compile(r"^([\W_]*)(.*?)([\W_]*)$", re.DOTALL)
# Characters a typist's line-end hyphen comes out as when the OCR misreads it.
HYPHEN_LIKE = "-‐‑‒–—­~=¬_"
# The Unicode currency signs (category Sc) a typed sum carries before or after its figure.
CURRENCY = "$¢£¤¥\u20a0-\u20cf"
# A figure as typed: a number, date or sum with its sign, per cent or bracket ("£1.", "2.95€", "(12,000)").
NUMBER = re.compile(rf"^[(\[]?[{CURRENCY}]?\d[\d,./:-]*[{CURRENCY}]?%?[)\].,;:]?$")


@dataclass(frozen=True, slots=True)
class Token:
    """One whitespace-delimited run of the OCR text: text, offsets, line index, confidence and box."""

    text: str
    start: int
    end: int
    line: int
    conf: float | None = None
    box: Box | None = None


def tokenize(text: str, words: Sequence[OcrWord] = ()) -> list[Token]:
    """The tokens of `text` in reading order; word records that overlap a token lend it conf and box.

    `line` counts the newlines before the token, so tokens on one printed line share it. When several
    word records overlap one token the lowest confidence and the union of the boxes are kept.
    """
    by_start = sorted(words, key=lambda w: w.start)
    tokens = []
    line = 0
    last = 0
    index = 0
    for match in _TOKEN.finditer(text):
        line += text.count("\n", last, match.start())
        last = match.start()
        while index < len(by_start) and by_start[index].end <= match.start():
            index += 1
        conf: float | None = None
        box: Box | None = None
        probe = index
        while probe < len(by_start) and by_start[probe].start < match.end():
            word = by_start[probe]
            if word.conf is not None and word.conf >= 0:
                conf = word.conf if conf is None else min(conf, word.conf)
            if word.box is not None:
                box = word.box if box is None else box.union(word.box)
            probe += 1
        tokens.append(Token(match.group(), match.start(), match.end(), line, conf, box))
    return tokens


def page_tokens(page: OcrPage) -> list[Token]:
    """The tokens of an OCR page, with the engine's confidences and boxes where stored."""
    # The flagger asks twice a page (the document's lexicon, then the page's context): the same page object,
    # immutable, has the same tokens. Kept by identity (the page is held, so its id is not reused).
    found = _RECENT_TOKENS.get(id(page))
    if found is not None and found[0] is page:
        return list(found[1])
    tokens = tokenize(page.text, page.words)
    if len(_RECENT_TOKENS) >= 256:
        _RECENT_TOKENS.clear()
    _RECENT_TOKENS[id(page)] = (page, tuple(tokens))
    return tokens


_RECENT_TOKENS: dict[int, tuple[OcrPage, tuple[Token, ...]]] = {}


def core(text: str) -> str:
    """The letters and digits of `text`, lowercased: what is left once case and punctuation are ignored."""
    return "".join(_ALNUM.findall(text)).lower()


def has_alnum(text: str) -> bool:
    """True when `text` holds at least one letter or digit."""
    return _ALNUM.search(text) is not None


# Memoised: every detector splits every token again (over 10,000 calls a page of the briefing paper),
# and a document repeats its words.
@lru_cache(maxsize=1 << 17)
def strip_punct(text: str) -> tuple[str, str, str]:
    """Split `text` into (leading punctuation, the word, trailing punctuation)."""
    match = _EDGES.match(text)
    assert match is not None  # the pattern matches every string
    lead, word, trail = match.groups()
    if not word and lead:  # all punctuation: keep it as the "word" so nothing is lost
        return "", lead, trail
    return lead, word, trail


def boxes_for_span(tokens: Iterable[Token], start: int, end: int) -> tuple[Box, ...]:
    """The boxes of the tokens overlapping [start, end); for an empty span, of the token touching it."""
    if isinstance(tokens, list) and len(tokens) > 64:
        # Tokens are in text order: look only near the span (a page of thousands of tokens, many flags).
        low = bisect.bisect_left(tokens, start - 1, key=lambda t: t.end)
        high = bisect.bisect_right(tokens, end + 1, key=lambda t: t.start)
        tokens = tokens[low:high]
    boxes = []
    for token in tokens:
        touches = token.start < end and start < token.end if end > start else token.start <= start <= token.end
        if touches and token.box is not None:
            boxes.append(token.box)
    return tuple(boxes)


def apply_flags(text: str, flags: Iterable[Flag], *, choice: int = 0) -> str:
    """`text` with each flag's span replaced by its suggestion number `choice` (flags without one are kept).

    Flags must not overlap; an empty span (missing text) may touch a neighbour's end. Flags are applied
    from the end of the text backwards so the earlier offsets stay valid.
    """
    ordered = sorted((f for f in flags if len(f.suggestions) > choice), key=lambda f: (f.start, f.end))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"flags {before.key} and {after.key} overlap")
    for flag in reversed(ordered):
        text = text[: flag.start] + flag.suggestions[choice] + text[flag.end :]
    return text
