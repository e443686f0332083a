"""Atomic writes leave whole files with ordinary permissions, and nothing behind on failure."""

from __future__ import annotations

import os

import pytest

from workbench.fsutil import atomic_write_json, atomic_write_text, read_utf8, sha256_file


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
