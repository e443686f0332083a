"""Atomic writes leave whole files with ordinary permissions, and nothing behind on failure."""

from __future__ import annotations

import os

import pytest

from workbench.fsutil import atomic_write_json, atomic_write_text, path_identity, read_utf8, sha256_file


def test_atomic_write_gives_umask_mode_and_no_temp_files(tmp_path):
    target = tmp_path / "out" / "page.txt"
    atomic_write_text(target, "text")
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    assert [p.name for p in target.parent.iterdir()] == ["page.txt"]
    assert len(sha256_file(target)) == 64


def test_failed_write_keeps_the_old_file(tmp_path):
    target = tmp_path / "m.json"
    atomic_write_json(target, {"a": 1})
    with pytest.raises(TypeError):
        atomic_write_json(target, {"a": object()})
    assert read_utf8(target) == '{\n  "a": 1\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]


def test_a_file_replaced_by_rename_has_a_new_identity_even_with_the_same_size_and_time(tmp_path):
    target = tmp_path / "page-001.txt"
    assert path_identity(target) is None
    atomic_write_text(target, "same")
    before = path_identity(target)
    stat = target.stat()
    atomic_write_text(target, "same")  # a new file renamed over the old one
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path_identity(target) != before and path_identity(target)[:2] == before[:2]
