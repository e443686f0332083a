"""Bench of flags that learn from the reviewers: a simulated reviewer with the gold as oracle, static against learning.

    .venv/bin/python bench/bench_learning.py [--sets NAME ...] [--half test|dev] [--max-docs N]
                                             [--max-chars N] [--jobs 2] [--no-write]

The reviewer works each document's review queue of no-gold flags from the top, always taking the first open
flag (page and span order), and decides it as the gold says: the gold reading of the flag's span is the
stretch of gold aligned with it (the OCR lines beside their gold lines, `linediff.page_lines`, aligned
again character by character; a gold word the OCR broke over two lines, "administra-" / "tion" of a
paragraph gold, belongs whole to the first, where joining it puts it); when the OCR already reads it the
flag is kept as read, when a suggestion reads it that suggestion is accepted, otherwise the gold reading is
typed (an edit). With the queue empty it goes down the lines and fixes every line that still differs from
its gold line by a line edit (`transcript.correct_line`), deciding first any flag the learning flagger
raised meanwhile. Lines that are gold markings (classification, stamps, page numbers) are meant to read
nothing: the score is the body CER.

Cost (the same model in both arms, `Effort`): what each action takes a reviewer, in modelled seconds, from
the keystroke-level model (Card, Moran and Newell 1980: a keystroke or click K = 0.20 s for an average skilled
typist, pointing with the mouse P = 1.10 s, moving a hand between mouse and keyboard H = 0.40 s, making up
one's mind M = 1.35 s) and a reading rate (silent reading of English non-fiction, 238 words a minute, about
0.25 s a word: Brysbaert 2019's meta-analysis; read against the scan, each word is read twice: 0.5 s).
  flag decision   M + reading the flagged words and a word either side (the Review page shows the word in its
                  line beside the scan crop around it) + P + K (the button); an edit also H, a K per character
                  typed, K (Enter), H.
  apply-to-all    when every open identical flag (`review.occurrences`, within the document, as the Review
                  page offers it) is one the oracle decides alike, keep or accept: one decision as above plus
                  P + K (the button), M and a glance at each further occurrence's word in the preview (0.5 s
                  each), P + K (confirm). Edits are not applied to all (the Review page does not offer it).
  learned group   (the learning arm, whenever `review.learned_groups` offers one with at least `group_min_size`
                  members the oracle has not unticked before: a learned confusion's group, or a deletion
                  group of the flags of one category whose top suggestion is to delete their text) P + K (open
                  it), M, reading each member's text in the preview (0.5 s a word, at least one word, as
                  apply-to-all's further occurrences: a stamp's span costs its words), P + K for each member the
                  gold decides otherwise (unticked: it stays open for the queue), M, P + K (accept): one action,
                  `review.accept_group`, one batch.
  line edit       M + reading the whole line against the scan (0.5 s a word) + for each stretch that differs
                  P + K (click there), H, a K per character deleted or typed, H; then K (save).
The oracle knows which lines are wrong, so a line is read (and costed) only when it is edited; a human
reviewer would also read the lines that are right, once in either arm: that read-through is reported apart
(`read_through`), with the saving it leaves when added to both arms. Actions (decisions, line edits) are
counted too.

Two arms per set, each in its own SQLite store in a temporary folder, through the package's own functions:
    static    the no-gold flags computed once (`flag_document`), synced once (`review.refresh_flags`);
    learning  after every decision and line edit, what the store's events teach (`learning.learned_for`)
              revises those flags (`learning.revise_flags`, as the app does) and they are synced again.
After every action the corrected body CER of the set: the transcript's corrected pages
(`transcript.correct_document`) scored by `evaluate.evaluate_page`, pooled over the set's pages by
`DocumentEvaluation.score` (documents not reviewed yet count with their OCR). Harm: accepted suggestions
after which the page's body distance to the gold was larger than before.

Sets: the briefing paper's three scan variants (each one set of one document), and the text-pair sets of
../shared/corpora (each sampled set one collection, its documents reviewed one after another, so learning
from one reaches the next when learning is collection-wide): the half asked for (test by default: the
figures quoted; dev for tuning), at most --max-docs documents a set (lowest SHA-1 first, as
bench_corpus samples) and each cut to its first --max-chars OCR characters. The scan sets of the corpora
are left out (their OCR is minutes of Tesseract).

Target: the learning arm reaches the static arm's final CER with at least 25 % less effort, no set
worse; harm under 2 %. Writes reports/bench/learning.json, learning.md, learning.svg (CER against effort)
and learning-actions.svg (CER against actions).
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from rapidfuzz.distance import Levenshtein  # noqa: E402

from workbench import learning, review  # noqa: E402
from workbench.corpus import Collection, add_document  # noqa: E402
from workbench.evaluate import DocumentEvaluation, PageEvaluation, evaluate_page  # noqa: E402
from workbench.flags import flag_document  # noqa: E402
from workbench.flags.config import config_for  # noqa: E402
from workbench.flags.lexicon import Lexicon  # noqa: E402
from workbench.linediff import BODY, page_lines  # noqa: E402
from workbench.models import DecisionAction, FlagSource  # noqa: E402
from workbench.ocr.store import load_ocr_pages  # noqa: E402
from workbench.ocrlines import ocr_line_spans  # noqa: E402
from workbench.store import Store, open_store  # noqa: E402
from workbench.transcript import correct_line, correct_page, rules_for  # noqa: E402
from workbench.transcript import page_lines as transcribed_page_lines  # noqa: E402
from workbench.views import ocr_in_context  # noqa: E402

PAPER = ("us-japan-1974-clean", "us-japan-1974", "us-japan-1974-poor")
CORPUS_SETS = (
    "icdar2017-eng_monograph",
    "icdar2017-eng_periodical",
    "icdar2017-fr_monograph",
    "icdar2017-fr_periodical",
    "icdar2019-DE1",
    "icdar2019-EN1",
    "icdar2019-FR2",
    "icdar2019-FR3",
    "overproof-chronam",
    "overproof-smh",
)
MAX_DOCS = 4  # documents per corpus set: the whole bench in about 15-25 minutes on 2 busy cores
MAX_CHARS = 2000  # OCR characters of a text pair kept
REVIEWER = "oracle"
STEPS = 10  # checkpoints: every 10 % of the static arm's actions
TARGET_SAVING = 0.25
TARGET_HARM = 0.02
ARMS = ("static", "learning")


@dataclass(frozen=True)
class Effort:
    """The cost model of a reviewer's actions, in modelled seconds (see the module docstring for the sources)."""

    keystroke: float = 0.20  # K: an average skilled typist (55 words a minute), or a click
    point: float = 1.10  # P: pointing with the mouse at a target on the screen
    home: float = 0.40  # H: a hand between mouse and keyboard
    mental: float = 1.35  # M: making up one's mind before an action
    word: float = 0.50  # reading one word against the scan: twice 238 words a minute's 0.25 s

    def read(self, text: str) -> float:
        """Reading `text` against the scan (at least one word: an empty span is still looked at)."""
        return self.word * max(1, len(text.split()))

    def flag(self, context: str, typed: str | None = None) -> float:
        """Deciding one flag whose span with a word either side reads `context`; `typed` for an edit."""
        cost = self.mental + self.read(context) + self.point + self.keystroke
        if typed is not None:
            cost += 2 * self.home + self.keystroke * (len(typed) + 1)
        return cost

    def apply_all(self, context: str, further: int) -> float:
        """Deciding one flag and applying the decision to its `further` identical occurrences at once."""
        return (self.flag(context) + 2 * (self.point + self.keystroke) + self.mental
                + self.word * further)

    def group(self, members: list[str], unticked: int) -> float:
        """Reading a learned group whose flags read `members` (each flagged text in the preview, a word as
        apply-to-all's further occurrences, the words of a longer span each), unticking `unticked` of them
        and accepting the rest at once: P K (open it), M, reading each member, P K each unticked, M, P K."""
        return (2 * (self.point + self.keystroke) + 2 * self.mental + sum(self.read(text) for text in members)
                + (self.point + self.keystroke) * unticked)

    def line_edit(self, before: str, after: str) -> float:
        """Correcting a line reading `before` to `after`: reading it, then each differing stretch fixed."""
        cost = self.mental + self.read(before) + self.keystroke
        for a, b, c, d in learning.edit_blocks(before, after):
            cost += self.point + self.keystroke + 2 * self.home + self.keystroke * ((b - a) + (d - c))
        return cost


EFFORT = Effort()


def fold(text: str) -> str:
    """`text` with runs of whitespace as one space, ends stripped (as the scoring folds it)."""
    return " ".join(text.split())


# ---------------------------------------------------------------------------------------------- the oracle


@dataclass
class PageOracle:
    """One OCR page beside its gold: the OCR line spans and, for each OCR line, what it should read."""

    text: str
    spans: list[tuple[int, int]]
    targets: list[str]

    @classmethod
    def of(cls, ocr_text: str, gold) -> PageOracle:
        rows = page_lines(ocr_text, gold)
        # A line of a gold marking (stamp, classification, page number) should read nothing: the body CER
        # counts every character of it as an error.
        targets = [row.gold_text.strip() if row.label == BODY else "" for row in rows]
        for index, row in enumerate(rows):
            # Where the OCR broke a word of the gold ("administra-" / "tion" of a paragraph gold, maybe with
            # OCR lines holding no gold between), the whole word belongs to the first line: the line a
            # reviewer joins it on, as the scoring reads it.
            after = next((later for later in range(index + 1, len(rows)) if rows[later].gold_text), None)
            if after is not None and targets[index] and targets[after] and not (
                    row.gold_text[-1:].isspace() or rows[after].gold_text[:1].isspace()):
                head, _, rest = targets[after].partition(" ")
                targets[index], targets[after] = targets[index] + head, rest
        spans = ocr_line_spans(ocr_text)
        targets += [""] * (len(spans) - len(targets))  # a final line break ends the text: no line after it
        return cls(text=ocr_text, spans=spans, targets=targets)

    def line_of(self, offset: int) -> int:
        """The 0-based OCR line holding `offset`."""
        return min(self.text.count("\n", 0, offset), len(self.spans) - 1)

    def reading(self, start: int, end: int) -> str:
        """The gold reading of the OCR span [start, end): the stretch of the lines' gold aligned with it."""
        first, last = self.line_of(start), self.line_of(end)
        base = self.spans[first][0]
        ocr = self.text[base : self.spans[last][1]]
        gold = "\n".join(self.targets[first : last + 1])
        s, e = start - base, end - base
        ops = Levenshtein.opcodes(ocr, gold)
        candidates = []
        for wide_start in (False, True):
            for wide_end in (False, True):
                a, b = _project(ops, s, wide=wide_start, start=True), _project(ops, e, wide=wide_end, start=False)
                piece = gold[a : max(a, b)]
                candidates.append(piece)
                candidates.append(_snapped(gold, a, max(a, b)))
        trimmed = []
        for piece in candidates:
            # The span holds no edge whitespace unless the OCR's does: nor does its reading.
            if not ocr[s:e][:1].isspace():
                piece = piece.lstrip()
            if not ocr[s:e][-1:].isspace():
                piece = piece.rstrip()
            trimmed.append(piece)
        return min(trimmed, key=lambda p: Levenshtein.distance(ocr[:s] + p + ocr[e:], gold))


def _project(ops, position: int, *, wide: bool, start: bool) -> int:
    """The gold offset aligned with OCR `position`; `wide` takes gold inserted right there into the span."""
    for op in ops:
        if op.src_start == position == op.src_end:  # gold inserted at this point
            return (op.dest_start if wide else op.dest_end) if start else (op.dest_end if wide else op.dest_start)
        if op.src_start <= position < op.src_end:
            if op.tag == "equal":
                return op.dest_start + position - op.src_start
            return op.dest_start + min(position - op.src_start, op.dest_end - op.dest_start)
    return ops[-1].dest_end if ops else 0


def _snapped(text: str, start: int, end: int) -> str:
    """text[start:end] widened to whole whitespace-separated tokens."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


# ---------------------------------------------------------------------------------------------- one arm


@dataclass
class Trace:
    """What one arm did on one set: the body CER and the effort spent after every action, the decisions by kind."""

    cer: list[float] = field(default_factory=list)  # index = actions spent (0: before any)
    effort: list[float] = field(default_factory=lambda: [0.0])  # modelled seconds spent after each action
    line_reading: list[float] = field(default_factory=lambda: [0.0])  # of which reading the lines edited
    counts: dict = field(default_factory=lambda: {"accept": 0, "keep_ocr": 0, "edit": 0, "line_edit": 0})
    applied_to_all: int = 0  # apply-to-all actions
    applied_occurrences: int = 0  # flags they decided
    groups_accepted: int = 0  # learned groups accepted (one action each)
    group_accepts: int = 0  # flags they decided
    group_unticked: int = 0  # members the oracle unticked (the gold decides them otherwise)
    harmful_accepts: int = 0
    accepted_first: int = 0  # accepts of the first suggestion (the ranking's top-1 where the gold had one)
    worse_edits: int = 0
    lines_read: int = 0
    read_through: float = 0.0  # modelled seconds to read every line once (not in `effort`: alike in both arms)
    flags_raised: int = 0  # flags the arm showed that the static flagger does not raise
    seconds: float = 0.0


class Scorer:
    """The set's corrected body CER: every page's evaluation kept, a document's pages rescored after a change."""

    def __init__(self, collection: Collection, docs: list[str], pages: dict[str, list]):
        self.collection = collection
        self.golds = {doc: collection.gold_pages(collection.document(doc)) for doc in docs}
        self.evaluations: dict[tuple[str, int], PageEvaluation] = {}
        self.texts: dict[tuple[str, int], str] = {}
        for doc in docs:
            for ocr, gold in zip(pages[doc], self.golds[doc], strict=True):
                self._score(doc, ocr.number, gold, ocr.text)

    def _score(self, doc: str, number: int, gold, text: str) -> None:
        if self.texts.get((doc, number)) != text:
            self.texts[(doc, number)] = text
            self.evaluations[(doc, number)] = evaluate_page(gold, text)

    def update(self, store: Store, doc: str, page) -> None:
        """Score one page of the document's corrected transcript as it reads now: `correct_page` over the
        page's own flags, decisions and line edits in force, as `correct_document` gives it for the page."""
        stored = store.flags(doc, page=page.number)
        events = store.decisions(doc, keys=[s.flag.key for s in stored]) if stored else []
        states = review.queue(stored, events, review.QueueFilter(include_stale=True)).items
        decided = [(s.flag, s.decision) for s in states if s.decision is not None]
        edits = review.edits_in_force(store, doc).get(page.number, ())
        text = correct_page(page.text, decided, rules=rules_for(store, doc), line_edits=edits).text
        gold = next(g for g in self.golds[doc] if g.number == page.number)
        self._score(doc, page.number, gold, text)

    def distance(self, doc: str, number: int) -> int:
        """The page's body edit distance to its gold now."""
        return self.evaluations[(doc, number)].body_chars.distance

    def cer(self) -> float:
        """The set's pooled body CER (the document evaluation's pooling over every page of the set)."""
        pooled = DocumentEvaluation(document="set", gold="", pages=tuple(self.evaluations.values()))
        return pooled.score().body_cer


class Arm:
    """One simulated reviewer over a set's documents, in one store, with static or learning flags."""

    def __init__(self, collection: Collection, store: Store, docs: list[str], *, learns: bool,
                 grouping: dict | None = None):
        self.collection, self.store, self.docs, self.learns = collection, store, docs, learns
        self.grouping = grouping or {}  # FlaggerConfig fields of the learned groups to tune (bench options)
        self.pages = {doc: load_ocr_pages(collection, collection.document(doc)) for doc in docs}
        self.static = {doc: flag_document(collection, doc, use_gold=False) for doc in docs}
        self.oracles = {
            doc: {
                ocr.number: PageOracle.of(ocr.text, gold)
                for ocr, gold in zip(self.pages[doc], collection.gold_pages(collection.document(doc)), strict=True)
            }
            for doc in docs
        }
        self.scorer = Scorer(collection, docs, self.pages)
        self.trace = Trace(cer=[self.scorer.cer()])
        self._synced: dict[str, list] = {}
        self._learned: dict[str, learning.Learned | None] = {}
        self._static_keys = {doc: {f.key for f in self.static[doc]} for doc in docs}
        # One lexicon per document, kept as the app keeps its cached flags: revisions reuse its page contexts.
        self.lexicons = {doc: Lexicon.for_pages(self.pages[doc], language=self._language(doc)) for doc in docs}
        self._shown: set[tuple[str, str]] = set()
        self._unticked: set[tuple[str, str]] = set()  # members of learned groups the oracle left open

    def refresh(self, doc: str) -> None:
        """Sync the document's flags: the static ones once; with learning, revised by what the store teaches."""
        if not self.learns:
            if doc not in self._synced:
                review.refresh_flags(self.collection, self.store, doc, use_gold=False, flags=self.static[doc])
                self._synced[doc] = self.static[doc]
            return
        learned = learning.learned_for(self.store, doc)
        if doc in self._synced and learned == self._learned.get(doc):
            return  # nothing new learned: the flags are those synced already
        self._learned[doc] = learned
        flags = learning.revise_flags(self.pages[doc], self.static[doc], learned, lexicon=self.lexicons[doc])
        if flags != self._synced.get(doc):
            review.refresh_flags(self.collection, self.store, doc, use_gold=False, flags=flags)
            self._synced[doc] = flags

    def _language(self, doc: str) -> str:
        return getattr(self.collection.document(doc), "lang", "") or "eng"

    def _edited_lines(self, doc: str) -> set[tuple[int, int]]:
        return {(edit.page, edit.line) for edits in review.edits_in_force(self.store, doc).values() for edit in edits}

    def next_flag(self, doc: str):
        """The first open flag of the queue, leaving out flags on lines a line edit has settled."""
        edited = self._edited_lines(doc)
        for page in self.pages[doc]:  # page by page: the queue's order, reading one page's flags at a time
            for state in review.flag_states(self.store, doc, page=page.number, status="open",
                                            source=FlagSource.HEURISTIC):
                if (page.number, self.oracles[doc][page.number].line_of(state.flag.start) + 1) not in edited:
                    return state
        return None

    def step(self, doc: str, pages: set[int], cost: float, reading: float = 0.0) -> None:
        """One action spent, costing `cost` modelled seconds (`reading` of them reading a line to edit it):
        score the pages it changed and record the CER."""
        for number in sorted(pages):
            self.scorer.update(self.store, doc, next(p for p in self.pages[doc] if p.number == number))
        self.trace.cer.append(self.scorer.cer())
        self.trace.effort.append(self.trace.effort[-1] + cost)
        self.trace.line_reading.append(self.trace.line_reading[-1] + reading)
        if self.learns:
            self.refresh(doc)

    def choice(self, doc: str, flag) -> tuple[DecisionAction, str | None]:
        """What the gold says of a flag: keep it as read, accept the suggestion reading as the gold, or type it."""
        reading = self.oracles[doc][flag.page].reading(flag.start, flag.end)
        if fold(reading) == fold(flag.text):
            return DecisionAction.KEEP_OCR, None
        matching = [s for s in flag.suggestions if fold(s) == fold(reading)]
        return (DecisionAction.ACCEPT, matching[0]) if matching else (DecisionAction.EDIT, reading)

    def context(self, doc: str, flag) -> str:
        """What a reviewer reads to decide a flag: its span and a word either side, on its OCR line."""
        text = self.oracles[doc][flag.page].text
        around = ocr_in_context(text, flag.start, flag.end)
        before, after = around.before.split()[-1:], around.after.split()[:1]
        return " ".join([*before, around.text, *after])

    def decide(self, doc: str, state) -> None:
        """Decide one flag as the gold says; a keep or an accept applied to all its identical open flags at
        once when the gold decides every one of them alike (the Review page's apply-to-all)."""
        flag = state.flag
        action, text = self.choice(doc, flag)
        group = [state]
        if action is not DecisionAction.EDIT:
            alike = review.occurrences(self.store, doc, state.key, reading=text)
            edited = self._edited_lines(doc)
            alike = [o for o in alike if (o.flag.page, self.oracles[doc][o.flag.page].line_of(o.flag.start) + 1)
                     not in edited]
            if len(alike) > 1 and all(self.choice(doc, o.flag) == (action, text) for o in alike):
                group = alike
        for item in group:
            if item.key not in self._static_keys[doc] and (doc, item.key) not in self._shown:
                self.trace.flags_raised += 1
            self._shown.add((doc, item.key))
        pages = {item.flag.page for item in group}
        before = {page: self.scorer.distance(doc, page) for page in pages}
        context = self.context(doc, flag)
        if len(group) > 1:
            review.apply_to_all(self.store, doc, state.key, action=action, text=text, reviewer=REVIEWER,
                                expected={item.key: item.version for item in group})
            self.trace.applied_to_all += 1
            self.trace.applied_occurrences += len(group)
            cost = EFFORT.apply_all(context, len(group) - 1)
        else:
            review.decide(self.store, doc, state.key, action=action, text=text, reviewer=REVIEWER,
                          version=state.version)
            cost = EFFORT.flag(context, text if action is DecisionAction.EDIT else None)
        self.trace.counts[action.value] += len(group)
        if action is DecisionAction.ACCEPT:
            self.trace.accepted_first += sum(text == item.flag.suggestions[0] for item in group)
        self.step(doc, pages, cost)
        for page in pages:
            worse = self.scorer.distance(doc, page) > before[page]
            if worse and action is DecisionAction.ACCEPT:
                self.trace.harmful_accepts += sum(item.flag.page == page for item in group)
            if worse and action is DecisionAction.EDIT:
                self.trace.worse_edits += 1

    def _lines(self, doc: str):
        return review.lines_in_force(self.store, doc, review.stored_page_text(self.collection, doc))

    def offered_group(self, doc: str):
        """The first learned group of the document worth reading (the learning arm only): one with at least
        `group_min_size` members the oracle has not unticked before (a group it read and left is taken
        again only once it has grown)."""
        if not self.learns:
            return None
        config = replace(config_for(self._language(doc)), **self.grouping)
        for group in review.learned_groups(self.store, doc, lines=self._lines(doc), config=config):
            if sum((doc, key) not in self._unticked for key in group.keys) >= config.group_min_size:
                return group
        return None

    def accept_group(self, doc: str, group) -> None:
        """Read every member of a learned group, untick those the gold decides otherwise, accept the rest as
        one batch (`review.accept_group`): one action."""
        untick = []
        for member in group.members:
            action, text = self.choice(doc, member.state.flag)
            if action is not DecisionAction.ACCEPT or fold(text or "") != fold(member.suggestion):
                untick.append(member.key)
        self._unticked.update((doc, key) for key in untick)
        ticked = [m for m in group.members if m.key not in untick]
        for member in group.members:
            if member.key not in self._static_keys[doc] and (doc, member.key) not in self._shown:
                self.trace.flags_raised += 1
            self._shown.add((doc, member.key))
        pages = {m.state.flag.page for m in ticked}
        before = {page: self.scorer.distance(doc, page) for page in pages}
        done = review.accept_group(self.store, doc, group, reviewer=REVIEWER, untick=untick)
        assert not done.refused, done.refused  # one reviewer alone: nothing changes under it
        self.trace.groups_accepted += 1
        self.trace.group_accepts += len(ticked)
        self.trace.group_unticked += len(untick)
        self.trace.counts["accept"] += len(ticked)
        self.trace.accepted_first += len(ticked)
        self.step(doc, pages, EFFORT.group([m.state.flag.text for m in group.members], len(untick)))
        for page in pages:
            if self.scorer.distance(doc, page) > before[page]:
                self.trace.harmful_accepts += sum(m.state.flag.page == page for m in ticked)

    def work_queue(self, doc: str) -> None:
        while True:
            group = self.offered_group(doc)
            if group is not None:
                self.accept_group(doc, group)
                continue
            state = self.next_flag(doc)
            if state is None:
                return
            self.decide(doc, state)

    def run(self) -> Trace:
        start = time.perf_counter()
        for doc in self.docs:
            self.refresh(doc)
            self.work_queue(doc)
            for ocr in self.pages[doc]:
                oracle = self.oracles[doc][ocr.number]
                for number in range(1, len(oracle.spans) + 1):
                    self.trace.lines_read += 1
                    line = transcribed_page_lines(self.store, ocr)[number - 1]
                    self.trace.read_through += EFFORT.read(line.text) if line.text.strip() else 0.0
                    target = oracle.targets[number - 1]
                    if fold(line.text) == fold(target):
                        continue
                    before = self.scorer.distance(doc, ocr.number)
                    correct_line(self.collection, self.store, doc, ocr.number, number, target, reviewer=REVIEWER,
                                 expect=line.text)
                    self.trace.counts["line_edit"] += 1
                    self.step(doc, {ocr.number}, EFFORT.line_edit(line.text, target), EFFORT.read(line.text))
                    if self.scorer.distance(doc, ocr.number) > before:
                        self.trace.worse_edits += 1
                    self.work_queue(doc)  # flags what a line edit taught raised further down
        self.trace.seconds = time.perf_counter() - start
        return self.trace


def run_arm(home: str, docs: list[str], arm: str, grouping: dict | None = None) -> dict:
    """One arm over one set in a fresh SQLite store (a process-pool task): its trace as a dict."""
    with tempfile.TemporaryDirectory(prefix="bench-learning-") as folder:
        store = open_store(f"sqlite:///{folder}/review.db")
        try:
            trace = Arm(Collection(Path(home)), store, docs, learns=arm == "learning", grouping=grouping).run()
        finally:
            store.close()
    return trace.__dict__


# ---------------------------------------------------------------------------------------------- the sets


def corpus_sets(home: Path, names: list[str], *, half: str, max_docs: int, max_chars: int) -> dict[str, list[str]]:
    """Text pairs of the asked sets as documents of the collection at `home` (OCR imported as text, gold
    as its one page, the pair's language): at most `max_docs` of `half` a set, lowest SHA-1 first."""
    from bench.bench_corpus import CORPORA, _sha, half_of, text_pair_items, truncate

    wanted = set(names)
    by_set: dict[str, list] = {}
    for item in text_pair_items(CORPORA, max_chars=10 * max_chars):
        if item.set in wanted and half_of(item.id) == half:
            by_set.setdefault(item.set, []).append(item)
    collection = Collection(home)
    sources = home / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    sets = {}
    for name, items in sorted(by_set.items()):
        docs = []
        for item in sorted(items, key=lambda i: _sha(i.id))[:max_docs]:
            ocr, gold = truncate(item.ocr.text, item.gold.body, max_chars)
            doc = f"{name}-{item.id}".lower().replace("/", "-").replace("_", "-")[:64]
            (sources / f"{doc}.ocr.txt").write_text(ocr + "\n", encoding="utf-8")
            (sources / f"{doc}.gt.txt").write_text(gold + "\n", encoding="utf-8")
            add_document(collection, doc, title=doc, ocr=[sources / f"{doc}.ocr.txt"],
                         gold=[sources / f"{doc}.gt.txt"], lang=item.language)
            docs.append(doc)
        sets[name] = docs
    return sets


# ---------------------------------------------------------------------------------------------- figures


def actions_to_reach(cer: list[float], target: float) -> int | None:
    """The fewest actions after which the trace's CER is at most `target` (None: never)."""
    return next((i for i, value in enumerate(cer) if value <= target + 1e-12), None)


def at_effort(trace: dict, spent: float) -> float:
    """The trace's CER once `spent` modelled seconds are spent (after the last action within them)."""
    index = bisect.bisect_right(trace["effort"], spent + 1e-9) - 1
    return trace["cer"][max(0, index)]


def summary(name: str, docs: list[str], traces: dict[str, dict]) -> dict:
    """The set's figures: checkpoints every 10 % of the static arm's effort, both arms; the savings; harm."""
    static, learned = traces["static"], traces["learning"]
    total = static["effort"][-1]
    checkpoints = []
    for step in range(STEPS + 1):
        spent = total * step / STEPS
        checkpoints.append(
            {
                "share": step / STEPS,
                "effort": spent,
                "static_cer": at_effort(static, spent),
                "learning_cer": at_effort(learned, spent),
            }
        )
    final = static["cer"][-1]
    # Both arms against what the static arm needed to reach its own final CER (its last actions may leave
    # the CER where it was: a line whose only difference the scoring folds away).
    needed = actions_to_reach(static["cer"], final)
    reached = actions_to_reach(learned["cer"], final)
    arms = {"static": (static, needed), "learning": (learned, reached)}
    effort = {arm: None if index is None else trace["effort"][index] for arm, (trace, index) in arms.items()}
    # With a read-through of every line added to both arms, the line edits' own reading is in it already.
    read = {
        arm: None if index is None else trace["effort"][index] - trace["line_reading"][index] + trace["read_through"]
        for arm, (trace, index) in arms.items()
    }

    def saving(spent: dict) -> float | None:
        return None if spent["learning"] is None or not spent["static"] else 1 - spent["learning"] / spent["static"]

    accepts = static["counts"]["accept"], learned["counts"]["accept"]
    harmful = static["harmful_accepts"], learned["harmful_accepts"]
    drop = ("cer", "effort", "line_reading")
    return {
        "set": name,
        "documents": docs,
        "ocr_cer": static["cer"][0],
        "static": {k: v for k, v in static.items() if k not in drop}
        | {"actions": len(static["cer"]) - 1, "final_cer": final, "total_effort": total},
        "learning": {k: v for k, v in learned.items() if k not in drop}
        | {"actions": len(learned["cer"]) - 1, "final_cer": learned["cer"][-1], "total_effort": learned["effort"][-1]},
        "static_actions_to_static_final": needed,
        "learning_actions_to_static_final": reached,
        "effort_to_static_final": effort,
        "saving": saving(effort),
        "action_saving": None if reached is None or not needed else 1 - reached / needed,
        "saving_with_read_through": saving(read),
        "harm_rate": {arm: (h / a if a else 0.0) for arm, h, a in zip(ARMS, harmful, accepts, strict=True)},
        "checkpoints": checkpoints,
        "curves": {arm: {"effort": traces[arm]["effort"], "cer": traces[arm]["cer"]} for arm in ARMS},
    }


def _pct(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{100 * value:.{digits}f} %"


def _minutes(seconds: float | None) -> str:
    return "–" if seconds is None else f"{seconds / 60:.1f} min"


def markdown(report: dict, svg: str = "learning.svg") -> str:
    """The report as Markdown: one row per set, the verdicts, the plot `svg`, the checkpoints of each set."""
    run = report.get("sets_run")
    scope = [] if run is None or report.get("whole_bench") else [
        f"**A subset of the bench**: {len(run)} of its {len(PAPER) + len(CORPUS_SETS)} sets ({', '.join(run)}).", ""]
    lines = [
        "# Flags that learn from the reviewers (bench/bench_learning.py)",
        "",
        *scope,
        report["method"],
        "",
        "| set | docs | OCR body CER | static: effort (actions) → final CER | learning: effort to reach it "
        "(actions) | saving | saving in actions | saving with a read-through | flags raised by learning | "
        "applied to all static / learning | learned groups accepted (flags, unticked) | harm static / learning |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in report["sets"]:
        s, learned = row["static"], row["learning"]
        effort = row["effort_to_static_final"]
        lines.append(
            f"| {row['set']} | {len(row['documents'])} | {_pct(row['ocr_cer'])} | {_minutes(effort['static'])} "
            f"({row['static_actions_to_static_final']}) → {_pct(s['final_cer'])} | {_minutes(effort['learning'])} "
            f"({row['learning_actions_to_static_final']}) | {_pct(row['saving'], 1)} | "
            f"{_pct(row['action_saving'], 1)} | {_pct(row['saving_with_read_through'], 1)} | "
            f"{learned['flags_raised']} | {s['applied_to_all']} ({s['applied_occurrences']} flags) / "
            f"{learned['applied_to_all']} ({learned['applied_occurrences']} flags) | "
            f"{learned.get('groups_accepted', 0)} ({learned.get('group_accepts', 0)}, "
            f"{learned.get('group_unticked', 0)}) | "
            f"{_pct(row['harm_rate']['static'], 1)} / {_pct(row['harm_rate']['learning'], 1)} |"
        )
    verdict = report["verdict"]
    lines += [
        "",
        f"Median saving over the sets: {_pct(verdict['median_saving'], 1)}; smallest: "
        f"{_pct(verdict['min_saving'], 1)} (target: at least {TARGET_SAVING:.0%} on every set, none worse). "
        f"In actions: median {_pct(verdict['median_action_saving'], 1)}. With a read-through of every line "
        f"in both arms: median {_pct(verdict['median_saving_with_read_through'], 1)}. "
        f"Harm rate of the learning arm, pooled: {_pct(verdict['harm_rate'], 2)} "
        f"({verdict['harmful_accepts']} of {verdict['accepts']} accepted suggestions; target under {TARGET_HARM:.0%}).",
        f"Sets worse with learning (final CER above the static arm's): {', '.join(verdict['worse']) or 'none'}.",
        "",
        "A learned group only ever accepts suggestions: accepted suggestions were "
        f"{_pct(_accept_share(report['sets']), 0)} of what the static arm settled (flags decided and lines "
        "edited, median over the sets), the ceiling of what batching them could save in actions; the rest are "
        "keeps, typed readings and line edits, one action each in both arms.",
        "",
        "Saving: 1 - (the learning arm's effort to reach the static arm's final CER) / (the static arm's "
        "effort to reach it); in actions, the same with actions counted. With a read-through: each arm's effort "
        "to that point, less the reading of the lines it edited, plus reading every line of the set once. "
        "The ICDAR documents are one OCR line each, so their one line edit retypes "
        "what the flags left: the final CER of 0 there is that edit's.",
        "",
        f"![body CER against effort, static and learning flags]({svg})",
        "",
        "## Checkpoints (every 10 % of the static arm's effort)",
        "",
    ]
    for row in report["sets"]:
        lines += [f"**{row['set']}**", "", "| effort | static CER | learning CER |", "|---|---|---|"]
        lines += [
            f"| {_minutes(c['effort'])} | {_pct(c['static_cer'])} | {_pct(c['learning_cer'])} |"
            for c in row["checkpoints"]
        ]
        lines.append("")
    lines += [
        "## Checkpoints (every 10 % of the static arm's actions)",
        "",
        f"![body CER against actions, static and learning flags]({_actions_svg(svg)})",
        "",
    ]
    for row in report["sets"]:
        lines += [f"**{row['set']}**", "", "| actions | static CER | learning CER |", "|---|---|---|"]
        lines += [f"| {n} | {_pct(static)} | {_pct(learning)} |" for n, static, learning in action_checkpoints(row)]
        lines.append("")
    return "\n".join(lines)


def action_checkpoints(row: dict) -> list[tuple[int, float, float]]:
    """(actions spent, static CER, learning CER) after every 10 % of the static arm's actions; the learning
    arm's last CER once it has stopped (it may need fewer actions)."""
    static, learned = row["curves"]["static"]["cer"], row["curves"]["learning"]["cer"]
    total = len(static) - 1
    marks = sorted({round(total * step / STEPS) for step in range(STEPS + 1)})
    return [(n, static[n], learned[min(n, len(learned) - 1)]) for n in marks]


def _actions_svg(svg: str) -> str:
    """The name of the plot against actions beside the plot against effort named `svg`."""
    return svg.replace(".svg", "-actions.svg")


def _accept_share(rows: list[dict]) -> float | None:
    """The median over the sets of the static arm's accepted suggestions among all it settled."""
    shares = [row["static"]["counts"]["accept"] / total for row in rows
              if (total := sum(row["static"]["counts"].values()))]
    return statistics.median(shares) if shares else None


def plot(report: dict, path: Path, *, against: str = "effort") -> None:
    """CER against modelled effort (`against` "effort") or against actions ("actions"), static and learning,
    one panel per set (SVG, stable bytes for one input)."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "bench-learning"
    import matplotlib.pyplot as plt

    rows = report["sets"]
    columns = 4
    height = (len(rows) + columns - 1) // columns
    figure, axes = plt.subplots(height, columns, figsize=(4 * columns, 3 * height), squeeze=False)
    for panel, row in zip(axes.flat, rows, strict=False):
        for arm, style in (("static", "-"), ("learning", "--")):
            curve = row["curves"][arm]
            spent = [t / 60 for t in curve["effort"]] if against == "effort" else list(range(len(curve["cer"])))
            panel.plot(spent, [100 * v for v in curve["cer"]], style, label=arm)
        panel.set_title(row["set"], fontsize=9)
        panel.set_xlabel("effort (modelled minutes)" if against == "effort" else "actions", fontsize=8)
        panel.set_ylabel("body CER (%)", fontsize=8)
        panel.tick_params(labelsize=7)
        panel.legend(fontsize=7)
    for panel in list(axes.flat)[len(rows) :]:
        panel.axis("off")
    figure.tight_layout()
    figure.savefig(path, format="svg", metadata={"Date": None})
    plt.close(figure)


def verdict(rows: list[dict]) -> dict:
    """Pooled figures and the targets: savings, sets made worse, harm rate of the learning arm."""
    savings = [row["saving"] for row in rows]
    known = [s for s in savings if s is not None]
    accepts = sum(row["learning"]["counts"]["accept"] for row in rows)
    harmful = sum(row["learning"]["harmful_accepts"] for row in rows)
    worse = [row["set"] for row in rows if row["learning"]["final_cer"] > row["static"]["final_cer"] + 1e-12]
    others = {
        key: statistics.median(values) if (values := [r[key] for r in rows if r[key] is not None]) else None
        for key in ("action_saving", "saving_with_read_through")
    }
    return {
        "median_saving": statistics.median(known) if known else None,
        "median_action_saving": others["action_saving"],
        "median_saving_with_read_through": others["saving_with_read_through"],
        "min_saving": min(known) if len(known) == len(savings) and known else None,
        "worse": worse,
        "accepts": accepts,
        "harmful_accepts": harmful,
        "harm_rate": harmful / accepts if accepts else 0.0,
        "saving_met": bool(known) and len(known) == len(savings) and min(known) >= TARGET_SAVING and not worse,
        "harm_met": (harmful / accepts if accepts else 0.0) < TARGET_HARM,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", default=[*PAPER, *CORPUS_SETS])
    parser.add_argument("--half", choices=("dev", "test"), default="test")
    parser.add_argument("--max-docs", type=int, default=MAX_DOCS)
    parser.add_argument("--max-chars", type=int, default=MAX_CHARS)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--group-min-taught", type=int, help="tuning: FlaggerConfig.group_min_taught for this run")
    parser.add_argument("--group-min-size", type=int, help="tuning: FlaggerConfig.group_min_size for this run")
    parser.add_argument("--group-min-share", type=float, help="tuning: FlaggerConfig.group_min_share for this run")
    parser.add_argument("--render", action="store_true", help="only write the .md and .svg again from the .json")
    args = parser.parse_args()
    out = ROOT / "reports" / "bench"
    suffix = "" if args.half == "test" else "-dev"
    if args.render:
        report = json.loads((out / f"learning{suffix}.json").read_text(encoding="utf-8"))
        _write_views(report, out, suffix)
        return 0
    os.environ.setdefault("WORKBENCH_PROGRESS", "false")
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-learning-home-") as scratch:
        home = Path(scratch) / "collection"
        sets = {name: [name] for name in args.sets if name in PAPER}
        corpus = [name for name in args.sets if name not in PAPER]
        if corpus:
            sets |= corpus_sets(home, corpus, half=args.half, max_docs=args.max_docs, max_chars=args.max_chars)
        homes = {name: str(ROOT if name in PAPER else home) for name in sets}
        tasks = [(name, arm) for name in sets for arm in ARMS]
        with ProcessPoolExecutor(max_workers=args.jobs) as pool:
            grouping = {name: value for name, value in (("group_min_taught", args.group_min_taught),
                                                        ("group_min_size", args.group_min_size),
                                                        ("group_min_share", args.group_min_share))
                        if value is not None}
            futures = {task: pool.submit(run_arm, homes[task[0]], sets[task[0]], task[1], grouping) for task in tasks}
            traces: dict[str, dict[str, dict]] = {}
            for (name, arm), future in futures.items():
                traces.setdefault(name, {})[arm] = future.result()
                done = traces[name][arm]
                print(f"  {name} {arm}: {len(done['cer']) - 1} actions, {done['seconds']:.0f} s", flush=True)
    rows = [summary(name, sets[name], traces[name]) for name in sets]
    for row in rows:
        s, learned = row["static"], row["learning"]
        print(f"{row['set']:28} static {s['actions']:4} actions -> {_pct(s['final_cer'])}  learning "
              f"{learned['actions']:4} -> {_pct(learned['final_cer'])}  reaches static final after "
              f"{row['learning_actions_to_static_final']}  saving {_pct(row['saving'], 1)} (actions "
              f"{_pct(row['action_saving'], 1)}, read-through {_pct(row['saving_with_read_through'], 1)})  raised "
              f"{learned['flags_raised']}  {s['counts']} / {learned['counts']}  all {s['applied_to_all']} / "
              f"{learned['applied_to_all']}  groups {learned['groups_accepted']} ({learned['group_accepts']} flags, "
              f"{learned['group_unticked']} unticked)  "
              f"harm {_pct(row['harm_rate']['learning'], 1)}  "
              f"({s['seconds']:.0f} s / {learned['seconds']:.0f} s)")
    report = {
        "method": (
            "Oracle reviewer (gold), queue from the top, then line edits, the same cost model in both arms "
            "(bench/bench_learning.py `Effort`, modelled seconds: keystroke-level model K 0.20 s, P 1.10 s, "
            "H 0.40 s, M 1.35 s, Card, Moran and Newell 1980; reading against the scan 0.5 s a word, twice "
            "Brysbaert 2019's 238 words a minute). A flag decision: M, reading the flagged words and a word "
            "either side, P, K (an edit: H, a K per character, K, H). Apply-to-all, when the gold decides every "
            "open identical flag of the document alike (keep or accept): one decision, P K, M, 0.5 s a further "
            "occurrence, P K. A line edit: M, reading the line, per differing stretch P K H, a K per character "
            "deleted or typed, H; K. The learning arm also takes every learned group offered "
            "(`review.learned_groups`, at least `group_min_size` open flags: those whose top suggestion a "
            "confusion taught at least `group_min_taught` times explains, or those of one category suggesting "
            "deletion once the reviewers deleted `group_min_taught` such flags and `group_min_share` of those "
            "decided): P K, M, 0.5 s a word of each member's text (at least one), P K for each member the gold "
            "decides otherwise (unticked, left open), M, P K: one action accepting the rest. "
            f"{args.half} half of the corpus sets, at most {args.max_docs} documents a set (lowest SHA-1 "
            f"first), each cut to its first {args.max_chars} OCR characters; the briefing paper's three scan "
            "variants whole."
        ),
        "sets_run": list(sets),
        "whole_bench": set(sets) == {*PAPER, *CORPUS_SETS},
        "half": args.half,
        "max_docs": args.max_docs,
        "max_chars": args.max_chars,
        "sets": rows,
        "verdict": verdict(rows),
        "wall_seconds": time.perf_counter() - started,
    }
    v = report["verdict"]
    print(f"median saving {_pct(v['median_saving'], 1)}, smallest {_pct(v['min_saving'], 1)}, worse: "
          f"{v['worse'] or 'none'}, harm {_pct(v['harm_rate'], 2)}; wall {report['wall_seconds']:.0f} s")
    if not args.no_write:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"learning{suffix}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
        _write_views(report, out, suffix)
        print(f"written {out}/learning{suffix}.json, .md, .svg")
    return 0


def _write_views(report: dict, out: Path, suffix: str) -> None:
    """learning.md, learning.svg (CER against effort) and learning-actions.svg (against actions), with the
    half's suffix, from the report."""
    svg = f"learning{suffix}.svg"
    (out / f"learning{suffix}.md").write_text(markdown(report, svg) + "\n", encoding="utf-8")
    plot(report, out / svg)
    plot(report, out / _actions_svg(svg), against="actions")


if __name__ == "__main__":
    raise SystemExit(main())
