"""Running Tesseract on one page, and knowing exactly which Tesseract it is.

`find_engine` resolves the program (WORKBENCH_TESSERACT), its version and language data folder;
`ocr_page_image` reads one scan and returns the page text, word records and Tesseract's own hOCR.
Nothing here runs at import time, and every Tesseract process gets OMP_THREAD_LIMIT=1: on a few
cores, Tesseract's OpenMP threads spin against each other and make a page several times slower.
Tesseract is started directly, once per reading, with the command line pytesseract's hOCR call gave
it (pytesseract imports pandas, half a second of every fresh worker's first page, for nothing we use).
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

from workbench import settings
from workbench.errors import InputError, OcrError
from workbench.fsutil import file_identity
from workbench.images import decoded, open_image
from workbench.models import Box, OcrWord
from workbench.ocr.options import RULES, OcrOptions, OcrRules

NOT_FOUND = "tesseract not found: install tesseract-ocr (bin/setup does) or set WORKBENCH_TESSERACT"
_LANG_DIR = re.compile(r'List of available languages in "([^"]+)"')
_VERSION = re.compile(r"tesseract\s+v?(\d+\.\d+[^\s]*)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Engine:
    """One installed Tesseract: its program, version ('5.3.0'), language data folder and languages."""

    command: str
    version: str
    tessdata: Path | None
    languages: tuple[str, ...]

    @property
    def name(self) -> str:
        """How the engine is recorded with its output: 'tesseract 5.3.0'."""
        return f"tesseract {self.version}"

    def language_files(self, lang: str, *, psm: int = 3) -> dict[str, Path]:
        """The traineddata file of each language in `lang` ('eng+deu'), plus 'osd' for psm 0 and 1.

        Raises OcrError when a language is not installed, before any page is read.
        """
        names = lang.split("+") + (["osd"] if psm in (0, 1) else [])
        files = {}
        for name in names:
            if name not in self.languages:
                have = ", ".join(self.languages) or "none"
                raise OcrError(
                    f"tesseract has no language data for {name!r} (installed: {have}); "
                    f"install tesseract-ocr-{name.split('/')[-1].lower()}"
                )
            if self.tessdata is not None:
                files[name] = self.tessdata / f"{name}.traineddata"
        return files


def _tesseract_env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, env=_tesseract_env(), timeout=60, check=False)
    except FileNotFoundError:
        raise OcrError(NOT_FOUND) from None
    except PermissionError:
        raise OcrError(f"{command[0]}: tesseract is not executable") from None
    except subprocess.TimeoutExpired:
        raise OcrError(f"{command[0]}: `tesseract {command[1]}` did not answer within 60 s") from None


def resolve_command() -> str:
    """The absolute path of the tesseract program named by WORKBENCH_TESSERACT; OcrError when absent."""
    name = settings.get("WORKBENCH_TESSERACT")
    found = shutil.which(name)
    if found is None:
        raise OcrError(NOT_FOUND if os.sep not in name else f"{name}: {NOT_FOUND}")
    return os.path.realpath(found)


def probe_engine(command: str) -> Engine:
    """Ask the tesseract at `command` for its version and language data (two quick subprocesses)."""
    version_run = _run([command, "--version"])
    output = (version_run.stdout + version_run.stderr).decode("utf-8", errors="replace")
    match = _VERSION.search(output)
    if version_run.returncode != 0 or match is None:
        first = output.strip().splitlines()[0] if output.strip() else f"exit status {version_run.returncode}"
        raise OcrError(f"{command}: not a working tesseract (`--version` said: {first[:120]})")
    langs_run = _run([command, "--list-langs"])
    listing = (langs_run.stdout + langs_run.stderr).decode("utf-8", errors="replace")
    folder = _LANG_DIR.search(listing)
    tessdata = Path(folder.group(1)) if folder else _fallback_tessdata()
    languages = tuple(
        line.strip() for line in listing.splitlines()[1:] if line.strip() and not line.startswith(("Warning", "Error"))
    )
    return Engine(command=command, version=match.group(1), tessdata=tessdata, languages=languages)


def _fallback_tessdata() -> Path | None:
    """Tesseract 4.0 does not print its tessdata folder; TESSDATA_PREFIX then says where it is."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix:
        path = Path(prefix)
        return path if path.name == "tessdata" or not (path / "tessdata").is_dir() else path / "tessdata"
    return None


def file_checksum(path: Path, *, memo: dict[tuple, str] | None = None) -> str:
    """SHA-256 of a file, remembered per path and `fsutil.file_identity` so big language files are hashed once."""
    key = (str(path), *file_identity(path.stat()))
    if memo is not None and key in memo:
        return memo[key]
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if memo is not None:
        memo[key] = digest.hexdigest()
    return digest.hexdigest()


class ResolutionSource(StrEnum):
    """Where the resolution Tesseract was told comes from."""

    OPTION = "option"  # the dpi option (manifest or command line) said so
    FILE = "file"  # the image file's own tag, plausible for its pixel size
    ESTIMATE = "estimate"  # the file said nothing, or nothing plausible: estimated from the page size
    TESSERACT = "tesseract"  # nothing was declared: the tag as Tesseract reads it, or its own estimate


@dataclass(frozen=True, slots=True)
class Resolution:
    """The resolution Tesseract was told (or found itself) for a page, where it comes from, and why."""

    dpi: int
    source: ResolutionSource
    file_dpi: float | None = None
    reason: str = ""

    def as_dict(self) -> dict:
        """The choice as stored with the OCR."""
        return {"dpi": self.dpi, "source": self.source.value, "file_dpi": self.file_dpi, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict) -> Resolution:
        """The record `as_dict` wrote."""
        return cls(int(data["dpi"]), ResolutionSource(data["source"]), data.get("file_dpi"), data.get("reason", ""))


def choose_resolution(
    size: tuple[int, int], file_dpi: float | None, *, option: int | None = None, rules: OcrRules = RULES
) -> Resolution:
    """The resolution to tell Tesseract for a scan of `size` pixels whose file says `file_dpi` (or None).

    The option wins; then the file's tag when it is plausible (rules.min_tag_dpi-max_tag_dpi, and the
    page it implies no longer than rules.max_page_inches); else an estimate: the longer side read as a
    whole page of rules.page_long_side_inches, kept between rules.min_estimate_dpi and max_estimate_dpi.
    """
    if option is not None:
        return Resolution(option, ResolutionSource.OPTION, file_dpi, "set by the dpi option")
    long_side = max(size)
    if file_dpi and rules.min_tag_dpi <= file_dpi <= rules.max_tag_dpi:
        inches = long_side / file_dpi
        if inches <= rules.max_page_inches:
            return Resolution(round(file_dpi), ResolutionSource.FILE, file_dpi, "the file's tag")
        reason = f"the file's {round(file_dpi)} dpi would make a {inches:.0f}-inch page"
    else:
        reason = "the file gives no resolution"
    page_dpi = round(long_side / rules.page_long_side_inches)
    dpi = min(rules.max_estimate_dpi, max(rules.min_estimate_dpi, page_dpi))
    how = f"page size gives {page_dpi}" + (f", raised to {dpi}" if dpi > page_dpi else "")
    return Resolution(dpi, ResolutionSource.ESTIMATE, file_dpi, f"{reason}; {how}")


_ESTIMATED = re.compile(r"Estimating resolution as (\d+)")


def tesseract_resolution(log: str, file_dpi: float | None) -> Resolution:
    """The resolution Tesseract used on a file it was given without one, from what it logged.

    Tesseract logs "Estimating resolution as N" when the file has no tag it accepts (it estimates from
    the height of the text lines); otherwise it used the file's own tag.
    """
    found = _ESTIMATED.search(log)
    if found:
        return Resolution(
            int(found.group(1)), ResolutionSource.TESSERACT, file_dpi, "Tesseract's own estimate from the text height"
        )
    dpi = round(file_dpi) if file_dpi else 70  # 70: Tesseract's fallback when it can neither read nor estimate
    return Resolution(dpi, ResolutionSource.TESSERACT, file_dpi, "the file's tag, as Tesseract reads it")


def confident_characters(words: tuple[OcrWord, ...]) -> float:
    """How much text a reading holds that Tesseract trusts: each word's characters times its confidence
    (0-1); words without a confidence count nothing. A reading that loses text (a region missed) or
    fills the page with noise (low-confidence specks) scores less than a sound one of the same page."""
    return sum(len(w.text) * w.conf / 100.0 for w in words if w.conf is not None and w.conf > 0)


@dataclass(frozen=True, slots=True)
class PageOcr:
    """Tesseract's reading of one page: text (lines kept), words with offsets, hOCR, deskew angle, and
    the resolution it was told (`dpi`, with where it came from in `resolution`)."""

    text: str
    words: tuple[OcrWord, ...]
    hocr: str
    angle: float | None = None
    dpi: int = 300
    resolution: Resolution | None = None


def _scan_resolution(image, options: OcrOptions) -> Resolution:
    dpi = image.info.get("dpi")
    try:
        value = float(dpi[0]) if dpi else None
    except (TypeError, ValueError, IndexError):
        value = None
    return choose_resolution(image.size, value or None, option=options.dpi)


def _offers_second_reading(image, options: OcrOptions, prepared_changed: bool, resolution: Resolution) -> bool:
    """Whether the file as it is would read differently from the prepared scan, and may be compared with it.

    Only when the options leave the choice open (no binarization, deskew or dpi asked for: a choice made
    in the options is kept) and Tesseract can read the file itself.
    """
    if not options.second_reading or options.binarize != "none" or options.deskew or options.dpi is not None:
        return False
    if image.format not in {"PNG", "TIFF", "JPEG"}:
        return False
    return prepared_changed or resolution.source is not ResolutionSource.FILE


def ocr_page_image(path: Path, *, options: OcrOptions, command: str, timeout: int) -> PageOcr:
    """OCR one scan with Tesseract's hOCR output and build the page's text and words from it.

    The scan is prepared by the options (grayscale, deskew, binarization) and read at the resolution
    `choose_resolution` gives. When that is not what plain Tesseract would read (a colour scan made gray,
    a resolution the file does not declare) and the options leave it open, the file is also read as it
    is, with Tesseract's own thresholding and resolution, and the reading with more confident characters
    (`confident_characters`, OcrRules.prepared_gain) is kept; its resolution record says which and why.

    Raises ScanError for a missing, empty, corrupt or too large image, OcrError (naming the scan) when
    Tesseract is missing, times out after `timeout` seconds, or fails.
    """
    # Imported here: a run served from the cache never needs numpy or lxml.
    from workbench.ocr.preprocess import preprocess, reads_pixels

    path = Path(path)
    # A scan Tesseract is given as it is (a gray PNG, nothing to prepare) is not decoded here too: only
    # checked (open_image's decode=False); a preparation that reads the pixels decodes them first.
    image = open_image(path, decode=False)
    if reads_pixels(image, options):
        image = decoded(image, path)
    prepared = preprocess(image, options)
    resolution = _scan_resolution(image, options)
    with tempfile.TemporaryDirectory(prefix="workbench-ocr-") as folder:
        source = str(path)
        if prepared.changed or image.format not in {"PNG", "TIFF", "JPEG"}:
            # Our own lossless temporary file, fast to write, with the resolution kept.
            source = os.path.join(folder, f"{path.stem}.png")
            prepared.image.save(source, format="PNG", compress_level=1, dpi=(resolution.dpi, resolution.dpi))
        output = os.path.join(folder, "prepared")
        raw = _tesseract_hocr(path, source, options, f"--dpi {resolution.dpi}", command, timeout, output)
        page, hocr = _reading(path, raw, prepared.angle, prepared.image.size)
        if not _offers_second_reading(image, options, prepared.changed, resolution):
            return PageOcr(page.text, page.words, hocr, prepared.angle, resolution.dpi, resolution)
        # The file as plain Tesseract reads it: no --dpi, and its log (where it says whether it estimated
        # the resolution) kept in a file of ours.
        log = os.path.join(folder, "tesseract.log")
        extra, output = f"-c debug_file={shlex.quote(log)}", os.path.join(folder, "as-is")
        raw = _tesseract_hocr(path, str(path), options, extra, command, timeout, output)
        as_is, as_is_hocr = _reading(path, raw, None, image.size)
        try:
            logged = Path(log).read_text("utf-8", errors="replace")
        except OSError:
            logged = ""
    found = tesseract_resolution(logged, resolution.file_dpi)
    ours, theirs = confident_characters(page.words), confident_characters(as_is.words)
    prepared_how = f"the scan {'in gray ' if prepared.changed else ''}at {resolution.dpi} dpi ({resolution.reason})"
    as_is_how = f"the file as it is at {found.dpi} dpi ({found.reason})"
    scores = f"{theirs:.0f} confident characters against {ours:.0f}"
    if ours <= theirs * (1.0 + RULES.prepared_gain):
        kept = replace(found, reason=f"{as_is_how}, kept over {prepared_how}: {scores}")
        return PageOcr(as_is.text, as_is.words, as_is_hocr, None, kept.dpi, kept)
    kept = replace(
        resolution,
        reason=f"{prepared_how}, kept over {as_is_how}: {ours:.0f} confident characters against {theirs:.0f}",
    )
    return PageOcr(page.text, page.words, hocr, prepared.angle, resolution.dpi, kept)


def _tesseract_hocr(
    path: Path, source: str, options: OcrOptions, extra: str, command: str, timeout: int, output: str
) -> bytes:
    """Tesseract's hOCR of the image file `source` (the scan `path`, or a prepared copy of it), written
    to `output`.hocr (in a temporary folder of ours) and read back.

    The command line is the one pytesseract's image_to_pdf_or_hocr made (the stored hOCR, text and words
    stay byte for byte what they were): program, input, output base, `-l LANG -c tessedit_create_hocr=1`,
    the options, `hocr`.
    """
    config = f"-c tessedit_create_hocr=1 --psm {options.psm} --oem {options.oem} {extra}"
    arguments = [command, os.path.realpath(source), output, "-l", options.lang, *shlex.split(config), "hocr"]
    try:
        done = subprocess.run(
            arguments, stdin=subprocess.DEVNULL, capture_output=True, env=_tesseract_env(), timeout=timeout or None
        )
    except FileNotFoundError:
        raise OcrError(f"{path}: {NOT_FOUND}") from None
    except subprocess.TimeoutExpired:
        raise OcrError(f"{path}: tesseract timed out after {timeout} s (WORKBENCH_OCR_TIMEOUT)") from None
    except OSError as error:
        raise OcrError(f"{path}: tesseract could not run ({error.strerror or error})") from None
    if done.returncode:
        message = " ".join(done.stderr.decode("utf-8", errors="replace").splitlines())
        raise OcrError(f"{path}: {_describe_failure(done.returncode, message)}")
    try:
        return Path(f"{output}.hocr").read_bytes()
    except OSError as error:
        raise OcrError(f"{path}: tesseract wrote no hOCR ({error.strerror or error})") from None


def _reading(path: Path, raw: bytes, angle: float | None, size: tuple[int, int]):
    """The page (text and words) and hOCR of one Tesseract reading, boxes turned back onto the scan."""
    from workbench.ocr.importers.hocr import read_hocr
    from workbench.ocr.preprocess import unrotate_box

    hocr = _name_scan(raw.decode("utf-8", errors="replace"), path.name)
    try:
        (page,) = read_hocr(hocr.encode("utf-8"), source=f"{path} (tesseract hOCR)")
    except (InputError, ValueError) as error:
        raise OcrError(f"{path}: tesseract wrote hOCR the workbench cannot read ({error})") from None
    if angle:
        # Boxes found on the straightened image are turned back so they fall on the scan as stored.
        words = tuple(replace(w, box=unrotate_box(w.box, angle, size) if w.box else None) for w in page.words)
        page = replace(page, words=words)
        hocr = _unrotate_hocr(hocr, angle, size)
    return page, hocr


def _unrotate_hocr(hocr: str, angle: float, size: tuple[int, int]) -> str:
    """The hOCR with every bbox turned back onto the original scan (baselines stay relative to them)."""
    from workbench.ocr.preprocess import unrotate_box  # as above: cached runs never load numpy

    def turn(match: re.Match) -> str:
        box = unrotate_box(Box(*(int(v) for v in match.groups())), angle, size)
        return f"bbox {box.left} {box.top} {box.right} {box.bottom}"

    return re.sub(r"bbox (\d+) (\d+) (\d+) (\d+)", turn, hocr)


def _describe_failure(status: int, message: str) -> str:
    message = " ".join((message or "").split())[:200]
    how = f"was killed by signal {-status}" if status is not None and status < 0 else f"exited with status {status}"
    return f"tesseract {how}" + (f": {message}" if message else "")


def _name_scan(hocr: str, name: str) -> str:
    """Tesseract writes the temporary input's path into the page's title; name the scan instead."""
    safe = html.escape(name, quote=True)
    pattern = r"(class='ocr_page'[^>]*?title='image \")[^\"]*(\")"
    return re.sub(pattern, lambda m: m.group(1) + safe + m.group(2), hocr, count=1)
