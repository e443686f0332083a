"""bench/bench_scale.py's bookkeeping: merging a separate run's figures, and the growth fit."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "bench" / "bench_scale.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_scale_under_test", _PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_growth_exponent_is_the_slope_of_log_time_on_log_pages(bench):
    assert bench.growth_exponent([(100, 2.0), (1000, 20.0), (10000, 200.0)]) == pytest.approx(1.0)
    assert bench.growth_exponent([(100, 1.0), (10000, 10.0)]) == pytest.approx(0.5)
    assert bench.growth_exponent([(100, 1.0)]) is None
    assert math.isclose(bench.growth_exponent([(100, 3.0), (1000, 3.0)]), 0.0, abs_tol=1e-12)


def test_a_separate_run_replaces_only_its_own_steps_and_sizes_and_is_noted(bench):
    earlier = {
        "sizes": {
            "100": {"evaluate": {"seconds": 1.0, "pages": 100}, "report-all": {"seconds": 9.0, "pages": 100}},
            "1000": {"evaluate": {"seconds": 10.0, "pages": 1000}},
        }
    }
    run = {
        "command": "python bench/bench_scale.py --sizes 1000 --steps report-all-again",
        "load_at_start": 3.5,
        "sizes": {"1000": {"collection": {"pages": 1000}, "report-all-again": {"seconds": 40.0, "pages": 1000}}},
    }
    merged = bench._merged(earlier, run, ("report-all-again",), flag_cache=Path("cache"))
    assert merged["sizes"]["100"] == {
        "evaluate": {"seconds": 1.0, "pages": 100}, "report-all": {"seconds": 9.0, "pages": 100}
    }
    assert merged["sizes"]["1000"]["evaluate"] == {"seconds": 10.0, "pages": 1000}
    assert merged["sizes"]["1000"]["report-all-again"]["seconds"] == 40.0
    assert merged["sizes"]["1000"]["report-all-again"]["separate_run"] == run["command"]
    assert "collection" not in merged["sizes"]["1000"]
    (note,) = merged["notes"]
    assert run["command"] in note and "3.5" in note and "flag cache filled beforehand" in note
    assert bench._growth(merged)["report-all-again"] is None  # one size only: no fit
