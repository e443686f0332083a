"""Atomic file writes and checksums: a crash never leaves a half-written file behind."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import InputError


def _default_mode() -> int:
    # mkstemp makes 0600 files; a written report or transcript should get the usual umask-based mode.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def stage_bytes(path: Path, data: bytes) -> Path:
    """Write `data` to a new temporary file beside `path` (hidden, `.NAME.*.tmp`), flushed to disk; returns it.

    The caller renames it over `path` (or removes it): this is the first half of an atomic write, for sets
    of files that must be replaced together.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _default_mode())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (renames, removals) to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename over it."""
    tmp = stage_bytes(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_write_json(path: Path, value: Any) -> None:
    """Write `value` as indented UTF-8 JSON to `path` atomically."""
    atomic_write_text(path, json.dumps(value, indent=2, ensure_ascii=False) + "\n")


FileIdentity = tuple[int, int, int]


def file_identity(stat: os.stat_result) -> FileIdentity:
    """What says a file is unchanged since it was last read: its size, modification time and inode (a file
    replaced by an atomic rename has a new inode even when size and time agree)."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def path_identity(path: Path | str) -> FileIdentity | None:
    """`file_identity` of the file at `path`; None when there is no such file."""
    try:
        return file_identity(os.stat(path))
    except FileNotFoundError:
        return None


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_utf8(path: Path, *, what: str = "file") -> str:
    """The text of a UTF-8 file; a one-line error naming the file when it is missing or not UTF-8."""

    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: {what} not found") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read {what} ({error.strerror})") from None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{path}: {what} is not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None
