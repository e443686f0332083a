"""The OCR cache: a page's Tesseract result kept under a key of everything that could change it.

key = SHA-256 of (image SHA-256, Tesseract version, SHA-256 of each language data file, options,
CACHE_FORMAT). A second run over an unchanged document finds every page here and starts no
Tesseract at all: even the engine's version and languages are remembered, per program file (path, size,
mtime) and language folder (mtime), so an upgraded Tesseract or a new language package is noticed.

Layout under WORKBENCH_CACHE (default WORKBENCH_HOME/.workbench-cache):
    engines/<id>.json        what `tesseract --version` / `--list-langs` said for one program file
    pages/<ab>/<key>.json    one page's text, words, hOCR and deskew angle
A damaged entry is a miss, never an error: the page is simply read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from workbench import settings
from workbench.fsutil import atomic_write_json
from workbench.ocr.options import OcrOptions
from workbench.ocr.store import word_from_json, word_to_json
from workbench.ocr.tesseract import Engine, PageOcr, Resolution, file_checksum, probe_engine, resolve_command

# Bump when the way a page's text and words are built from Tesseract's output changes.
CACHE_FORMAT = 3  # 2: the resolution is chosen and recorded; 3: the file as it is may be read too, the better kept
_CHECKSUMS: dict[tuple, str] = {}


def default_root() -> Path:
    """The cache folder: WORKBENCH_CACHE, or WORKBENCH_HOME/.workbench-cache when that is empty."""
    configured = settings.get("WORKBENCH_CACHE")
    return Path(configured).resolve() if configured else settings.home() / ".workbench-cache"


def _folder_mtime(folder: Path | None) -> int | None:
    try:
        return folder.stat().st_mtime_ns if folder is not None else None
    except OSError:
        return None


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=True).encode("ascii")).hexdigest()


@dataclass(frozen=True, slots=True)
class OcrCache:
    """Cached page results and engine descriptions in one folder."""

    root: Path

    @classmethod
    def default(cls) -> OcrCache:
        """The cache at WORKBENCH_CACHE."""
        return cls(default_root())

    def engine(self) -> Engine:
        """The Tesseract that WORKBENCH_TESSERACT names, probed once per program file and remembered.

        OcrError when tesseract is missing or is not a working tesseract.
        """
        command = resolve_command()
        stat = os.stat(command)
        identity = [command, stat.st_size, stat.st_mtime_ns, os.environ.get("TESSDATA_PREFIX", "")]
        path = self.root / "engines" / f"{_digest(identity)[:32]}.json"
        try:
            data = json.loads(path.read_text("utf-8"))
            tessdata = Path(data["tessdata"]) if data["tessdata"] else None
            # A language package installed or removed since changes the folder, not the program.
            if data["tessdata_mtime"] == _folder_mtime(tessdata):
                return Engine(command, data["version"], tessdata, tuple(data["languages"]))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        engine = probe_engine(command)
        atomic_write_json(
            path,
            {
                "identity": identity,
                "version": engine.version,
                "tessdata": str(engine.tessdata) if engine.tessdata else None,
                "tessdata_mtime": _folder_mtime(engine.tessdata),
                "languages": list(engine.languages),
            },
        )
        return engine

    def language_checksums(self, engine: Engine, options: OcrOptions) -> dict[str, str]:
        """SHA-256 of each language data file the options use (OcrError for a language not installed)."""
        files = engine.language_files(options.lang, psm=options.psm)
        sums = {}
        for name, path in files.items():
            try:
                sums[name] = file_checksum(path, memo=_CHECKSUMS)
            except OSError:
                sums[name] = "unreadable"  # Tesseract itself will then say what is wrong
        return sums

    def key(self, *, image_sha256: str, engine: Engine, languages: dict[str, str], options: OcrOptions) -> str:
        """The cache key of one page: everything its OCR result depends on."""
        return _digest(
            {
                "format": CACHE_FORMAT,
                "image": image_sha256,
                "engine": engine.version,
                "languages": languages,
                "options": options.as_dict(),
            }
        )

    def _path(self, key: str) -> Path:
        return self.root / "pages" / key[:2] / f"{key}.json"

    def get(self, key: str) -> PageOcr | None:
        """The cached result for `key`, or None (absent or damaged)."""
        try:
            data = json.loads(self._path(key).read_text("utf-8"))
            if data.get("key") != key:
                return None
            page = PageOcr(
                text=data["text"],
                words=tuple(word_from_json(w) for w in data["words"]),
                hocr=data["hocr"],
                angle=data.get("angle"),
                dpi=data.get("dpi", 300),
                resolution=Resolution.from_dict(data["resolution"]) if data.get("resolution") else None,
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if any(page.text[w.start : w.end] != w.text for w in page.words):
            return None
        return page

    def put(self, key: str, page: PageOcr) -> None:
        """Keep a page's result under `key` (written atomically)."""
        atomic_write_json(
            self._path(key),
            {
                "key": key,
                "text": page.text,
                "words": [word_to_json(w) for w in page.words],
                "hocr": page.hocr,
                "angle": page.angle,
                "dpi": page.dpi,
                "resolution": page.resolution.as_dict() if page.resolution else None,
            },
        )
