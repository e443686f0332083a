"""What the no-gold detectors know about one page: its tokens, lines, body frame and the lexicon.

The body frame is found from the OCR alone: prose lines (several tokens, mostly real words) mark where
the typed body runs; lines above the first or below the last prose line, and tokens standing in the
margins left or right of it, are where markings live.
"""

from __future__ import annotations

import dataclasses
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from workbench.flags.config import FlaggerConfig
from workbench.flags.lexicon import Lexicon
from workbench.flags.stamps import StampVocabulary, line_strength, vocabulary_for
from workbench.flags.tokens import Token, boxes_for_span, has_alnum, page_tokens
from workbench.models import Flag, FlagCategory, FlagSource, OcrPage


@dataclass(frozen=True, slots=True)
class Line:
    """The tokens of one printed line (indices into the page's token list)."""

    number: int
    first: int
    last: int  # inclusive

    def indices(self) -> range:
        return range(self.first, self.last + 1)


@dataclass
class PageContext:
    """One page as the detectors see it. `claimed` marks tokens already covered by a flag.

    Mutable on purpose, and only within one `heuristic_flags` call: the detectors run in order and each
    claims the tokens it flags, which keeps a page's flags from overlapping.
    """

    page: OcrPage
    tokens: list[Token]
    lines: list[Line]
    lexicon: Lexicon
    vocabulary: StampVocabulary
    width: int | None = None
    height: int | None = None
    first_prose: int = 0  # index into `lines`
    last_prose: int = -1
    body_left: float | None = None
    body_right: float | None = None
    claimed: set[int] = field(default_factory=set)
    # The language's record as this page adapts it (its own typography: `page_settings`); None: the record
    settings: FlaggerConfig | None = None

    @property
    def config(self) -> FlaggerConfig:
        """Thresholds and resources of the document's language, as the page's own typography adapts them."""
        return self.settings if self.settings is not None else self.lexicon.config

    def unclaimed_prose(self) -> Iterator[tuple[Line, int]]:
        """(line, token index) of every token on the prose lines that no detector has claimed yet.

        Claims are checked as the iteration goes, so tokens a detector claims along the way are skipped.
        """
        for line in self.lines[self.first_prose : self.last_prose + 1]:
            for index in line.indices():
                if index not in self.claimed:
                    yield line, index

    def line_of(self, index: int) -> int:
        """The position in `lines` of the line holding token `index`."""
        return self._line_index[index]

    def __post_init__(self) -> None:
        self._line_index = {}
        for position, line in enumerate(self.lines):
            for i in line.indices():
                self._line_index[i] = position

    def flag(
        self,
        first: int,
        last: int,
        category: FlagCategory,
        suggestions: tuple[str, ...],
        confidence: float,
        *,
        start: int | None = None,
        end: int | None = None,
    ) -> Flag:
        """A heuristic flag over tokens first..last (inclusive), claiming them."""
        start = self.tokens[first].start if start is None else start
        end = self.tokens[last].end if end is None else end
        self.claimed.update(range(first, last + 1))
        return Flag(
            document=self.page.document,
            page=self.page.number,
            start=start,
            end=end,
            text=self.page.text[start:end],
            category=category,
            suggestions=suggestions,
            confidence=round(max(0.0, min(1.0, confidence)), 3),
            boxes=boxes_for_span(self.tokens, start, end),
            source=FlagSource.HEURISTIC,
        )


def _lines(tokens: list[Token]) -> list[Line]:
    lines: list[Line] = []
    for index, token in enumerate(tokens):
        if lines and tokens[lines[-1].last].line == token.line:
            lines[-1] = Line(lines[-1].number, lines[-1].first, index)
        else:
            lines.append(Line(token.line, index, index))
    return lines


def is_prose(tokens: list[Token], lexicon: Lexicon) -> bool:
    """True for a line of running text: enough tokens, most of them real words or numbers."""
    words = [t.text for t in tokens if has_alnum(t.text)]
    config = lexicon.config
    if len(words) < config.prose_min_tokens:
        return False
    known = sum(1 for w in words if lexicon.is_known(w) or any(c.isdigit() for c in w))
    return known >= config.prose_min_known * len(words)


# Marks a typography may set off by spaces: "mot ;", "thy name ?", a receipt's "15,03 €" and "1 / 2"
_SPACEABLE_MARKS = ";:!?/="


def _spaceable(mark: str) -> bool:
    return mark in _SPACEABLE_MARKS or unicodedata.category(mark) == "Sc"


def page_settings(tokens: list[Token], config: FlaggerConfig) -> FlaggerConfig:
    """`config` with the marks the page itself sets off by spaces added to its spaced punctuation.

    A mark read alone at least `spaced_mark_count` times, and on at least `spaced_mark_share` of its
    uses on the page, is how the page is printed ("what is thy name ?", "15,03 €"), not a speck (a
    speck read as a colon now and then stays one: typed colons stick to their words). Letters read
    alone are not learnt so: on the dev halves that lost more right flags than it saved wrong ones.
    """
    alone: Counter = Counter()
    used: Counter = Counter()
    for token in tokens:
        text = token.text
        for mark in {c for c in text if _spaceable(c)}:
            used[mark] += 1
            alone[mark] += text == mark
    marks = "".join(
        sorted(
            mark
            for mark in alone
            if mark not in config.spaced_punctuation
            and alone[mark] >= config.spaced_mark_count
            and alone[mark] >= config.spaced_mark_share * used[mark]
        )
    )
    if not marks:
        return config
    return dataclasses.replace(config, spaced_punctuation=config.spaced_punctuation + marks)


def page_context(
    page: OcrPage,
    lexicon: Lexicon,
    *,
    vocabulary: StampVocabulary | None = None,
    size: tuple[int, int] | None = None,
) -> PageContext:
    """Tokens, lines and body frame of one OCR page; `size` is the scan's (width, height) in pixels."""
    tokens = page_tokens(page)
    lines = _lines(tokens)
    context = PageContext(
        page=page,
        tokens=tokens,
        lines=lines,
        lexicon=lexicon,
        vocabulary=vocabulary or vocabulary_for(lexicon.config.stamp_vocabulary),
        width=size[0] if size else None,
        height=size[1] if size else None,
    )
    adapted = page_settings(tokens, lexicon.config)
    context.settings = adapted if adapted is not lexicon.config else None
    prose = [
        k
        for k, line in enumerate(lines)
        if is_prose([tokens[i] for i in line.indices()], lexicon)
        and line_strength(
            [tokens[i].text for i in line.indices()], context.vocabulary, min_share=context.config.min_line_share
        )
        < 0.5
    ]
    if prose:
        context.first_prose, context.last_prose = prose[0], prose[-1]
        lefts = [tokens[lines[k].first].box.left for k in prose if tokens[lines[k].first].box]
        rights = [tokens[lines[k].last].box.right for k in prose if tokens[lines[k].last].box]
        if lefts and rights:
            # Indented first lines push line starts right; the lower quartile is the margin itself.
            context.body_left = statistics.median_low(sorted(lefts)[: max(1, len(lefts) // 2)])
            # The typist's right margin: the longest lines, short of a speck read at the page edge.
            context.body_right = sorted(rights)[int(0.9 * (len(rights) - 1))]
    else:
        context.first_prose, context.last_prose = 0, len(lines) - 1
    return context
