"""The workbench's core records: frozen dataclasses that every step reads and writes.

Data flows one way: scans -> OCR -> alignment -> flags -> decisions -> corrected transcript -> report.
Each record here belongs to one of those steps and never points back to a later one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class MarkingKind(StrEnum):
    """What a non-body mark on a page is."""

    CLASSIFICATION = "classification"
    STRUCK_CLASSIFICATION = "struck_classification"
    DOWNGRADING_CODE = "downgrading_code"
    DECLASSIFICATION_STAMP = "declassification_stamp"
    HANDWRITTEN_ANNOTATION = "handwritten_annotation"
    PAGE_NUMBER = "page_number"


class Zone(StrEnum):
    """Where a marking sits on the page."""

    TOP = "top"
    BOTTOM = "bottom"
    MARGIN = "margin"


PLACEMENTS = (
    "top-left",
    "top-center",
    "top-right",
    "left",
    "right",
    "bottom-left",
    "bottom-center",
    "bottom-right",
)


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the scan in pixels: left/top inclusive, right/bottom exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    def __repr__(self) -> str:
        # The dataclass's own repr, written out: the flag cache keys a document by the repr of its pages'
        # words (hundreds of boxes a page), and the generated one goes through a recursion guard per call.
        return (
            f"{type(self).__qualname__}(left={self.left!r}, top={self.top!r}, right={self.right!r}, "
            f"bottom={self.bottom!r})"
        )

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def union(self, other: Box) -> Box:
        """The smallest box holding both boxes."""
        return Box(
            min(self.left, other.left),
            min(self.top, other.top),
            max(self.right, other.right),
            max(self.bottom, other.bottom),
        )


@dataclass(frozen=True, slots=True)
class Marking:
    """A mark on the page that is not body text: classification line, stamp, page number, note."""

    text: str
    kind: MarkingKind
    zone: Zone
    placement: str

    @property
    def struck(self) -> bool:
        return self.kind is MarkingKind.STRUCK_CLASSIFICATION

    @property
    def before_body(self) -> bool:
        """True when the marking is read before the body (it sits in the upper part of the page)."""
        return self.placement.startswith("top")


@dataclass(frozen=True, slots=True)
class GoldPage:
    """The gold transcription of one page: body text (paragraphs kept) and its markings."""

    number: int
    body: str
    markings: tuple[Marking, ...] = ()

    @property
    def parts(self) -> tuple[tuple[str, str], ...]:
        """The page in reading order as (text, label): top markings, the body without surrounding line
        breaks (label "body"), bottom markings; a marking's label is its kind. `full_text` joins them."""
        top = [(m.text, m.kind.value) for m in self.markings if m.before_body]
        bottom = [(m.text, m.kind.value) for m in self.markings if not m.before_body]
        return (*top, (self.body.strip("\n"), "body"), *bottom)

    @property
    def full_text(self) -> str:
        """Everything typed or stamped on the page in reading order: top markings, body, bottom ones."""
        return "\n".join(text for text, _ in self.parts)


@dataclass(frozen=True, slots=True)
class PageRef:
    """One page of a document as the manifest lists it."""

    document: str
    number: int
    scan: Path | None = None
    sha256: str | None = None


class LineHyphens(StrEnum):
    """What a document's gold does with a word split at a line end (manifest `gold_line_hyphens`)."""

    JOINED = "joined"  # the gold reads the word whole ("security"): the workbench's own convention
    KEPT = "kept"  # the gold keeps the split as typed ("secu-" at a line end, "rity" on the next)


@dataclass(frozen=True, slots=True)
class Document:
    """A document of the collection, as its manifest describes it."""

    id: str
    title: str
    pages: tuple[PageRef, ...]
    date: str = ""
    provenance: str = ""
    variant: str = ""
    gold: str | None = None  # id of the gold folder under transcripts/gold, shared by scan variants
    manifest_path: Path | None = None
    lang: str = ""  # Tesseract language code(s) of the text, 'eng' or 'eng+fra'; "" when not said
    # a line-faithful gold (ALTO lines, a newspaper's column lines) keeps line-end splits as typed: said by
    # the manifest, never guessed from the gold text, so that the gold flags count them as joins to make
    gold_line_hyphens: LineHyphens = LineHyphens.JOINED

    @property
    def page_count(self) -> int:
        return len(self.pages)

    @property
    def has_scans(self) -> bool:
        """True when every page has a scan file named in the manifest (a document made from OCR or gold
        text alone has none)."""
        return bool(self.pages) and all(page.scan is not None for page in self.pages)


@dataclass(frozen=True, slots=True)
class OcrWord:
    """One word as the OCR read it, with where it stands in the page text and on the scan.

    `start`/`end` are character offsets into the page's OCR text (`transcripts/ocr/DOC/page-NNN.txt`).
    `conf` is the engine's confidence from 0 to 100, or None when the source gives none.
    """

    text: str
    start: int
    end: int
    conf: float | None = None
    box: Box | None = None
    line: int = 0
    paragraph: int = 0
    block: int = 0

    def __repr__(self) -> str:
        # The dataclass's own repr, written out (see Box.__repr__: the flag cache's key of a page).
        return (
            f"{type(self).__qualname__}(text={self.text!r}, start={self.start!r}, end={self.end!r}, "
            f"conf={self.conf!r}, box={self.box!r}, line={self.line!r}, paragraph={self.paragraph!r}, "
            f"block={self.block!r})"
        )


@dataclass(frozen=True, slots=True)
class OcrPage:
    """The OCR of one page: the text as read (lines kept) and its words."""

    document: str
    number: int
    text: str
    words: tuple[OcrWord, ...] = ()
    engine: str = ""
    options: dict = field(default_factory=dict, compare=False, hash=False)


class AlignTag(StrEnum):
    """What one alignment step does (rapidfuzz's and difflib's opcode names, so their ops convert as they are)."""

    EQUAL = "equal"
    REPLACE = "replace"
    INSERT = "insert"  # OCR text with no gold
    DELETE = "delete"  # gold text the OCR lost


@dataclass(frozen=True, slots=True)
class AlignOp:
    """One step of an alignment turning gold into OCR: gold[gold_start:gold_end] -> ocr[ocr_start:ocr_end].

    `tag` is an AlignTag; an opcode name given as a string is converted on construction.
    """

    tag: AlignTag
    gold_start: int
    gold_end: int
    ocr_start: int
    ocr_end: int

    def __post_init__(self) -> None:
        if not isinstance(self.tag, AlignTag):
            object.__setattr__(self, "tag", AlignTag(self.tag))


class FlagCategory(StrEnum):
    """The families of OCR error a reviewer is shown."""

    STAMP_NOISE = "stamp_noise"
    BROKEN_HYPHENATION = "broken_hyphenation"
    STRAY_CHAR = "stray_char"
    MISREAD_WORD = "misread_word"
    SPLIT_WORD = "split_word"
    MERGED_WORDS = "merged_words"
    MISSING_TEXT = "missing_text"
    CASE_OR_PUNCTUATION = "case_or_punctuation"


class FlagSource(StrEnum):
    """Whether a flag came from a comparison with gold or from gold-free heuristics."""

    GOLD = "gold"
    HEURISTIC = "heuristic"


@dataclass(frozen=True, slots=True)
class Flag:
    """A likely OCR error: a span of the page's OCR text, its category and ranked suggestions.

    `start`/`end` are character offsets into the page's OCR text; for `missing_text` they are equal
    (the empty span where the lost text belongs). `suggestions` are ranked, best first; "" means
    "delete this text". `confidence` is the flagger's belief that this is an error, from 0 to 1.
    """

    document: str
    page: int
    start: int
    end: int
    text: str
    category: FlagCategory
    suggestions: tuple[str, ...] = ()
    confidence: float = 1.0
    boxes: tuple[Box, ...] = ()
    source: FlagSource = FlagSource.GOLD
    # `key`, made on its first read: the review reads it many times a flag (an enum's `.value` is a
    # descriptor call), and the fields it is made of never change. Not a field of equality or repr.
    _key: str | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def key(self) -> str:
        """A stable identifier of the flag within its document: page, span, category and source."""
        key = self._key
        if key is None:
            key = f"{self.page}:{self.start}-{self.end}:{self.category.value}:{self.source.value}"
            object.__setattr__(self, "_key", key)
        return key


class DecisionAction(StrEnum):
    """What a reviewer decided about a flag."""

    ACCEPT = "accept"  # take a suggestion
    KEEP_OCR = "keep_ocr"  # false alarm: the OCR is right
    EDIT = "edit"  # custom text
    GOLD_WRONG = "gold_wrong"  # the gold is wrong; `text` is the proposed gold reading
    UNDO = "undo"  # withdraw the decision currently in force


@dataclass(frozen=True, slots=True)
class Decision:
    """One event of the review log: who decided what about which flag, and when (UTC, ISO 8601)."""

    document: str
    flag_key: str
    action: DecisionAction
    text: str | None
    reviewer: str
    time: str
    note: str = ""
    version: int = 0  # the flag's version this decision was made against (optimistic concurrency)
    batch: str | None = None  # id shared by the decisions of one batch action
    id: int | None = None
    ref: int | None = None  # for an undo, the event it withdraws; for a redo, the undo it reverses


@dataclass(frozen=True, slots=True)
class PageScore:
    """Accuracy of one page, or of the whole document when `page` is None. Rates are fractions, not percent."""

    page: int | None
    cer: float
    wer: float
    body_cer: float
    body_wer: float
    gold_chars: int = 0
    gold_words: int = 0
    substitutions: int = 0
    insertions: int = 0
    deletions: int = 0
