"""dinglehopper's own concrete CER/WER cases, loaded from the installed package, run through our metrics.

The cases are harvested at test time: dinglehopper's test functions (the modules in MODULES) run with
their metric functions wrapped, so every call they make is recorded with its inputs and dinglehopper's
result. Their assertions still run, so each recorded result is also the figure its test expects.
Tests whose data files the installed package lacks (the integration tests' PAGE/ALTO files are not in
the wheel) contribute nothing.

Under `DINGLEHOPPER` options (whitespace as it is, private-use characters as letters in words) our
metrics must give every recorded figure. Under the defaults the only differences allowed are the two
deliberate ones: whitespace folding, and private-use (MUFI) characters breaking words.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import math
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.metrics import cer, character_error, wer, word_error
from workbench.normalize import DEFAULT, DINGLEHOPPER, ComparisonOptions, fold_whitespace, words

MODULES = (
    "test_character_error_rate",
    "test_word_error_rate",
    "test_edit_distance",
    "test_editops",
    "test_integ_character_error_rate_ocr",
    "test_integ_word_error_rate_ocr",
    "test_integ_edit_distance_ocr",
    "test_integ_empty_files",
)
# The case that the defaults are known to decide differently (MUFI letters split words by default).
PRIVATE_USE_CASE = "test_word_error_rate::test_words_private_use_area#1"


class Metric(enum.Enum):
    """The dinglehopper functions whose calls are cases, by their names in its test modules."""

    CER = "character_error_rate"
    WER = "word_error_rate"
    DISTANCE = "distance"
    EDITOPS = "editops"
    WORDS = "words"


@dataclass(frozen=True, slots=True)
class Case:
    """One call of a dinglehopper metric in its tests: the inputs and dinglehopper's result."""

    test: str
    number: int
    metric: Metric
    texts: tuple[str, ...]
    expected: float | int | list

    @property
    def id(self) -> str:
        """"module::function#n": the n-th metric call in that test function (1-based)."""
        return f"{self.test}#{self.number}"


def _parameter_sets(function: Callable) -> list[dict]:
    """The keyword arguments of each run of `function`: one run, or one per parametrize row."""
    runs = [{}]
    for mark in getattr(function, "pytestmark", ()):
        if mark.name == "parametrize":
            names = [n.strip() for n in mark.args[0].split(",")] if isinstance(mark.args[0], str) else mark.args[0]
            rows = [row if len(names) > 1 else (row,) for row in mark.args[1]]
            runs = [{**run, **dict(zip(names, row, strict=True))} for run in runs for row in rows]
    return runs


@contextmanager
def _recording(module, calls: list) -> Iterator[None]:
    """`module`'s metric functions wrapped to append (metric, args, result) to `calls`."""
    originals = {m: module.__dict__[m.value] for m in Metric if m.value in module.__dict__}

    def wrap(metric: Metric, original: Callable) -> Callable:
        def recorded(*args):
            result = original(*args)
            if inspect.isgenerator(result):
                result = list(result)
            calls.append((metric, args, result))
            return result

        return recorded

    try:
        for metric, original in originals.items():
            setattr(module, metric.value, wrap(metric, original))
        yield
    finally:
        for metric, original in originals.items():
            setattr(module, metric.value, original)


def _expected_local(error: AssertionError, function: Callable) -> object | None:
    """The local variable `expected` of `function`'s frame where `error` was raised, if it has one."""
    traceback = error.__traceback__
    while traceback is not None:
        if traceback.tb_frame.f_code is function.__code__:
            return traceback.tb_frame.f_locals.get("expected")
        traceback = traceback.tb_next
    return None


def harvest() -> tuple[list[Case], list[str]]:
    """dinglehopper's concrete cases, and the test functions that could not run (with the reason)."""
    cases: list[Case] = []
    not_run: list[str] = []
    for name in MODULES:
        module = importlib.import_module(f"dinglehopper.tests.{name}")
        for function_name, function in inspect.getmembers(module, inspect.isfunction):
            if not function_name.startswith("test_") or function.__module__ != module.__name__:
                continue
            for parameters in _parameter_sets(function):
                calls: list = []
                with _recording(module, calls), tempfile.TemporaryDirectory() as tmp:
                    if "tmp_path" in inspect.signature(function).parameters:
                        parameters = {**parameters, "tmp_path": Path(tmp)}
                    try:
                        function(**parameters)
                    except OSError as error:  # a data file the wheel does not ship
                        not_run.append(f"{name}::{function_name}: {error}")
                        continue
                    except AssertionError as error:
                        # dinglehopper itself fails this test here; the test's own `expected` is the
                        # figure it means, and it replaces the last call's result
                        expected = _expected_local(error, function)
                        if expected is None or not calls:
                            not_run.append(f"{name}::{function_name}: fails in dinglehopper itself")
                            continue
                        metric, args, _ = calls[-1]
                        calls[-1] = (metric, args, expected)
                test = f"{name}::{function_name}"
                start = sum(1 for case in cases if case.test == test)
                for number, (metric, args, result) in enumerate(calls, start=start + 1):
                    if all(isinstance(arg, str) for arg in args):
                        cases.append(Case(test, number, metric, tuple(args), result))
    return cases, not_run


@pytest.fixture(scope="module")
def cases(request) -> list[Case]:
    """The harvested cases; the calling test is skipped without dinglehopper."""
    pytest.importorskip("dinglehopper.tests", reason="dinglehopper (the test extra) is not installed")
    # dinglehopper's modules mark tests `integration`; under --strict-markers importing them needs it known
    request.config.addinivalue_line("markers", "integration: dinglehopper's integration tests (harvested)")
    found, _ = harvest()
    return found


def _same(ours: float, theirs: float) -> bool:
    if math.isinf(theirs) or math.isinf(ours):
        return math.isinf(theirs) and math.isinf(ours)
    return abs(ours - theirs) <= 1e-9


def agrees(case: Case, options: ComparisonOptions) -> bool:
    """Whether our metrics under `options` give dinglehopper's result for `case`."""
    if case.metric is Metric.WORDS:
        return words(case.texts[0], options=options) == case.expected
    gold, ocr = case.texts
    if case.metric is Metric.CER:
        rates = cer(gold, ocr, options=options), character_error(gold, ocr, options=options).rate
        return all(_same(rate, case.expected) for rate in rates)
    if case.metric is Metric.WER:
        rates = wer(gold, ocr, options=options), word_error(gold, ocr, options=options).rate
        return all(_same(rate, case.expected) for rate in rates)
    distance = character_error(gold, ocr, options=options).distance
    # editops lists one operation per unit of distance
    return distance == (len(case.expected) if case.metric is Metric.EDITOPS else case.expected)


def test_harvest_finds_dinglehoppers_cases_of_every_metric(cases):
    assert len(cases) >= 35
    assert {case.metric for case in cases} == set(Metric)
    assert len({case.id for case in cases}) == len(cases)


def test_dinglehopper_options_give_dinglehoppers_figures_on_every_case(cases):
    disagreeing = [case.id for case in cases if not agrees(case, DINGLEHOPPER)]
    assert disagreeing == []


def test_default_options_differ_only_by_whitespace_folding_and_private_use_letters(cases):
    disagreeing = [case for case in cases if not agrees(case, DEFAULT)]
    assert PRIVATE_USE_CASE in {case.id for case in disagreeing}
    for case in disagreeing:
        # each difference is one of the two deliberate ones: undoing that one rule alone removes it
        folds = any(fold_whitespace(text) != text for text in case.texts)
        private_use = any("\ue000" <= c <= "\uf8ff" for text in case.texts for c in text)
        explained = (folds and agrees(case, replace(DEFAULT, fold_whitespace=False))) or (
            private_use and agrees(case, replace(DEFAULT, private_use_letters=True))
        )
        assert explained, case.id


def test_most_cases_agree_under_the_defaults(cases):
    agreeing = sum(agrees(case, DEFAULT) for case in cases)
    assert agreeing >= len(cases) - 2


# Pieces that the two whitespace treatments, NFC, grapheme clusters and MUFI letters decide.
_PIECES = ("a", "b", " ", "  ", "\n", "\t", "\r\n", "\u00e9", "e\u0301", "\ue72b", "\u0928\u094d", ".")
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)


@settings(max_examples=60, deadline=None)
@given(gold=_TEXT, ocr=_TEXT)
def test_dinglehopper_options_equal_dinglehopper_on_unfolded_text(gold, ocr):
    # whitespace runs, CR LF, line breaks, combining marks, MUFI letters: dinglehopper's figures as they are
    reference = pytest.importorskip("dinglehopper", reason="dinglehopper (the test extra) is not installed")
    assert _same(cer(gold, ocr, options=DINGLEHOPPER), reference.character_error_rate(gold, ocr))
    expected_distance = reference.distance(gold, ocr)
    assert character_error(gold, ocr, options=DINGLEHOPPER).distance == expected_distance
