"""The gold-diff classifier: every difference between a page's OCR and its gold becomes a flag.

The OCR text is compared with the gold FULL text (top markings, body, bottom markings in reading
order), word by word, and inside each stretch of differing words character by character, which splits
the stretch into the smallest groups of gold and OCR words that belong together. Each group is one
flag, categorised by its shape (one gold word read as two across a line end is broken hyphenation, two
read as one are merged words, ...). OCR words that stand for marking text, or that the gold lacks and
that look like marking text, are stamp noise.

The suggestions obey one law, which tests check on hand-made and real pages: replacing every flag's
span by its first suggestion turns the OCR text into the gold BODY, up to whitespace folding. Stamp
noise and stray glyphs suggest "" (delete); missing text suggests the lost words with the space that
joins them to their neighbour.

Gold conventions (`LineHyphens`): the workbench's corrected text joins the words a line end split
("secu-" + "rity"), so a gold that joins them already gives a flag wherever the OCR keeps the split.
A line-faithful gold (newspaper column lines, ALTO text lines) keeps the split as typed; told so
(`line_hyphens=LineHyphens.KEPT`, a setting of the document or corpus set, never guessed from the
text), the gold flagger still marks the split the corrected text must join: a broken_hyphenation flag
over the two words, suggesting the gold as it reads (the law above holds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.align import opcodes
from workbench.flags.stamps import NONE, StampVocabulary, default_vocabulary, fold_caps, token_strength
from workbench.flags.tokens import HYPHEN_LIKE, Token, boxes_for_span, core, has_alnum, page_tokens
from workbench.models import AlignTag, Flag, FlagCategory, FlagSource, GoldPage, LineHyphens, Marking, OcrPage

BODY = -1  # the source label of gold words from the body; markings are labelled by their index


@dataclass(frozen=True, slots=True)
class GoldWord:
    """A word of the gold full text and where it comes from (BODY or the index of its marking)."""

    text: str
    source: int

    @property
    def is_body(self) -> bool:
        return self.source == BODY


def gold_words(gold_page: GoldPage) -> list[GoldWord]:
    """The words of the page's gold full text in reading order, each labelled body or marking."""
    top = [(i, m) for i, m in enumerate(gold_page.markings) if m.before_body]
    bottom = [(i, m) for i, m in enumerate(gold_page.markings) if not m.before_body]
    words: list[GoldWord] = []
    for index, marking in top:
        words.extend(GoldWord(w, index) for w in marking.text.split())
    words.extend(GoldWord(w, BODY) for w in gold_page.body.split())
    for index, marking in bottom:
        words.extend(GoldWord(w, index) for w in marking.text.split())
    return words


@dataclass(slots=True)
class _Group:
    """Gold words [g0, g1) and OCR tokens [o0, o1) that belong together."""

    g0: int
    g1: int
    o0: int
    o1: int


def _link_groups(gold: Sequence[GoldWord], ocr: Sequence[Token], g0: int, g1: int, o0: int, o1: int) -> list[_Group]:
    """Split a differing stretch into groups by aligning its characters; unlinked words stand alone.

    Two words are linked when the character alignment pairs a non-space character of one with a
    non-space character of the other; linked words form a group, widened to a contiguous run.
    """
    gold_text, gold_owner = _joined([w.text for w in gold[g0:g1]])
    ocr_text, ocr_owner = _joined([t.text for t in ocr[o0:o1]])
    spans: dict[int, list[int]] = {}  # gold word -> [first, last] linked OCR token
    for op in opcodes(gold_text, ocr_text):
        if op.tag not in ("equal", "replace"):
            continue
        for offset in range(op.a_end - op.a_start):
            gi, oi = gold_owner[op.a_start + offset], ocr_owner[op.b_start + offset]
            if gi < 0 or oi < 0:
                continue
            # A letter read as punctuation (or the reverse) is too weak a tie: it would glue a speck
            # ("ally: eo") to the word before it.
            if (
                op.tag == AlignTag.REPLACE
                and gold_text[op.a_start + offset].isalnum() != ocr_text[op.b_start + offset].isalnum()
            ):
                continue
            span = spans.setdefault(gi, [oi, oi])
            span[0], span[1] = min(span[0], oi), max(span[1], oi)
    # Local indices here. The alignment is monotone, so a gold word's tokens can only share the last
    # token of the previous group (two gold words read as one): then the groups join.
    groups: list[_Group] = []
    for gi in sorted(spans):
        first, last = spans[gi]
        if groups and first < groups[-1].o1:
            groups[-1].g1 = gi + 1
            groups[-1].o1 = max(groups[-1].o1, last + 1)
        else:
            groups.append(_Group(gi, gi + 1, first, last + 1))
    # Widen to contiguous runs and fill the gaps with unlinked words: gold-only or OCR-only groups.
    result: list[_Group] = []
    g_at, o_at = 0, 0
    for group in groups:
        if group.g0 > g_at:
            result.append(_Group(g0 + g_at, g0 + group.g0, o0 + o_at, o0 + o_at))
        for oi in range(o_at, group.o0):
            result.append(_Group(g0 + group.g0, g0 + group.g0, o0 + oi, o0 + oi + 1))
        result.append(_Group(g0 + group.g0, g0 + group.g1, o0 + group.o0, o0 + group.o1))
        g_at, o_at = group.g1, group.o1
    if g1 - g0 > g_at:
        result.append(_Group(g0 + g_at, g1, o0 + o_at, o0 + o_at))
    for oi in range(o_at, o1 - o0):
        result.append(_Group(g1, g1, o0 + oi, o0 + oi + 1))
    return result


def _joined(words: Sequence[str]) -> tuple[str, list[int]]:
    """The words joined by single spaces, and for each character the index of its word (-1 for spaces)."""
    owner: list[int] = []
    for index, word in enumerate(words):
        if index:
            owner.append(-1)
        owner.extend([index] * len(word))
    return " ".join(words), owner


def _align_groups(gold: Sequence[GoldWord], ocr: Sequence[Token]) -> list[_Group]:
    """Every gold word and OCR token in groups, in order: equal words pair one to one, the rest by characters."""
    groups: list[_Group] = []
    gap: list[int] | None = None  # [g0, g1, o0, o1] of the differing stretch being gathered
    for op in opcodes([w.text for w in gold], [t.text for t in ocr]):
        if op.tag != AlignTag.EQUAL:
            # Neighbouring differing opcodes form one stretch: the word alignment's split of it
            # (which word replaced which) is arbitrary; the character alignment decides.
            if gap is None:
                gap = [op.a_start, op.a_end, op.b_start, op.b_end]
            else:
                gap[1], gap[3] = op.a_end, op.b_end
            continue
        if gap is not None:
            groups.extend(_link_groups(gold, ocr, *gap))
            gap = None
        groups.extend(
            _Group(op.a_start + k, op.a_start + k + 1, op.b_start + k, op.b_start + k + 1)
            for k in range(op.a_end - op.a_start)
        )
    if gap is not None:
        groups.extend(_link_groups(gold, ocr, *gap))
    return groups


def _links_body(group: _Group, gold: Sequence[GoldWord]) -> bool:
    """True when `group` pairs OCR tokens with at least one gold body word."""
    return group.o1 > group.o0 and any(w.is_body for w in gold[group.g0 : group.g1])


def _line_break_between(tokens: Sequence[Token]) -> bool:
    return any(tokens[i].line != tokens[i + 1].line for i in range(len(tokens) - 1))


def _shape_category(body: Sequence[str], tokens: Sequence[Token]) -> FlagCategory:
    """The category of a group of gold body words read as OCR tokens, by the group's shape."""
    ocr_words = [t.text for t in tokens]
    hyphen_inside = any(t.text[-1] in HYPHEN_LIKE for t in tokens[:-1])
    if _line_break_between(tokens) and (len(ocr_words) > len(body) or hyphen_inside):
        return FlagCategory.BROKEN_HYPHENATION
    same_letters = core("".join(ocr_words)) == core("".join(body))
    if same_letters and (len(ocr_words) == len(body) or not all(has_alnum(w) for w in ocr_words)):
        return FlagCategory.CASE_OR_PUNCTUATION
    if len(ocr_words) > len(body):
        return FlagCategory.SPLIT_WORD
    if len(ocr_words) < len(body):
        return FlagCategory.MERGED_WORDS
    return FlagCategory.MISREAD_WORD


def gold_flags(
    ocr_page: OcrPage,
    gold_page: GoldPage,
    *,
    document_markings: Iterable[Marking] = (),
    vocabulary: StampVocabulary | None = None,
    line_hyphens: LineHyphens = LineHyphens.JOINED,
) -> list[Flag]:
    """Flags for every difference between one page's OCR and its gold, in text order (source "gold").

    `document_markings` (the markings of every page of the document) widen what counts as marking text
    when the OCR holds words the gold lacks; the built-in stamp vocabulary is always used. Each flag's
    first suggestion is the gold reading of its span ("" to delete), confidence 1.0. `line_hyphens`
    is the gold's convention for words split at a line end (module docstring).
    """
    vocabulary = marking_vocabulary((*gold_page.markings, *document_markings), vocabulary)
    tokens = page_tokens(ocr_page)
    gold = gold_words(gold_page)
    groups = _align_groups(gold, tokens)
    # the OCR tokens from the first to the last group that links tokens to gold body words, each looked for
    # from its end of the page
    first = next((g for g in groups if _links_body(g, gold)), None)
    last = next((g for g in reversed(groups) if _links_body(g, gold)), None)
    first_body = first.o0 if first is not None else len(tokens)
    last_body = last.o1 - 1 if last is not None else -1

    raw: list[Flag] = []

    def emit(start: int, end: int, category: FlagCategory, suggestion: str) -> None:
        raw.append(
            Flag(
                document=ocr_page.document,
                page=ocr_page.number,
                start=start,
                end=end,
                text=ocr_page.text[start:end],
                category=category,
                suggestions=(suggestion,),
                confidence=1.0,
                boxes=boxes_for_span(tokens, start, end),
                source=FlagSource.GOLD,
            )
        )

    kept_splits = _kept_splits(gold, tokens, groups) if line_hyphens is LineHyphens.KEPT else {}
    for group in groups:
        words = gold[group.g0 : group.g1]
        body = [w.text for w in words if w.is_body]
        ocr_tokens = tokens[group.o0 : group.o1]
        if group.o0 in kept_splits:
            tail = kept_splits[group.o0]
            start, end = ocr_tokens[0].start, tokens[tail].end
            emit(start, end, FlagCategory.BROKEN_HYPHENATION, ocr_page.text[start:end])
            continue
        if not ocr_tokens:
            if body:
                emit(*_missing_text(ocr_page.text, tokens, group.o0, " ".join(body)))
            continue
        start, end = ocr_tokens[0].start, ocr_tokens[-1].end
        if not words:
            token = ocr_tokens[0]
            outside_body = group.o0 < first_body or group.o0 > last_body
            if outside_body or token_strength(token.text, vocabulary) > NONE:
                emit(start, end, FlagCategory.STAMP_NOISE, "")
            else:
                emit(start, end, FlagCategory.STRAY_CHAR, "")
            continue
        if not body:
            emit(start, end, FlagCategory.STAMP_NOISE, "")
            continue
        marking_chars = sum(len(w.text) for w in words if not w.is_body)
        if " ".join(t.text for t in ocr_tokens) == " ".join(body):
            continue
        suggestion = " ".join(body)
        if marking_chars > sum(len(b) for b in body):
            emit(start, end, FlagCategory.STAMP_NOISE, suggestion)
        else:
            emit(start, end, _shape_category(body, ocr_tokens), suggestion)
    return _merge_deletions(raw, ocr_page.text, tokens)


def marking_vocabulary(markings: Iterable[Marking], vocabulary: StampVocabulary | None = None) -> StampVocabulary:
    """`vocabulary` (by default the built-in one) with the words of `markings` as strong evidence
    (`StampVocabulary.with_words`): `vocabulary` itself when it counts them all already.

    A document's markings repeat on every page: `_gold_run` makes the document's vocabulary once, and each
    page then adds only its own markings' words, which that vocabulary holds already, instead of folding
    every marking word of the document again on every page.
    """
    vocabulary = vocabulary or default_vocabulary()
    words = list(dict.fromkeys(w for m in markings for w in m.text.split()))
    if all(len(folded) < 3 or folded in vocabulary.strong for folded in map(fold_caps, words)):
        return vocabulary
    return vocabulary.with_words(words)


def _kept_splits(gold: Sequence[GoldWord], tokens: Sequence[Token], groups: Sequence[_Group]) -> dict[int, int]:
    """Line-end splits the OCR reads as the gold keeps them: head token -> tail token (next line's first).

    Both words must be read exactly as the gold's body words, so the flag overlaps no other.
    """
    exact = {
        g.o0: g.g0
        for g in groups
        if g.o1 - g.o0 == 1 and g.g1 - g.g0 == 1 and gold[g.g0].is_body and gold[g.g0].text == tokens[g.o0].text
    }
    splits: dict[int, int] = {}
    for head in sorted(exact):
        tail = head + 1
        if head - 1 in splits:
            continue  # a one-word line both ends a split and starts one: the first flag holds it
        text = tokens[head].text
        if (
            tail in exact
            and tokens[tail].line != tokens[head].line
            and text[-1] in HYPHEN_LIKE
            and has_alnum(text)
            and tokens[tail].text[:1].isalpha()
        ):
            splits[head] = tail
    return splits


def _missing_text(text: str, tokens: Sequence[Token], at: int, missing: str) -> tuple[int, int, FlagCategory, str]:
    """The empty span where lost gold text belongs (after the previous token) and the text to insert."""
    if at > 0:
        point = tokens[at - 1].end
        return point, point, FlagCategory.MISSING_TEXT, " " + missing
    point = tokens[0].start if tokens else len(text)
    return point, point, FlagCategory.MISSING_TEXT, missing + " "


def _merge_deletions(flags: list[Flag], text: str, tokens: Sequence[Token]) -> list[Flag]:
    """Join neighbouring stamp-noise (or stray) deletions on one line into one flag, as a reader sees them."""
    merged: list[Flag] = []
    for flag in sorted(flags, key=lambda f: (f.start, f.end)):
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.category is flag.category
            and flag.category in (FlagCategory.STAMP_NOISE, FlagCategory.STRAY_CHAR)
            and previous.suggestions == ("",)
            and flag.suggestions == ("",)
            and previous.end < flag.start
            and not text[previous.end : flag.start].strip()
            and "\n" not in text[previous.end : flag.start]
        ):
            merged[-1] = Flag(
                document=flag.document,
                page=flag.page,
                start=previous.start,
                end=flag.end,
                text=text[previous.start : flag.end],
                category=flag.category,
                suggestions=("",),
                confidence=1.0,
                boxes=boxes_for_span(tokens, previous.start, flag.end),
                source=flag.source,
            )
        else:
            merged.append(flag)
    return merged
