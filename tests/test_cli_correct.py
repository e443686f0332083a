"""`workbench correct`: a line edit from a script, refused in one line (exit 2) when --expect no longer
matches, undone with --undo; the export shows the text."""

from __future__ import annotations

import pytest

from tests.test_transcript_lines import memo  # noqa: F401  (a document without gold or scans)
from workbench.cli import main
from workbench.store import open_store

DOC = "memo"


def correct(*extra: str) -> int:
    return main(["correct", DOC, "--page", "1", "--reviewer", "ann", *extra])


def test_correct_replaces_the_line_and_export_shows_it(memo, capsys):  # noqa: F811
    assert correct("--line", "3", "--text", "was signed in November 1974.") == 0
    out = capsys.readouterr().out
    assert "'was signed in Novembcr 1974.' -> 'was signed in November 1974.'" in out
    assert main(["export", DOC, "--format", "txt"]) == 0
    assert "signed in November 1974." in capsys.readouterr().out


def test_correct_with_a_stale_expect_is_refused_in_one_line_and_writes_nothing(memo, capsys):  # noqa: F811
    assert correct("--line", "1", "--text", "When the original") == 0
    capsys.readouterr()
    assert correct("--line", "1", "--text", "When, the original", "--expect", "4. when the original") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "now reads 'When the original'" in err and "not saved" in err
    assert [e.text for e in open_store().line_edits(DOC)] == ["When the original"]
    assert correct("--line", "1", "--text", "When, the original", "--expect", "When the original") == 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--line", "9", "--text", "x"), "no line 9"),
        (("--line", "0", "--text", "x"), "no line 0"),
        (("--line", "1", "--text", "two\nlines"), "one line"),
        (("--line", "1", "--undo"), "no edit to undo"),
    ],
)
def test_bad_lines_and_texts_are_one_line_errors(memo, capsys, extra, message):  # noqa: F811
    assert correct(*extra) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err


def test_undo_gives_the_line_back(memo, capsys):  # noqa: F811
    assert correct("--line", "1", "--text", "When the original") == 0
    assert correct("--line", "1", "--undo") == 0
    assert "line 1: edit undone" in capsys.readouterr().out
    assert main(["export", DOC, "--format", "txt"]) == 0
    assert capsys.readouterr().out.startswith("4. when the original\n")


def test_a_document_without_ocr_is_a_one_line_error(tmp_collection, capsys):
    from workbench.corpus import write_manifest
    from workbench.models import Document, PageRef

    write_manifest(Document("bare", "Bare", (PageRef("bare", 1),)), tmp_collection.manifest_path("bare"))
    assert main(["correct", "bare", "--page", "1", "--line", "1", "--text", "x", "--reviewer", "ann"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
