"""Every WORKBENCH_* setting, declared once: name, default, parser and description.

Settings come from the environment. Code reads them through `get(name)`, never `os.environ`, so the
README table (`workbench settings`) and the behaviour cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError


class SettingError(WorkbenchError, ValueError):
    """A setting has a value its parser refuses: reported as one line, as every WorkbenchError is."""


@dataclass(frozen=True, slots=True)
class Setting:
    """One declared setting."""

    name: str
    default: str
    parse: Callable[[str], Any]
    description: str


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise ValueError(f"must be at least 1, got {value}")
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {text!r}")


def _jobs(text: str) -> int:
    return (os.cpu_count() or 1) if text == "auto" else _positive_int(text)


SETTINGS: dict[str, Setting] = {
    s.name: s
    for s in (
        Setting(
            "WORKBENCH_HOME",
            ".",
            Path,
            "Folder holding scans/, transcripts/ and reports/ (the collection).",
        ),
        Setting(
            "WORKBENCH_DB",
            "",
            str,
            "Review store: a SQLite file path or a SQLAlchemy URL (postgresql://...); "
            "empty means WORKBENCH_HOME/workbench.db.",
        ),
        Setting("WORKBENCH_JOBS", "auto", _jobs, "Parallel OCR processes; 'auto' is one per core."),
        Setting("WORKBENCH_LANG", "eng", str, "Tesseract language(s), e.g. 'eng' or 'eng+deu'."),
        Setting("WORKBENCH_OCR_TIMEOUT", "300", _positive_int, "Seconds before one page's OCR is abandoned."),
        Setting(
            "WORKBENCH_TESSERACT",
            "tesseract",
            str,
            "The tesseract program: a name looked up on PATH or a path to the executable.",
        ),
        Setting(
            "WORKBENCH_CACHE",
            "",
            str,
            "Folder of cached OCR results (keyed by image, engine, language data and options); "
            "empty means WORKBENCH_HOME/.workbench-cache.",
        ),
        Setting(
            "WORKBENCH_MAX_IMAGE_PIXELS",
            "120000000",
            _positive_int,
            "Largest image accepted, in pixels; larger ones are refused as decompression bombs.",
        ),
        Setting(
            "WORKBENCH_UPLOAD_MAX_MB",
            "50",
            _positive_int,
            "Largest file, in MB, that the Documents page accepts for upload.",
        ),
        Setting(
            "WORKBENCH_AUTH",
            "local",
            str,
            "Who may review: 'local' (a name per session) or 'team' (passwords from WORKBENCH_CREDENTIALS).",
        ),
        Setting(
            "WORKBENCH_CREDENTIALS",
            "",
            str,
            "Team mode: YAML file of reviewers with hashed passwords; empty means WORKBENCH_HOME/credentials.yaml.",
        ),
        Setting("WORKBENCH_PROGRESS", "true", _boolean, "Show progress bars on the terminal."),
        Setting(
            "WORKBENCH_DOCUMENT",
            "us-japan-1974",
            str,
            "The document the app opens first (or the first of its scan variants); else the collection's first.",
        ),
    )
}


def get(name: str) -> Any:
    """The parsed value of setting `name`, from the environment or its declared default."""
    setting = SETTINGS[name]
    raw = os.environ.get(name, setting.default)
    try:
        return setting.parse(raw)
    except (ValueError, TypeError) as error:
        raise SettingError(f"{name}={raw!r}: {error}") from None


def home() -> Path:
    """The collection folder (WORKBENCH_HOME), absolute."""
    return Path(get("WORKBENCH_HOME")).resolve()


def describe() -> list[tuple[str, str, str]]:
    """(name, default, description) of every setting, for `workbench settings` and the README."""
    return [(s.name, s.default, s.description) for s in SETTINGS.values()]
