"""The gold transcription of the briefing paper accounts for the seed exactly."""

from __future__ import annotations

import re

import pytest

from tests.conftest import MAIN_DOC, SEED
from workbench.models import MarkingKind

pytestmark = pytest.mark.skipif(not SEED.exists(), reason=f"seed not found at {SEED}")


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def seed_form(marking) -> list[str]:
    """How a marking is written in the seed: struck lines between ~~, stamps one line each."""
    lines = marking.text.split("\n")
    return [f"~~{line}~~" for line in lines] if marking.struck else lines


def test_gold_has_five_pages_with_the_seed_boundaries(repo_collection):
    document = repo_collection.document(MAIN_DOC)
    pages = repo_collection.gold_pages(document)
    assert [p.number for p in pages] == [1, 2, 3, 4, 5]
    assert pages[0].body.rstrip().endswith("they have insisted on the right")
    assert pages[1].body.startswith("of prior consultation")
    assert pages[1].body.rstrip().endswith("to once again")
    assert pages[2].body.startswith("become an important force")
    assert pages[3].body.startswith("2. Facilitate the local deployment")
    assert pages[4].body.startswith("region. This follows")


def test_body_and_markings_account_for_every_seed_line_in_order(repo_collection):
    document = repo_collection.document(MAIN_DOC)
    rebuilt = []
    for page in repo_collection.gold_pages(document):
        top = [m for m in page.markings if m.before_body]
        bottom = [m for m in page.markings if not m.before_body]
        for marking in top:
            rebuilt.extend(seed_form(marking))
        rebuilt.extend(line for line in page.body.splitlines() if line.strip())
        for marking in bottom:
            rebuilt.extend(seed_form(marking))
    seed_lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert rebuilt == seed_lines


def test_body_folded_reproduces_seed_body_and_has_no_markings(repo_collection):
    document = repo_collection.document(MAIN_DOC)
    pages = repo_collection.gold_pages(document)
    body = fold(" ".join(p.body for p in pages))
    marking_lines = set()
    for page in pages:
        for marking in page.markings:
            marking_lines.update(seed_form(marking))
    seed_body = fold(
        " ".join(line for line in SEED.read_text(encoding="utf-8").splitlines() if line not in marking_lines)
    )
    assert body == seed_body
    for page in pages:
        lines = set(page.body.splitlines())
        assert "CONFIDENTIAL" not in lines and "GDS" not in lines and "DECLASSIFIED" not in lines


def test_markings_have_the_kinds_the_paper_shows(repo_collection):
    document = repo_collection.document(MAIN_DOC)
    pages = repo_collection.gold_pages(document)
    kinds = [{m.kind for m in p.markings} for p in pages]
    assert MarkingKind.HANDWRITTEN_ANNOTATION in kinds[0]
    assert MarkingKind.DECLASSIFICATION_STAMP in kinds[0]
    assert MarkingKind.DOWNGRADING_CODE in kinds[0]
    assert {MarkingKind.STRUCK_CLASSIFICATION} == {m.kind for m in pages[1].markings} - {MarkingKind.PAGE_NUMBER}
    for number, page in enumerate(pages[1:], start=2):
        assert [m.text for m in page.markings if m.kind is MarkingKind.PAGE_NUMBER] == [f"-{number}-"]
    assert all(MarkingKind.CLASSIFICATION in k for k in kinds[2:])


def test_full_text_puts_top_markings_first_and_bottom_last(repo_collection):
    document = repo_collection.document(MAIN_DOC)
    page2 = repo_collection.gold_page(document, 2)
    lines = page2.full_text.splitlines()
    assert lines[:2] == ["CONFIDENTIAL", "-2-"]
    assert lines[-1] == "CONFIDENTIAL"
    assert lines[2].startswith("of prior consultation")
