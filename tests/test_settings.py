"""Settings are declared once and parsed with clear errors."""

from __future__ import annotations

import pytest

from workbench import settings


def test_default_used_when_unset(monkeypatch):
    monkeypatch.delenv("WORKBENCH_LANG", raising=False)
    assert settings.get("WORKBENCH_LANG") == "eng"


def test_bad_value_names_the_setting(monkeypatch):
    monkeypatch.setenv("WORKBENCH_JOBS", "zero")
    with pytest.raises(settings.SettingError, match=r"WORKBENCH_JOBS='zero'"):
        settings.get("WORKBENCH_JOBS")


def test_jobs_auto_is_cpu_count(monkeypatch):
    monkeypatch.setenv("WORKBENCH_JOBS", "auto")
    assert settings.get("WORKBENCH_JOBS") >= 1
