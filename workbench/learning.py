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
the lexicon. Nothing is ever applied: flags are only raised or re-ranked for a reviewer to decide, and on a
line that looks clean keep-as-read ranks above every suggestion (`flags.suggest.keep_first`).
With nothing learned the flagger's output is unchanged.

Learning is collection-wide, weighted below the document's own: `learned_for` also reads the other
documents of the store, and a confusion they taught counts once for each document that taught it (however
often), a word they confirmed counts only when `min_learned_count` of them confirmed it, where one
decision in the document itself is enough. A reviewer correcting `tlie` in one letter thus ranks and
raises `the` in the next one, while one odd keep elsewhere hides nothing here.

Once a confusion is taught, `group_flags` gathers the open flags whose top suggestion it explains into a
group ("14 open flags read 'rn' where the reviewers wrote 'm'") that a reviewer reads, unticks members of
and accepts as one batch (`review.accept_group`); a group decides nothing by itself. Deleting noise is
learned the same way, by flag category: once the reviewers deleted what flags of one category marked (stamp
noise, stray characters whose top suggestion is to delete them) often enough, and seldom decided such a
flag otherwise, the open ones of that category form a deletion group.
"""

from __future__ import annotations

import copy
import math
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz.distance import Levenshtein

from workbench.flags.lexicon import word_key
from workbench.flags.suggest import keep_first, match_case
from workbench.flags.tokens import strip_punct
from workbench.flags.words import ACRONYM
from workbench.models import Decision, DecisionAction, Flag, FlagCategory, FlagSource, OcrPage

if TYPE_CHECKING:
    from workbench.flags.config import FlaggerConfig
    from workbench.flags.context import PageContext
    from workbench.flags.lexicon import Lexicon
    from workbench.review.state import FlagState
    from workbench.store import LineEdit, Store

# A substitution longer than this is a rewrite (a reviewer retyping a phrase), not a glyph confusion.
MAX_CONFUSION_LENGTH = 3
LEARNED_CONFIDENCE = 0.6  # a flag raised by a learned confusion: as sure as a cheap-confusion misreading


Counts = tuple[tuple[tuple[str, str], int], ...]  # ((OCR substring, reviewer substring), count), sorted


@dataclass(frozen=True, slots=True)
class Learned:
    """What the decisions in force teach: confusions (OCR substring, reviewer substring) with their counts
    (lowercase, sorted), the word keys kept as read and those typed by a reviewer, and the keys of the
    decided flags a confirmed word would otherwise drop (a decided flag stays).

    `shared` is what the other documents of the collection teach: each confusion with the number of
    documents that taught it, and each word with the number of documents that kept it as read
    (`shared_kept`) or typed it (`shared_typed`)."""

    confusions: Counts = ()
    kept: frozenset[str] = frozenset()
    typed: frozenset[str] = frozenset()
    decided: frozenset[str] = frozenset()
    shared: Counts = ()
    shared_kept: tuple[tuple[str, int], ...] = field(default=())
    shared_typed: tuple[tuple[str, int], ...] = field(default=())
    corrected: Counts = ()  # (OCR word, the reviewer's word), lowercase: whole words a reviewer corrected
    shared_corrected: Counts = ()  # the same from the other documents, each with the documents teaching it
    # (flag category, flags deleted, flags decided) over the decided flags whose top suggestion was to delete
    # their text, in the document and (`shared_deletions`) summed over the other documents
    deletions: tuple[tuple[str, int, int], ...] = ()
    shared_deletions: tuple[tuple[str, int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(
            self.confusions or self.kept or self.typed or self.shared or self.shared_kept or self.shared_typed
            or self.corrected or self.shared_corrected
        )

    @property
    def can_group(self) -> bool:
        """Whether anything learned can gather flags into a learned group (`group_flags`): a confusion or a
        deletion record, in the document or elsewhere in the collection."""
        return bool(self.confusions or self.shared or self.deletions or self.shared_deletions)

    @property
    def confirmed(self) -> frozenset[str]:
        """Every word the document's own decisions confirm correct: kept as read or typed."""
        return self.kept | self.typed

    def confirms(self, word: str, lexicon: Lexicon) -> bool:
        """True when `word` is confirmed correct: kept as read, or typed by a reviewer and no common word
        of the language (a reviewer typing "to" somewhere says nothing of an OCR "to" that should be "so"),
        in this document once or in `min_learned_count` other documents of the collection."""
        key = word_key(word)
        uncommon = lexicon.zipf(key) < lexicon.config.known_zipf
        if key in self.kept or (key in self.typed and uncommon):
            return True
        if not (self.shared_kept or self.shared_typed):
            return False
        elsewhere = dict(self.shared_kept).get(key, 0) + (dict(self.shared_typed).get(key, 0) if uncommon else 0)
        return elsewhere >= lexicon.config.min_learned_count

    def deletion_record(self, category: FlagCategory) -> tuple[int, int]:
        """(deleted, decided): of the decided flags of `category` whose top suggestion was to delete their
        text, how many the reviewers deleted, in the document and the rest of the collection together."""
        deleted = decided = 0
        for name, gone, seen in (*self.deletions, *self.shared_deletions):
            if name == category.value:
                deleted, decided = deleted + gone, decided + seen
        return deleted, decided

    def counts(self) -> dict[tuple[str, str], int]:
        """Every confusion's weight: its count in the document plus the number of other documents teaching it."""
        return _merged(self.confusions, self.shared)

    def count(self, read: str, meant: str) -> int:
        """How often reviewers turned `read` into `meant` (lowercase substrings), as `counts` weighs it."""
        return self.counts().get((read.lower(), meant.lower()), 0)

    def channel(self, read: str, meant: str) -> float:
        """log P(read | meant) under the learned confusions (add-one smoothed): higher is likelier."""
        counts = self.counts()
        total = sum(counts.values()) + len(counts) + 1
        return sum(math.log((counts.get(block, 0) + 1) / total) for block in substitutions(read, meant))

    def remembered(self, word: str) -> dict[str, int]:
        """What reviewers corrected this very OCR word to (lowercase), with how often: in this document, plus
        one for each other document of the collection that corrected it so."""
        if not (self.corrected or self.shared_corrected):
            return {}
        return _memory(self.corrected, self.shared_corrected).get(word.lower(), {})

    def corrections(self, word: str, lexicon: Lexicon) -> list[str]:
        """The words `word` is likely a misreading of, likeliest first: what a reviewer corrected this same
        OCR word to (once is enough: the same misread recurs; for a word of the language, only a far
        commoner one), then the lexicon words a confusion learned at least `min_learned_count` times turns
        `word` into, each far commoner than `word` (a known word must gain `real_word_gain` Zipf)."""
        config = lexicon.config
        lower = word.lower()
        memory = self.remembered(lower)
        strong = [pair for pair in _strong(self.confusions, self.shared, config.min_learned_count) if pair[0] in lower]
        if not memory and not strong:
            return []  # the common case, asked of every unflagged word of a page: nothing learned applies
        floor = lexicon.zipf(lower) + (config.real_word_gain if lexicon.is_known(lower) else 0.0)
        recalled = sorted(
            (m for m in memory if m != lower and (not lexicon.is_known(lower) or lexicon.zipf(m) > floor)),
            key=lambda m: (-memory[m], -self._posterior(lower, m, lexicon), m),
        )
        found = set()
        for read, meant in strong:
            start = lower.find(read)
            while start >= 0:
                candidate = lower[:start] + meant + lower[start + len(read) :]
                if candidate and lexicon.is_known(candidate) and lexicon.zipf(candidate) > floor:
                    found.add(candidate)
                start = lower.find(read, start + 1)
        ranked = sorted(found - set(recalled), key=lambda c: (-self._posterior(lower, c, lexicon), c))
        return [*recalled, *ranked]

    def _posterior(self, read: str, meant: str, lexicon: Lexicon) -> float:
        return self.channel(read, meant) + math.log(10) * lexicon.zipf(strip_punct(meant)[1])

    def _supports(self, read: str, meant: str, minimum: int) -> bool:
        counts = self.counts()
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
            if not word.isalpha() or ACRONYM.match(word):
                continue  # an abbreviation ("PRC") is no misreading of a word a confusion makes of it
            found = self.corrections(word, lexicon)  # first: most words have none, and it is the cheaper test
            if found and not self.confirms(word, lexicon):
                suggestions = tuple(lead + match_case(c, word) + trail for c in found)
                revised.append(context.flag(index, index, FlagCategory.MISREAD_WORD, suggestions, LEARNED_CONFIDENCE))
        # Never an automatic correction of a line that reads well: there keep-as-read comes first.
        return keep_first(context, sorted(revised, key=lambda f: (f.start, f.end)))

    def _reranked(self, flag: Flag, lexicon: Lexicon, minimum: int) -> Flag:
        """`flag` with its learned corrections added and its suggestions in noisy-channel order, when a
        learned confusion explains one of them; the flag unchanged otherwise."""
        lead, word, trail = strip_punct(flag.text)
        learned = [lead + match_case(c, word) + trail for c in self.corrections(word, lexicon)] if word else []
        pool = list(dict.fromkeys([*learned, *flag.suggestions]))
        memory = self.remembered(word) if word and (self.corrected or self.shared_corrected) else {}
        if not memory and not any(self._supports(word, strip_punct(s)[1], minimum) for s in pool if s):
            return flag
        # A word a reviewer corrected this same OCR word to comes first, the channel orders the rest.
        ranked = sorted(
            pool,
            key=lambda s: (
                -memory.get(strip_punct(s)[1].lower(), 0),
                -self._posterior(word.lower(), strip_punct(s)[1].lower(), lexicon),
            ),
        )
        return replace(flag, suggestions=tuple(ranked))


@lru_cache(maxsize=64)
def _merged(own: Counts, shared: Counts) -> dict[tuple[str, str], int]:
    """The document's confusion counts plus the collection's document counts (memoised: the flagger asks
    for them once per candidate word)."""
    merged = dict(own)
    for pair, documents in shared:
        merged[pair] = merged.get(pair, 0) + documents
    return merged


def edit_blocks(read: str, meant: str) -> list[tuple[int, int, int, int]]:
    """The stretches where `read` and `meant` differ: runs of adjacent Levenshtein edits merged, each as
    (read start, read end, meant start, meant end), so read[a:b] becomes meant[c:d]."""
    blocks: list[list[int]] = []
    for op in Levenshtein.opcodes(read, meant):
        if op.tag == "equal":
            continue
        if blocks and blocks[-1][1] == op.src_start and blocks[-1][3] == op.dest_start:
            blocks[-1][1], blocks[-1][3] = op.src_end, op.dest_end
        else:
            blocks.append([op.src_start, op.src_end, op.dest_start, op.dest_end])
    return [(a, b, c, d) for a, b, c, d in blocks]


@lru_cache(maxsize=64)
def _strong(own: Counts, shared: Counts, minimum: int) -> tuple[tuple[str, str], ...]:
    """The confusions weighed at least `minimum` (`Learned.counts`), in a fixed order (memoised likewise)."""
    return tuple(sorted(pair for pair, seen in _merged(own, shared).items() if seen >= minimum and pair[0]))


@lru_cache(maxsize=64)
def _memory(own: Counts, shared: Counts) -> dict[str, dict[str, int]]:
    """OCR word -> {the word reviewers corrected it to: how often}, the document's counts plus one for each
    other document (memoised likewise)."""
    memory: dict[str, dict[str, int]] = {}
    for (read, meant), seen in (*own, *shared):
        memory.setdefault(read, {})[meant] = memory.get(read, {}).get(meant, 0) + seen
    return memory


def substitutions(read: str, meant: str) -> list[tuple[str, str]]:
    """The substitutions that turn `read` into `meant` (lowercase): runs of adjacent Levenshtein edits
    merged into one (OCR substring, reviewer substring) pair, so "tlie" -> "the" is ("li", "h"). Pairs
    with whitespace on either side, an empty OCR side, or longer than MAX_CONFUSION_LENGTH are left out."""
    read, meant = read.lower(), meant.lower()
    pairs = []
    for a, b, c, d in edit_blocks(read, meant):
        source, target = read[a:b], meant[c:d]
        if not source or max(len(source), len(target)) > MAX_CONFUSION_LENGTH:
            continue
        if any(ch.isspace() for ch in source + target):
            continue
        pairs.append((source, target))
    return pairs


def _words(text: str) -> list[str]:
    return [word_key(token) for token in text.split() if strip_punct(token)[1].isalpha()]


def corrected_words(read: str, meant: str) -> list[tuple[str, str]]:
    """The whole words a correction of `read` into `meant` replaces one for one (lowercase, punctuation
    stripped, letters only): the two texts' tokens aligned, each token replaced by exactly one other that
    differs from it in at most half its letters."""
    before, after = read.split(), meant.split()
    pairs = []
    for op in Levenshtein.opcodes(before, after):
        if op.tag != "replace" or op.src_end - op.src_start != op.dest_end - op.dest_start:
            continue  # a token split, joined or dropped is no word misread as another
        for old, new in zip(before[op.src_start : op.src_end], after[op.dest_start : op.dest_end], strict=True):
            old, new = strip_punct(old)[1].lower(), strip_punct(new)[1].lower()
            # A misreading differs in a few letters; a word retyped as quite another is a rewrite.
            if old != new and old.isalpha() and new.isalpha() and Levenshtein.normalized_distance(old, new) <= 0.5:
                pairs.append((old, new))
    return pairs


def learn(
    states: Iterable[FlagState], line_edits: Iterable[LineEdit] = (), *, elsewhere: Iterable[Learned] = ()
) -> Learned:
    """What the decisions in force on `states` and the line edits in force teach (pure; see the module),
    with what the other documents of the collection taught (`elsewhere`, one Learned each) as `shared`."""
    counts: Counter = Counter()
    words: Counter = Counter()
    kept: set[str] = set()
    typed: set[str] = set()
    decided: dict[str, str] = {}  # flag key -> OCR text
    deletions: dict[str, list[int]] = {}  # category -> [deleted, decided], flags suggesting their deletion
    for state in states:
        decision: Decision | None = state.decision
        if decision is None:
            continue
        decided[state.key] = state.flag.text
        if state.flag.suggestions[:1] == ("",):
            record = deletions.setdefault(state.flag.category.value, [0, 0])
            record[1] += 1
            # A deletion accepted or typed (an edit to nothing) alike: the reviewer said this was noise.
            record[0] += decision.action is not DecisionAction.KEEP_OCR and decision.text == ""
        if decision.action is DecisionAction.KEEP_OCR or decision.text == state.flag.text:
            kept.update(_words(state.flag.text))  # keep-as-read, or its suggestion accepted on a clean line
        elif decision.action in (DecisionAction.ACCEPT, DecisionAction.EDIT) and decision.text:
            counts.update(substitutions(state.flag.text, decision.text))
            words.update(corrected_words(state.flag.text, decision.text))
            if decision.action is DecisionAction.EDIT:
                typed.update(_words(decision.text))
    for edit in line_edits:
        if edit.text is None:
            continue
        counts.update(substitutions(edit.before, edit.text))
        words.update(corrected_words(edit.before, edit.text))
        typed.update(set(_words(edit.text)) - set(_words(edit.before)))
    shared: Counter = Counter()
    shared_kept: Counter = Counter()
    shared_typed: Counter = Counter()
    shared_words: Counter = Counter()
    shared_deletions: dict[str, list[int]] = {}
    for other in elsewhere:  # each document counts once per confusion and per word, however often it taught it
        shared.update(pair for pair, _count in other.confusions)
        for name, gone, seen in other.deletions:  # deletions are rates: summed over the documents
            record = shared_deletions.setdefault(name, [0, 0])
            record[0], record[1] = record[0] + gone, record[1] + seen
        shared_words.update(pair for pair, _count in other.corrected)
        shared_kept.update(other.kept)
        shared_typed.update(other.typed)
    # Only the decided flags a confirmed word could drop need naming (fewer changes to what was learned).
    confirmed = kept | typed | set(shared_kept) | set(shared_typed)
    named = frozenset(key for key, text in decided.items() if word_key(text) in confirmed)
    return Learned(
        confusions=tuple(sorted(counts.items())), kept=frozenset(kept), typed=frozenset(typed), decided=named,
        shared=tuple(sorted(shared.items())), shared_kept=tuple(sorted(shared_kept.items())),
        shared_typed=tuple(sorted(shared_typed.items())), corrected=tuple(sorted(words.items())),
        shared_corrected=tuple(sorted(shared_words.items())),
        deletions=tuple(sorted((name, gone, seen) for name, (gone, seen) in deletions.items())),
        shared_deletions=tuple(sorted((name, gone, seen) for name, (gone, seen) in shared_deletions.items())),
    )


@dataclass(frozen=True, slots=True)
class GroupMember:
    """One open flag of a learned group and the suggestion the group would accept for it (its top one)."""

    state: FlagState
    suggestion: str

    @property
    def key(self) -> str:
        """The flag's key."""
        return self.state.key


@dataclass(frozen=True, slots=True)
class LearnedGroup:
    """Open no-gold flags offered to a reviewer together, never decided by themselves, in page and span
    order: those whose top suggestion the same learned confusions explain (each taught at least
    `FlaggerConfig.group_min_taught` times; `taught` is the weakest count), or, for a deletion group
    (`category` set, no confusions), those of one category whose top suggestion is to delete their text,
    where the reviewers deleted `taught` of the `decided` such flags."""

    confusions: tuple[tuple[str, str], ...]  # (OCR substring, reviewer substring), lowercase, sorted
    taught: int
    members: tuple[GroupMember, ...]
    category: FlagCategory | None = None  # a deletion group's flag category
    decided: int = 0  # a deletion group's decided flags of its category that suggested deleting their text

    @property
    def label(self) -> str:
        """What the group does as a reviewer reads it: "rn → m", several joined by commas; "stray char →
        deleted" for a deletion group."""
        if self.category is not None:
            return f"{self._category_name} → deleted"
        return ", ".join(f"{read} → {meant}" for read, meant in self.confusions)

    @property
    def keys(self) -> tuple[str, ...]:
        """The members' flag keys, in page and span order."""
        return tuple(member.key for member in self.members)

    @property
    def _category_name(self) -> str:
        return self.category.value.replace("_", " ") if self.category is not None else ""

    def describe(self) -> str:
        """One sentence: how many open flags read what where the reviewers wrote what (or deleted what)."""
        if self.category is not None:
            return (f"{len(self.members)} open {self._category_name} flags suggest deleting "
                    f"their text (the reviewers deleted {self.taught} of the {self.decided} such flags decided)")
        reads = " and ".join(f"“{read}” where the reviewers wrote “{meant}”" for read, meant in self.confusions)
        times = "once" if self.taught == 1 else f"{self.taught} times"
        return f"{len(self.members)} open flags read {reads} (taught {times})"


def explained_by(
    read: str, meant: str, counts: dict[tuple[str, str], int], minimum: int
) -> tuple[tuple[str, str], ...]:
    """The learned confusions that turn `read` into `meant`, every differing stretch one of them taught at
    least `minimum` times (`Learned.counts`), sorted and each once; () when any stretch is not (or the two
    read alike, case aside)."""
    blocks = edit_blocks(read.lower(), meant.lower())
    pairs = substitutions(read, meant)
    if not blocks or len(pairs) != len(blocks) or any(counts.get(pair, 0) < minimum for pair in pairs):
        return ()
    return tuple(sorted(set(pairs)))


def group_flags(states: Iterable[FlagState], learned: Learned, config: FlaggerConfig) -> tuple[LearnedGroup, ...]:
    """The learned groups among `states` (a queue's states), each with at least `config.group_min_size`
    members, the largest first: the open, live no-gold flags whose top suggestion the learned confusions
    explain (`explained_by`, each taught `config.group_min_taught` times, none only dropping or adding
    letters), one group per set of confusions; and, per flag category, the open ones whose top suggestion
    is to delete their text, once the reviewers deleted `config.group_min_taught` such flags of the
    category and at least `config.group_min_share` of those they decided. A flag whose top suggestion is its
    own reading (keep-as-read first, on a line that looks clean) is in none."""
    # A confusion that only drops or adds letters explains too much to batch on: dropping a letter is how most
    # one-edit suggestions of any word are made ("soin" -> "son"), so such groups were mostly unticked on the
    # dev halves. It still ranks suggestions and raises flags; dropped punctuation ("." -> "") still groups.
    counts = {pair: count for pair, count in learned.counts().items() if not _letters_dropped_or_added(pair)}
    by_confusion: dict[tuple[tuple[str, str], ...], list[GroupMember]] = {}
    deleting: dict[FlagCategory, list[GroupMember]] = {}
    for state in states:
        flag = state.flag
        if state.stale or state.decision is not None or state.settled_by is not None:
            continue
        if flag.source is not FlagSource.HEURISTIC or not flag.suggestions:
            continue
        top = flag.suggestions[0]
        if top == "":
            deleting.setdefault(flag.category, []).append(GroupMember(state=state, suggestion=top))
            continue
        found = explained_by(flag.text, top, counts, config.group_min_taught) if counts else ()
        if found:
            by_confusion.setdefault(found, []).append(GroupMember(state=state, suggestion=top))
    groups = [
        LearnedGroup(confusions=found, taught=min(counts[pair] for pair in found), members=_in_order(members))
        for found, members in by_confusion.items()
        if len(members) >= config.group_min_size
    ]
    for category, members in deleting.items():
        deleted, decided = learned.deletion_record(category)
        # The share, not only the count: where reviewers keep or retype much of what such flags mark (the
        # stray characters of a garbled print), a batch would be mostly unticked.
        if len(members) >= config.group_min_size and deleted >= config.group_min_taught \
                and deleted >= config.group_min_share * decided:
            groups.append(LearnedGroup(confusions=(), taught=deleted, members=_in_order(members), category=category,
                                       decided=decided))
    return tuple(sorted(groups, key=lambda g: (-len(g.members), -g.taught, g.confusions, g.label)))


def _letters_dropped_or_added(pair: tuple[str, str]) -> bool:
    read, meant = pair
    return not (read and meant) and (read + meant).isalpha()


def _in_order(members: list[GroupMember]) -> tuple[GroupMember, ...]:
    return tuple(sorted(members, key=lambda m: (m.state.flag.page, m.state.flag.start, m.state.flag.end)))


def learned_for(store: Store, document: str, *, collection: bool = True) -> Learned:
    """What the store's decisions and line edits in force for `document` teach (empty: nothing learned),
    and, with `collection`, what those of every other document with events in the store teach (a document
    whose only events are line edits too), as `Learned.shared`.

    Only the flags with decision events are read, not the documents' every flag, and a document's lesson
    is read again only when its events changed (`Store.event_marks`): the app calls this on every rerun."""
    marks = store.event_marks()
    elsewhere = []
    if collection:
        for other in sorted(marks):
            if other != document:
                taught = _lesson(store, other, marks[other])
                if taught or taught.deletions:
                    elsewhere.append(taught)
    own = _taught(store, document) if document in marks else None
    return learn(*(own or ((), ())), elsewhere=elsewhere)


# (store URL, document) -> (its event marks, what its events teach): a document's lesson changes only with
# an event logged for it, and every event changes its marks.
_LESSONS: dict[tuple[str, str], tuple[tuple[int, ...], Learned]] = {}


def _lesson(store: Store, document: str, mark: tuple[int, ...]) -> Learned:
    """What `document`'s own events teach, read again only when its marks changed."""
    key = (str(store.url), document)
    cached = _LESSONS.get(key)
    if cached is not None and cached[0] == mark:
        return cached[1]
    taught = _taught(store, document)
    lesson = learn(*taught) if taught is not None else Learned()
    _LESSONS[key] = (mark, lesson)
    return lesson


def _taught(store: Store, document: str) -> tuple[Sequence[FlagState], list[LineEdit]] | None:
    """The decided flags and the line edits in force of `document` (None when it has neither)."""
    # Imported here: the review package imports this module to hand the result to the flagger.
    from workbench.review.lines import edits_in_force
    from workbench.review.queue import QueueFilter, stored_queue

    keys = frozenset(event.flag_key for event in store.decisions(document))
    states = stored_queue(store, document, QueueFilter(keys=keys, include_stale=True)).states if keys else ()
    edits = [edit for page in edits_in_force(store, document).values() for edit in page]
    return (states, edits) if states or edits else None


def revise_flags(
    pages: Sequence[OcrPage],
    flags: Sequence[Flag],
    learned: Learned,
    *,
    language: str = "eng",
    lexicon: Lexicon | None = None,
) -> list[Flag]:
    """The no-gold `flags` of `pages` (as `heuristic_flags` computed them, without learning) revised by
    `learned`: the same flags `heuristic_flags(pages, learned=learned)` gives, without running the
    detectors again (the app revises its cached flags after every decision this way).

    `lexicon` is the pages' lexicon when the caller keeps one (`Lexicon.for_pages(pages, language=...)`):
    each page's context is then built once and kept with it, for every later revision."""
    from workbench.flags.lexicon import Lexicon

    if not learned:
        return list(flags)
    lexicon = lexicon or Lexicon.for_pages(pages, language=language)
    by_page: dict[int, list[Flag]] = {}
    for flag in flags:
        by_page.setdefault(flag.page, []).append(flag)
    revised: list[Flag] = []
    for page in pages:
        context = _fresh_context(page, lexicon)
        page_flags = by_page.get(page.number, [])
        # The tokens the detectors claimed: those a flag covers (an empty span, missing text, claims none).
        ends = [token.end for token in context.tokens]
        for flag in page_flags:
            index = bisect_right(ends, flag.start)  # the first token ending after the flag starts
            while flag.start < flag.end and index < len(ends) and context.tokens[index].start < flag.end:
                context.claimed.add(index)
                index += 1
        revised.extend(learned.revise(context, page_flags))
    return revised


def _fresh_context(page: OcrPage, lexicon: Lexicon) -> PageContext:
    """The page's context with nothing claimed: built once per page and lexicon, copied for each use (a
    revision claims tokens in its copy only)."""
    from workbench.flags.context import page_context

    contexts = lexicon.cache.setdefault("learning_contexts", {})
    key = (page.document, page.number, page.text, len(page.words))
    base = contexts.get(key)
    if base is None:
        base = contexts[key] = page_context(page, lexicon)
    fresh = copy.copy(base)
    fresh.claimed = set()
    return fresh
