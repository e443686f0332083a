"""Learning from the reviewers' decisions: a document's OCR confusions and its confirmed words.

Everything here is a pure function of the events in force (flag decisions and line edits): nothing is
stored, so an undo unlearns by construction. `learn` aligns the OCR text of every accepted or edited
flag, and the line as the reviewer saw it with every line edit in force, to the reviewer's text and
counts the substitutions (OCR substring -> reviewer substring: rn->m, li->h, e->c); it collects the
words confirmed correct (kept as read, or typed by a reviewer in an edit or a line edit).

The no-gold flagger takes the result (`heuristic_flags(..., learned=...)`) and, page by page,
`Learned.revise` drops flags of confirmed words, raises a flag where a confusion learned at least
`FlaggerConfig.min_learned_count` times turns a token into a commoner lexicon word, and ranks a misread
word's suggestions by a noisy channel: log P(read | meant) from the learned counts plus log P(meant) from
the lexicon. Nothing is ever applied: flags are only raised or re-ranked for a reviewer to decide.
With nothing learned the flagger's output is unchanged.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from workbench.flags.lexicon import word_key
from workbench.flags.suggest import match_case
from workbench.flags.tokens import strip_punct
from workbench.flags.words import ACRONYM
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, OcrPage

if TYPE_CHECKING:
    from workbench.flags.context import PageContext
    from workbench.flags.lexicon import Lexicon
    from workbench.review.state import FlagState
    from workbench.store import LineEdit, Store

# A substitution longer than this is a rewrite (a reviewer retyping a phrase), not a glyph confusion.
MAX_CONFUSION_LENGTH = 3
LEARNED_CONFIDENCE = 0.6  # a flag raised by a learned confusion: as sure as a cheap-confusion misreading


@dataclass(frozen=True, slots=True)
class Learned:
    """What the decisions in force teach: confusions (OCR substring, reviewer substring) with their counts
    (lowercase, sorted), the word keys kept as read and those typed by a reviewer, and the keys of the
    decided flags a confirmed word would otherwise drop (a decided flag stays)."""

    confusions: tuple[tuple[tuple[str, str], int], ...] = ()
    kept: frozenset[str] = frozenset()
    typed: frozenset[str] = frozenset()
    decided: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.confusions or self.kept or self.typed)

    @property
    def confirmed(self) -> frozenset[str]:
        """Every word confirmed correct: kept as read or typed."""
        return self.kept | self.typed

    def confirms(self, word: str, lexicon: Lexicon) -> bool:
        """True when `word` is confirmed correct: kept as read, or typed by a reviewer and no common word
        of the language (a reviewer typing "to" somewhere says nothing of an OCR "to" that should be "so")."""
        key = word_key(word)
        return key in self.kept or (key in self.typed and lexicon.zipf(key) < lexicon.config.known_zipf)

    def count(self, read: str, meant: str) -> int:
        """How often reviewers turned `read` into `meant` (lowercase substrings)."""
        return dict(self.confusions).get((read.lower(), meant.lower()), 0)

    def channel(self, read: str, meant: str) -> float:
        """log P(read | meant) under the learned confusions (add-one smoothed): higher is likelier."""
        counts = dict(self.confusions)
        total = sum(counts.values()) + len(counts) + 1
        return sum(math.log((counts.get(block, 0) + 1) / total) for block in substitutions(read, meant))

    def corrections(self, word: str, lexicon: Lexicon) -> list[str]:
        """Lexicon words a confusion learned at least `min_learned_count` times turns `word` into, each far
        commoner than `word` (a known word must gain `real_word_gain` Zipf), likeliest first."""
        config = lexicon.config
        lower = word.lower()
        floor = lexicon.zipf(lower) + (config.real_word_gain if lexicon.is_known(lower) else 0.0)
        found = set()
        for (read, meant), seen in self.confusions:
            if seen < config.min_learned_count or not read:
                continue
            start = lower.find(read)
            while start >= 0:
                candidate = lower[:start] + meant + lower[start + len(read) :]
                if candidate and lexicon.is_known(candidate) and lexicon.zipf(candidate) > floor:
                    found.add(candidate)
                start = lower.find(read, start + 1)
        return sorted(found, key=lambda c: (-self._posterior(lower, c, lexicon), c))

    def _posterior(self, read: str, meant: str, lexicon: Lexicon) -> float:
        return self.channel(read, meant) + math.log(10) * lexicon.zipf(strip_punct(meant)[1])

    def _supports(self, read: str, meant: str, minimum: int) -> bool:
        counts = dict(self.confusions)
        return any(counts.get(block, 0) >= minimum for block in substitutions(read, meant))

    def revise(self, context: PageContext, flags: Sequence[Flag]) -> list[Flag]:
        """One page's flags with what was learned applied: flags of confirmed words dropped (unless
        decided), learned corrections put first and suggestions ranked by the noisy channel, and a flag
        raised on each unflagged prose token a learned confusion turns into a commoner word."""
        config, lexicon = context.config, context.lexicon
        revised = []
        for flag in flags:
            if flag.category is FlagCategory.MISREAD_WORD:
                if flag.key not in self.decided and self.confirms(flag.text, lexicon):
                    continue  # a reviewer confirmed this word: it stays unflagged everywhere in the document
                flag = self._reranked(flag, lexicon, config.min_learned_count)
            revised.append(flag)
        for _line, index in context.unclaimed_prose():
            lead, word, trail = strip_punct(context.tokens[index].text)
            if not word.isalpha() or self.confirms(word, lexicon) or ACRONYM.match(word):
                continue  # an abbreviation ("PRC") is no misreading of a word a confusion makes of it
            found = self.corrections(word, lexicon)
            if found:
                suggestions = tuple(lead + match_case(c, word) + trail for c in found)
                revised.append(context.flag(index, index, FlagCategory.MISREAD_WORD, suggestions, LEARNED_CONFIDENCE))
        return sorted(revised, key=lambda f: (f.start, f.end))

    def _reranked(self, flag: Flag, lexicon: Lexicon, minimum: int) -> Flag:
        """`flag` with its learned corrections added and its suggestions in noisy-channel order, when a
        learned confusion explains one of them; the flag unchanged otherwise."""
        lead, word, trail = strip_punct(flag.text)
        learned = [lead + match_case(c, word) + trail for c in self.corrections(word, lexicon)] if word else []
        pool = list(dict.fromkeys([*learned, *flag.suggestions]))
        if not any(self._supports(word, strip_punct(s)[1], minimum) for s in pool if s):
            return flag
        ranked = sorted(pool, key=lambda s: -self._posterior(word.lower(), strip_punct(s)[1].lower(), lexicon))
        return replace(flag, suggestions=tuple(ranked))


def substitutions(read: str, meant: str) -> list[tuple[str, str]]:
    """The substitutions that turn `read` into `meant` (lowercase): runs of adjacent Levenshtein edits
    merged into one (OCR substring, reviewer substring) pair, so "tlie" -> "the" is ("li", "h"). Pairs
    with whitespace on either side, an empty OCR side, or longer than MAX_CONFUSION_LENGTH are left out."""
    read, meant = read.lower(), meant.lower()
    blocks: list[list[int]] = []  # [read start, read end, meant start, meant end] of merged edits
    for op in Levenshtein.opcodes(read, meant):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    pairs = []
    for a, b, c, d in blocks:
        source, target = read[a:b], meant[c:d]
        if not source or max(len(source), len(target)) > MAX_CONFUSION_LENGTH:
            continue
        if any(ch.isspace() for ch in source + target):
            continue
        pairs.append((source, target))
    return pairs


def _words(text: str) -> list[str]:
    return [word_key(token) for token in text.split() if strip_punct(token)[1].isalpha()]


def learn(states: Iterable[FlagState], line_edits: Iterable[LineEdit] = ()) -> Learned:
    """What the decisions in force on `states` and the line edits in force teach (pure; see the module)."""
    counts: Counter = Counter()
    kept: set[str] = set()
    typed: set[str] = set()
    decided: dict[str, str] = {}  # flag key -> OCR text
    for state in states:
        decision: Decision | None = state.decision
        if decision is None:
            continue
        decided[state.key] = state.flag.text
        if decision.action is DecisionAction.KEEP_OCR:
            kept.update(_words(state.flag.text))
        elif decision.action in (DecisionAction.ACCEPT, DecisionAction.EDIT) and decision.text:
            counts.update(substitutions(state.flag.text, decision.text))
            if decision.action is DecisionAction.EDIT:
                typed.update(_words(decision.text))
    for edit in line_edits:
        if edit.text is None:
            continue
        counts.update(substitutions(edit.before, edit.text))
        typed.update(set(_words(edit.text)) - set(_words(edit.before)))
    # Only the decided flags a confirmed word could drop need naming (fewer changes to what was learned).
    confirmed = kept | typed
    named = frozenset(key for key, text in decided.items() if word_key(text) in confirmed)
    return Learned(
        confusions=tuple(sorted(counts.items())), kept=frozenset(kept), typed=frozenset(typed), decided=named
    )


def learned_for(store: Store, document: str) -> Learned:
    """What the store's decisions and line edits in force for `document` teach (empty: nothing learned).

    Only the flags with decision events are read, not the document's every flag: the app calls this on
    every rerun."""
    # Imported here: the review package imports this module to hand the result to the flagger.
    from workbench.review.lines import edits_in_force
    from workbench.review.queue import QueueFilter, stored_queue

    keys = frozenset(event.flag_key for event in store.decisions(document))
    states = stored_queue(store, document, QueueFilter(keys=keys, include_stale=True)).states if keys else ()
    edits = [edit for page in edits_in_force(store, document).values() for edit in page]
    return learn(states, edits)


def revise_flags(
    pages: Sequence[OcrPage], flags: Sequence[Flag], learned: Learned, *, language: str = "eng"
) -> list[Flag]:
    """The no-gold `flags` of `pages` (as `heuristic_flags` computed them, without learning) revised by
    `learned`: the same flags `heuristic_flags(pages, learned=learned)` gives, without running the
    detectors again (the app revises its cached flags after every decision this way)."""
    from workbench.flags.context import page_context
    from workbench.flags.lexicon import Lexicon

    if not learned:
        return list(flags)
    lexicon = Lexicon.for_pages(pages, language=language)
    by_page: dict[int, list[Flag]] = {}
    for flag in flags:
        by_page.setdefault(flag.page, []).append(flag)
    revised: list[Flag] = []
    for page in pages:
        context = page_context(page, lexicon)
        page_flags = by_page.get(page.number, [])
        # The tokens the detectors claimed: those a flag covers (an empty span, missing text, claims none).
        context.claimed.update(
            index
            for index, token in enumerate(context.tokens)
            if any(f.start < token.end and token.start < f.end for f in page_flags if f.start < f.end)
        )
        revised.extend(learned.revise(context, page_flags))
    return revised
