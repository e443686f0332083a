"""Any OCR against any gold, without a document: two files, or two folders of files paired by name.

This is the core of `workbench compare`; it reads, scores and describes, and prints nothing.

Reading. Each side is a file whose format is told by its content, never its name (`detect_format`):
plain text, hOCR, ALTO (v2-v4) or PAGE XML, on either side (a GT in ALTO/PAGE/hOCR counts by its
text). Plain text is read as dinglehopper reads it, so that `--dinglehopper` figures are its figures:
line breaks in any convention become "\\n", each line loses the whitespace at its ends, and a form
feed separates pages (`corpus.split_pages`). XML and hOCR give the page text of the OCR importers.
A file holding several pages is compared page by page when the other side holds as many pages;
otherwise each side's pages are joined by a line break and compared as one text (`Comparison.joined`).

Scoring. The pages are scored by `evaluate.evaluate_texts`, the one scoring of texts, under the
comparison options, so CER, WER, the S/I/D counts, bag-of-words error, confusions and the bootstrap
interval mean what they mean in `workbench evaluate`. Flexible character accuracy (`workbench.flexible`)
is computed per pair on the whole texts after the character options (case, accents, punctuation,
equivalents); it folds whitespace within lines by its own definition, and under `no_gold_char` the
gold's marked runs become line breaks (the parts around them match separately; OCR text read for a
marked run is unmatched, since FCA has no alignment to leave it out by). Pooled over a folder it is
(gold units - errors) / gold units over all pairs.

Folders. Files directly in each folder are paired by stem, case-sensitively, after one known suffix is
stripped (`KNOWN_SUFFIXES`: ".gt.txt", ".ocr.txt", ".alto.xml", ".xml", ".hocr", ".html", ...).
Files whose stem has no partner are listed as unmatched, files without a known suffix (images,
sidecars) and subfolders as ignored; hidden files (".name") are skipped. Folder figures pool every
page of every pair (evaluate's pooling: summed distances over summed gold lengths).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.batch import Batch, Task
from workbench.corpus import split_pages
from workbench.errors import InputError
from workbench.evaluate import DocumentEvaluation, evaluate_texts
from workbench.flexible import PAPER_DEFAULT, FlexibleAccuracy, flexible_character_accuracy
from workbench.models import GoldPage
from workbench.normalize import DEFAULT, ComparisonOptions, comparison_text
from workbench.ocr.importers import detect_format, read_ocr_file, read_source_bytes
from workbench.ocr.importers.common import local_name, parse_xml

# Compound suffixes first ("p1.gt.txt" is stem "p1", not "p1.gt"), ".xhtml" before ".html". Matched
# without letter case (".TXT"). When one folder holds several files of a stem (page-001.txt beside
# page-001.hocr), the one whose suffix comes first here is paired and the others are listed as ignored.
KNOWN_SUFFIXES = (
    ".gt.txt",
    ".ocr.txt",
    ".gt.xml",
    ".ocr.xml",
    ".alto.xml",
    ".page.xml",
    ".hocr.html",
    ".txt",
    ".xml",
    ".hocr",
    ".xhtml",
    ".html",
    ".htm",
)
# How flexible character accuracy is computed: the paper's default weight set alone (fast enough
# for pages), the paper's full grid of 768 sets (its definition; minutes on long texts), or not at all.
FCA_MODES = ("default", "grid", "off")
# Why a folder entry was not compared (`IgnoredFile.reason`).
NOT_A_TEXT_NAME = "not a GT/OCR file name"
A_FOLDER = "a folder (folders are not searched)"
SECOND_OF_STEM = "another file of a paired stem (the first in KNOWN_SUFFIXES order is compared)"
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True, slots=True)
class SourceText:
    """One side of a pair as read: the file, its detected format and the text of each of its pages."""

    path: Path
    format: str  # "text", "hocr", "alto" or "page"
    pages: tuple[str, ...]

    @property
    def text(self) -> str:
        """The whole file's text, pages joined by a line break."""
        return "\n".join(self.pages)


@dataclass(frozen=True, slots=True)
class IgnoredFile:
    """An entry of a folder that was not compared, and why (NOT_A_TEXT_NAME, A_FOLDER, SECOND_OF_STEM)."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class PooledFlexibleAccuracy:
    """Flexible character accuracy pooled over pairs: (gold units - errors) / gold units, clipped at 0.

    `errors`, `gold_length` and `ocr_length` are sums over the `pairs` pairs, in grapheme clusters;
    `weights` says which weight sets each pair tried ("default" or "grid").
    """

    accuracy: float
    errors: int
    gold_length: int
    ocr_length: int
    pairs: int
    weights: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """A GT file against an OCR file: the pages' evaluation and the flexible character accuracy.

    `name` is the pair's stem (the OCR file's name for a pair of files); `joined` is True when the two
    files held different numbers of pages and each was compared as one text. `flexible` is None when
    it was not asked for (`fca="off"`); `fca` is the mode it was computed in.
    """

    name: str
    gt: SourceText
    ocr: SourceText
    evaluation: DocumentEvaluation
    flexible: FlexibleAccuracy | None
    joined: bool
    fca: str

    @property
    def options(self) -> ComparisonOptions:
        """The comparison options the figures were computed under."""
        return self.evaluation.options


@dataclass(frozen=True, slots=True)
class FolderComparison:
    """A folder of GT files against a folder of OCR files, paired by stem.

    `pairs` in natural order of their stems; `evaluation` pools every page of every pair (its pages
    numbered on from 1 in pair order); `unmatched_*` are the files whose stem has no partner, and
    `ignored_*` the entries that are not GT/OCR files by name (other suffixes, subfolders).
    """

    gt_dir: Path
    ocr_dir: Path
    pairs: tuple[Comparison, ...]
    unmatched_gt: tuple[Path, ...]
    unmatched_ocr: tuple[Path, ...]
    ignored_gt: tuple[IgnoredFile, ...]
    ignored_ocr: tuple[IgnoredFile, ...]
    evaluation: DocumentEvaluation
    flexible: PooledFlexibleAccuracy | None
    fca: str

    @property
    def options(self) -> ComparisonOptions:
        """The comparison options the figures were computed under."""
        return self.evaluation.options

    def pair_pages(self) -> tuple[tuple[int, int], ...]:
        """For each pair, the first and last page number it holds in `evaluation`."""
        spans, first = [], 1
        for pair in self.pairs:
            count = len(pair.evaluation.pages)
            spans.append((first, first + count - 1))
            first += count
        return tuple(spans)


def _plain_text(path: Path, data: bytes, *, role: str) -> tuple[str, ...]:
    try:
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: {role} file is not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
    pages = []
    for page in split_pages(text):
        # as Python's universal newlines (dinglehopper's readlines) see them, each line stripped
        lines = page.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the newline ending the last line does not start another line
        pages.append("\n".join(line.strip() for line in lines))
    return tuple(pages)


def read_source(path: Path, *, role: str = "OCR") -> SourceText:
    """One file read by its content (text, hOCR, ALTO, PAGE), each page's text; `role` ("GT", "OCR")
    names the side in errors. InputError with one line naming the file when it is missing, a folder,
    empty, binary, not UTF-8 or malformed XML."""
    path = Path(path)
    data = read_source_bytes(path, role=role)
    kind = detect_format(data)
    if kind == "text":
        return SourceText(path, "text", _plain_text(path, data, role=role))
    if kind == "xml":
        # XML of no format the first bytes name: the root element decides, whatever the file's suffix
        root = local_name(parse_xml(data, path, what=f"{role} XML"))
        if root.lower() == "alto":
            kind = "alto"
        elif root == "PcGts":
            kind = "page"
        else:
            raise InputError(f"{path}: {role} XML with root <{root}> is not hOCR, ALTO or PAGE XML")
    pages = read_ocr_file(path, format=kind)
    # the importers end a page's text with a line break; a text file's last line has none (see above)
    return SourceText(path, kind, tuple(page.text.removesuffix("\n") for page in pages))


def _fca_text(text: str, options: ComparisonOptions, *, gold: bool) -> str:
    # the character options apply; whitespace stays, since FCA's parts are the lines
    text = comparison_text(text, options=replace(options, fold_whitespace=False)).text
    if gold and options.no_gold_char is not None:
        text = text.replace(options.no_gold_char, "\n")
    return text


def flexible_accuracy(
    gold: str, ocr: str, *, options: ComparisonOptions = DEFAULT, fca: str = "default"
) -> FlexibleAccuracy | None:
    """Flexible character accuracy of `ocr` against `gold` under the character options, as compare
    computes it (see the module docstring); None for `fca="off"`."""
    if fca not in FCA_MODES:
        raise ValueError(f"fca: {fca!r} is not one of {', '.join(FCA_MODES)}")
    if fca == "off":
        return None
    weights = [PAPER_DEFAULT] if fca == "default" else None
    return flexible_character_accuracy(
        _fca_text(gold, options, gold=True), _fca_text(ocr, options, gold=False), weights=weights
    )


def compare_sources(
    gt: SourceText,
    ocr: SourceText,
    *,
    name: str = "",
    options: ComparisonOptions = DEFAULT,
    fca: str = "default",
) -> Comparison:
    """Score a GT source against an OCR source: page by page when they hold as many pages, else as one
    text each. `name` defaults to the OCR file's name."""
    joined = len(gt.pages) != len(ocr.pages)
    gold_texts = (gt.text,) if joined else gt.pages
    ocr_texts = (ocr.text,) if joined else ocr.pages
    golds = [GoldPage(number, text) for number, text in enumerate(gold_texts, start=1)]
    evaluation = evaluate_texts(golds, ocr_texts, document=str(ocr.path), gold=str(gt.path), options=options)
    return Comparison(
        name=name or ocr.path.name,
        gt=gt,
        ocr=ocr,
        evaluation=evaluation,
        flexible=flexible_accuracy(gt.text, ocr.text, options=options, fca=fca),
        joined=joined,
        fca=fca,
    )


def compare_files(
    gt: Path, ocr: Path, *, options: ComparisonOptions = DEFAULT, fca: str = "default", name: str = ""
) -> Comparison:
    """A GT file against an OCR file (each text, hOCR, ALTO or PAGE, told by content); InputError
    naming the file when one cannot be read."""
    return compare_sources(
        read_source(Path(gt), role="GT"), read_source(Path(ocr), role="OCR"), name=name, options=options, fca=fca
    )


def pair_stem(name: str) -> str | None:
    """The stem a folder file is paired by: `name` without its known suffix ("p1.gt.txt" -> "p1"), or
    None when it has none (an image, a sidecar)."""
    lowered = name.lower()
    for suffix in KNOWN_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return None


def _natural(text: str) -> list:
    # "page-2" before "page-10"
    return [int(piece) if piece.isdigit() else piece for piece in _DIGITS.split(text)]


def _suffix_rank(name: str) -> int:
    lowered = name.lower()
    return next(i for i, suffix in enumerate(KNOWN_SUFFIXES) if lowered.endswith(suffix))


@dataclass(frozen=True, slots=True)
class _Listing:
    files: dict[str, Path]
    ignored: tuple[IgnoredFile, ...]


def _list_folder(folder: Path, *, role: str) -> _Listing:
    try:
        entries = sorted(folder.iterdir(), key=lambda p: _natural(p.name))
    except OSError as error:
        raise InputError(f"{folder}: cannot read {role} folder ({error.strerror})") from None
    by_stem: dict[str, list[Path]] = {}
    ignored: list[IgnoredFile] = []
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            ignored.append(IgnoredFile(entry, A_FOLDER))
            continue
        stem = pair_stem(entry.name)
        if stem is None:
            ignored.append(IgnoredFile(entry, NOT_A_TEXT_NAME))
            continue
        by_stem.setdefault(stem, []).append(entry)
    if not by_stem:
        raise InputError(f"{folder}: {role} folder holds no GT/OCR files (names ending {', '.join(KNOWN_SUFFIXES)})")
    files: dict[str, Path] = {}
    for stem, paths in by_stem.items():
        chosen, *others = sorted(paths, key=lambda p: _suffix_rank(p.name))
        files[stem] = chosen
        ignored.extend(IgnoredFile(other, SECOND_OF_STEM) for other in others)
    ignored.sort(key=lambda item: _natural(item.path.name))
    return _Listing(files, tuple(ignored))


def _some(names: Sequence[str], *, shown: int = 3) -> str:
    names = sorted(names, key=_natural)
    return ", ".join(names[:shown]) + (f" and {len(names) - shown} more" if len(names) > shown else "")


def _pooled_flexible(pairs: Sequence[Comparison], fca: str) -> PooledFlexibleAccuracy | None:
    results = [pair.flexible for pair in pairs if pair.flexible is not None]
    if fca == "off" or not results:
        return None
    errors = sum(r.errors for r in results)
    gold_length = sum(r.gold_length for r in results)
    ocr_length = sum(r.ocr_length for r in results)
    # an empty gold scores as flexible_character_accuracy scores it for one pair
    empty = 1.0 if ocr_length == 0 else 0.0
    accuracy = max(0.0, (gold_length - errors) / gold_length) if gold_length else empty
    return PooledFlexibleAccuracy(accuracy, errors, gold_length, ocr_length, len(results), fca)


def _compare_run(
    pairs: Sequence[tuple[str, SourceText, SourceText]], *, options: ComparisonOptions, fca: str
) -> list[Comparison]:
    """A batch task: `compare_sources` over a run of (stem, GT, OCR) pairs already read."""
    return [compare_sources(gt, ocr, name=stem, options=options, fca=fca) for stem, gt, ocr in pairs]


def compare_folders(
    gt_dir: Path,
    ocr_dir: Path,
    *,
    options: ComparisonOptions = DEFAULT,
    fca: str = "default",
    batch: Batch | None = None,
) -> FolderComparison:
    """A folder of GT files against a folder of OCR files, paired by stem (see the module docstring).
    With `batch` (workbench.batch), the files are read here and the pairs scored where it runs.

    InputError with one line naming the folder or file when a folder is unreadable or holds no
    GT/OCR files, when no stem is in both, when two files of one side share a stem, or when a file
    of a pair cannot be read.
    """
    gt_dir, ocr_dir = Path(gt_dir), Path(ocr_dir)
    gt_listing = _list_folder(gt_dir, role="GT")
    ocr_listing = _list_folder(ocr_dir, role="OCR")
    stems = sorted(gt_listing.files.keys() & ocr_listing.files.keys(), key=_natural)
    if not stems:
        raise InputError(
            f"{ocr_dir}: no OCR file has the stem of a GT file in {gt_dir} "
            f"(GT stems: {_some(gt_listing.files)}; OCR stems: {_some(ocr_listing.files)})"
        )
    if batch is None:
        pairs = tuple(
            compare_files(gt_listing.files[stem], ocr_listing.files[stem], options=options, fca=fca, name=stem)
            for stem in stems
        )
    else:
        read = [
            (stem, read_source(gt_listing.files[stem], role="GT"), read_source(ocr_listing.files[stem], role="OCR"))
            for stem in stems
        ]
        tasks = [Task(f"{run[0][0]}..{run[-1][0]}", (run,)) for run in batch.chunks(read)]
        scored = batch.map_all(_compare_run, tasks, shared={"options": options, "fca": fca})
        pairs = tuple(pair for run in scored for pair in run)
    pages = []
    for pair in pairs:
        for page in pair.evaluation.pages:
            pages.append(replace(page, page=len(pages) + 1))
    evaluation = DocumentEvaluation(document=str(ocr_dir), gold=str(gt_dir), pages=tuple(pages), options=options)
    return FolderComparison(
        gt_dir=gt_dir,
        ocr_dir=ocr_dir,
        pairs=pairs,
        unmatched_gt=tuple(p for s, p in gt_listing.files.items() if s not in ocr_listing.files),
        unmatched_ocr=tuple(p for s, p in ocr_listing.files.items() if s not in gt_listing.files),
        ignored_gt=gt_listing.ignored,
        ignored_ocr=ocr_listing.ignored,
        evaluation=evaluation,
        flexible=_pooled_flexible(pairs, fca),
        fca=fca,
    )


def compare_paths(
    gt: Path, ocr: Path, *, options: ComparisonOptions = DEFAULT, fca: str = "default", batch: Batch | None = None
) -> Comparison | FolderComparison:
    """Two files (`compare_files`) or two folders (`compare_folders`); InputError naming the path when
    one is missing or one is a file and the other a folder."""
    gt, ocr = Path(gt), Path(ocr)
    for path, role in ((gt, "GT"), (ocr, "OCR")):
        if not path.exists():
            raise InputError(f"{path}: {role} not found")
    if gt.is_dir() != ocr.is_dir():
        folder, file = (gt, ocr) if gt.is_dir() else (ocr, gt)
        raise InputError(f"{file}: is a file but {folder} is a folder; give two files or two folders")
    if gt.is_dir():
        return compare_folders(gt, ocr, options=options, fca=fca, batch=batch)
    return compare_files(gt, ocr, options=options, fca=fca)
