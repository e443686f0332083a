"""`workbench compare`: any OCR file or folder against any GT, without a document."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.compare import (
    NOT_A_TEXT_NAME,
    SECOND_OF_STEM,
    Comparison,
    FolderComparison,
    compare_files,
    compare_folders,
    compare_paths,
    pair_stem,
    read_source,
)
from workbench.compare_report import comparison_dict, format_comparison, render_html
from workbench.errors import InputError
from workbench.normalize import DINGLEHOPPER, ComparisonOptions

DATA = Path(__file__).resolve().parent / "data" / "compare"
FORMATS = {"text": "txt", "alto": "alto.xml", "page": "page.xml", "hocr": "hocr"}


def fixture(role: str, kind: str) -> Path:
    return DATA / f"letter.{role}.{FORMATS[kind]}"


def figures(result: Comparison | FolderComparison) -> tuple:
    score = result.evaluation.score()
    return (score.cer, score.wer, score.substitutions, score.insertions, score.deletions, score.gold_chars)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_json(capsys, *argv: str) -> dict:
    assert main(["compare", *argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


# ---- reading: formats by content ------------------------------------------------------------------


@pytest.mark.parametrize("gt_kind", FORMATS)
@pytest.mark.parametrize("ocr_kind", FORMATS)
def test_every_format_pairing_gives_the_figures_of_the_text_files(gt_kind, ocr_kind):
    reference = compare_files(fixture("gt", "text"), fixture("ocr", "text"))
    result = compare_files(fixture("gt", gt_kind), fixture("ocr", ocr_kind))
    assert (result.gt.format, result.ocr.format) == (gt_kind, ocr_kind)
    assert figures(result) == figures(reference)
    assert result.evaluation.bag_of_words_rate() == reference.evaluation.bag_of_words_rate()
    assert result.flexible == reference.flexible
    # whitespace counted too: the formats give the same text, line breaks included
    kept = ComparisonOptions(fold_whitespace=False)
    assert figures(compare_files(fixture("gt", gt_kind), fixture("ocr", ocr_kind), options=kept)) == figures(
        compare_files(fixture("gt", "text"), fixture("ocr", "text"), options=kept)
    )


def test_known_figures_of_the_letter():
    result = compare_files(fixture("gt", "text"), fixture("ocr", "text"))
    score = result.evaluation.score()
    assert (score.substitutions, score.insertions, score.deletions) == (2, 0, 0)
    assert score.cer == pytest.approx(2 / score.gold_chars)
    assert score.wer == pytest.approx(2 / 16)
    assert result.flexible is not None and result.flexible.errors == 2


def test_format_is_told_by_content_not_by_file_name(tmp_path):
    disguised = shutil.copy(fixture("ocr", "alto"), tmp_path / "letter.txt")
    plain = shutil.copy(fixture("ocr", "text"), tmp_path / "letter.xml")
    assert read_source(disguised).format == "alto"
    assert read_source(plain).format == "text"
    assert figures(compare_files(fixture("gt", "text"), disguised)) == figures(
        compare_files(fixture("gt", "text"), plain)
    )


def test_plain_text_lines_are_read_as_dinglehopper_reads_them(tmp_path):
    source = read_source(write(tmp_path / "a.txt", "\ufeff  one  \r\ntwo\rthree\n\nfour\n"))
    assert source.pages == ("one\ntwo\nthree\n\nfour",)


def test_pages_are_compared_page_by_page_when_both_files_hold_as_many(tmp_path):
    gt = write(tmp_path / "gt.txt", "Dear Sir,\fWe thank you.\n")
    ocr = write(tmp_path / "ocr.txt", "Dear Sir.\fWe thank yon.\n")
    result = compare_files(gt, ocr)
    assert not result.joined
    assert [page.chars.distance for page in result.evaluation.pages] == [1, 1]


def test_files_of_different_page_counts_are_each_compared_as_one_text(tmp_path):
    gt = write(tmp_path / "gt.txt", "Dear Sir,\nWe thank you.\n")
    ocr = write(tmp_path / "ocr.txt", "Dear Sir,\fWe thank you.\n")
    result = compare_files(gt, ocr)
    assert result.joined and len(result.evaluation.pages) == 1
    assert result.evaluation.score().cer == 0
    assert "each file compared as one text" in format_comparison(result)


# ---- folders ---------------------------------------------------------------------------------------


def make_folders(tmp_path: Path) -> tuple[Path, Path]:
    gt, ocr = tmp_path / "gt", tmp_path / "ocr"
    write(gt / "p1.gt.txt", "Dear Sir,")
    write(gt / "p2.gt.txt", "We thank you for your prompt service.")
    write(gt / "p10.gt.txt", "Yours faithfully,")
    write(gt / "only-gt.gt.txt", "No OCR for this one.")
    write(gt / "scan-p1.png", "not compared")
    write(ocr / "p1.txt", "Dear Sir.")
    shutil.copy(fixture("ocr", "alto"), ocr / "p2.xml")
    write(ocr / "p10.txt", "Yours faithfully,")
    write(ocr / "P10.txt", "stems are case-sensitive")
    write(ocr / "only-ocr.txt", "No GT for this one.")
    return gt, ocr


def test_folders_pair_by_stem_and_list_every_file_left_out(tmp_path):
    gt, ocr = make_folders(tmp_path)
    result = compare_folders(gt, ocr)
    assert [pair.name for pair in result.pairs] == ["p1", "p2", "p10"]  # natural order
    assert [pair.ocr.format for pair in result.pairs] == ["text", "alto", "text"]
    assert result.unmatched_gt == (gt / "only-gt.gt.txt",)
    assert set(result.unmatched_ocr) == {ocr / "only-ocr.txt", ocr / "P10.txt"}
    assert [(item.path, item.reason) for item in result.ignored_gt] == [(gt / "scan-p1.png", NOT_A_TEXT_NAME)]
    table = format_comparison(result)
    for name in ("only-gt.gt.txt", "only-ocr.txt", "P10.txt", "scan-p1.png"):
        assert name in table


def test_folder_figures_pool_the_pairs_pages(tmp_path):
    gt, ocr = make_folders(tmp_path)
    result = compare_folders(gt, ocr)
    pooled = result.evaluation.score()
    assert pooled.gold_chars == sum(pair.evaluation.score().gold_chars for pair in result.pairs)
    assert pooled.substitutions == sum(pair.evaluation.score().substitutions for pair in result.pairs)
    assert result.pair_pages() == ((1, 1), (2, 2), (3, 3))
    assert result.flexible is not None
    assert result.flexible.errors == sum(pair.flexible.errors for pair in result.pairs)


def test_folder_json_lists_pairs_and_unmatched(tmp_path, capsys):
    gt, ocr = make_folders(tmp_path)
    data = run_json(capsys, str(gt), str(ocr))
    assert [pair["name"] for pair in data["pairs"]] == ["p1", "p2", "p10"]
    assert data["pairs"][1]["ocr"]["format"] == "alto"
    assert data["unmatched"]["gt"] == [str(gt / "only-gt.gt.txt")]
    assert sorted(data["unmatched"]["ocr"]) == sorted([str(ocr / "only-ocr.txt"), str(ocr / "P10.txt")])
    assert data["ignored"]["gt"] == [{"path": str(gt / "scan-p1.png"), "reason": NOT_A_TEXT_NAME}]
    assert data["flexible_character_accuracy"]["pairs"] == 3


def test_a_second_file_of_a_stem_is_listed_not_compared(tmp_path):
    gt, ocr = tmp_path / "gt", tmp_path / "ocr"
    write(gt / "p1.txt", "Dear Sir,")
    write(ocr / "p1.txt", "Dear Sir,")
    shutil.copy(fixture("ocr", "hocr"), ocr / "p1.hocr")
    result = compare_folders(gt, ocr)
    assert result.pairs[0].ocr.path == ocr / "p1.txt"
    assert [(item.path, item.reason) for item in result.ignored_ocr] == [(ocr / "p1.hocr", SECOND_OF_STEM)]


@pytest.mark.parametrize(
    ("name", "stem"),
    [("p1.gt.txt", "p1"), ("p1.ocr.txt", "p1"), ("p1.TXT", "p1"), ("p1.alto.xml", "p1"), ("p1.hocr.html", "p1"),
     ("p1.xhtml", "p1"), ("Page.1.xml", "Page.1"), ("p1.png", None), (".txt", None)],
)  # fmt: skip
def test_pair_stem_strips_one_known_suffix(name, stem):
    assert pair_stem(name) == stem


# ---- options ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "gold", "ocr"),
    [
        ("--case-insensitive", "Dear Sir", "dear sir"),
        ("--remove-accents", "café crème", "cafe creme"),
        ("--ignore-punctuation", "Dear Sir, thanks.", "Dear Sir thanks"),
        ("--fold-equivalents", "It’s ﬁne — truly", "It's fine – truly"),
    ],
)
def test_each_character_option_removes_exactly_its_difference(tmp_path, capsys, flag, gold, ocr):
    gt, oc = write(tmp_path / "gt.txt", gold), write(tmp_path / "ocr.txt", ocr)
    plain = run_json(capsys, str(gt), str(oc))
    optioned = run_json(capsys, str(gt), str(oc), flag)
    assert plain["document"]["cer"] > 0
    assert optioned["document"]["cer"] == 0
    assert optioned["flexible_character_accuracy"]["accuracy"] == 1.0  # FCA takes the options too
    option = flag.removeprefix("--").replace("-", "_")
    assert optioned["options"][option] is True and plain["options"][option] is False


def test_keep_whitespace_counts_the_spaces_folding_ignores(tmp_path, capsys):
    gt, oc = write(tmp_path / "gt.txt", "Dear Sir,\nthanks"), write(tmp_path / "ocr.txt", "Dear  Sir, thanks")
    assert run_json(capsys, str(gt), str(oc))["document"]["cer"] == 0
    kept = run_json(capsys, str(gt), str(oc), "--keep-whitespace")
    assert kept["document"]["char_errors"] == 2 and kept["options"]["fold_whitespace"] is False


def test_private_use_letters_joins_words_around_mufi_characters(tmp_path, capsys):
    gt, oc = write(tmp_path / "gt.txt", "de\ue000elben"), write(tmp_path / "ocr.txt", "de\ue000elben")
    plain = run_json(capsys, str(gt), str(oc))
    letters = run_json(capsys, str(gt), str(oc), "--private-use-letters")
    assert letters["document"]["gold_words"] == 1 < plain["document"]["gold_words"]
    assert letters["options"]["private_use_letters"] is True


def test_hash_marks_gold_text_that_is_not_scored(tmp_path, capsys):
    gt = write(tmp_path / "gt.txt", "The ######## of books arrived on Monday.")
    oc = write(tmp_path / "ocr.txt", "The shipmcnt of books arrived on Monday.")
    plain = run_json(capsys, str(gt), str(oc))
    excluded = run_json(capsys, str(gt), str(oc), "--no-gold-char", "#")
    assert plain["document"]["cer"] > 0.15
    assert excluded["document"]["cer"] == 0 and excluded["document"]["wer"] == 0
    assert excluded["document"]["gold_chars"] == len("The  of books arrived on Monday.")
    assert excluded["options"]["no_gold_char"] == "#"


def test_dinglehopper_options_give_dinglehoppers_figures(tmp_path):
    dinglehopper_cli = pytest.importorskip("dinglehopper.cli", reason="dinglehopper is not installed")
    gt = write(tmp_path / "gt.txt", "Dear  Sir,\n“The shipment” of books\narrived on Monday.\n")
    ocr = write(tmp_path / "ocr.txt", "Dear Sir.\n\"The shipmcnt\" of bocks\narrived cn Monday\n")
    dinglehopper_cli.process(str(gt), str(ocr), "report", str(tmp_path / "reports"), plain_encoding="utf-8")
    theirs = json.loads((tmp_path / "reports" / "report.json").read_text())
    options = ComparisonOptions(
        fold_whitespace=DINGLEHOPPER.fold_whitespace, private_use_letters=True, fold_equivalents=True
    )
    ours = compare_files(gt, ocr, options=options).evaluation.score()
    assert ours.cer == pytest.approx(theirs["cer"], abs=1e-9)
    assert ours.wer == pytest.approx(theirs["wer"], abs=1e-9)
    assert (ours.gold_chars, ours.gold_words) == (theirs["n_characters"], theirs["n_words"])


def test_no_fca_and_fca_grid(tmp_path, capsys):
    gt, oc = str(fixture("gt", "text")), str(fixture("ocr", "text"))
    assert run_json(capsys, gt, oc, "--no-fca")["flexible_character_accuracy"] is None
    grid = run_json(capsys, gt, oc, "--fca-grid")
    assert grid["fca"] == "grid" and grid["flexible_character_accuracy"]["accuracy"] == pytest.approx(1 - 2 / 86)
    with pytest.raises(SystemExit):
        main(["compare", gt, oc, "--no-fca", "--fca-grid"])  # one or the other


def test_identical_texts_have_flexible_accuracy_one():
    result = compare_files(fixture("gt", "text"), fixture("gt", "page"))
    assert result.flexible is not None and result.flexible.accuracy == 1.0


# ---- outputs ---------------------------------------------------------------------------------------


def test_json_keys_are_evaluate_jsons_keys(tmp_path, capsys):
    assert main(["evaluate", "us-japan-1974", "--json"]) == 0
    evaluate = json.loads(capsys.readouterr().out)
    for data in (
        run_json(capsys, str(fixture("gt", "text")), str(fixture("ocr", "alto"))),
        run_json(capsys, *map(str, make_folders(tmp_path))),
    ):
        assert set(evaluate) <= set(data)
        assert set(data) - set(evaluate) <= {"flexible_character_accuracy", "fca", "sources", "pairs", "unmatched",
                                             "ignored"}  # fmt: skip
        assert set(data["document"]) == set(evaluate["document"])
        assert set(data["document"]["cer_interval"]) == set(evaluate["document"]["cer_interval"])
        assert set(data["options"]) == set(evaluate["options"])
        assert {frozenset(page) for page in data["pages"]} == {frozenset(evaluate["pages"][0])}
        assert set(data["confusions"][0]) == set(evaluate["confusions"][0])


def test_table_names_the_options_and_lists_confusions():
    table = format_comparison(compare_files(fixture("gt", "text"), fixture("ocr", "text")), top=5)
    assert "comparison: whitespace folded" in table
    assert "'e' -> 'c'" in table and "'u' -> 'n'" in table
    assert "flexible character accuracy 97.67%" in table


def test_html_report_is_escaped_and_shows_the_options(tmp_path, capsys):
    gt = write(tmp_path / "<b>gt.txt", "Dear Sir <script>alert(1)</script>")
    oc = write(tmp_path / "ocr.txt", "Dear Sir <script>alert(2)</script>")
    report = tmp_path / "out" / "report.html"
    assert main(["compare", str(gt), str(oc), "--html", str(report), "--case-insensitive", "--top", "3"]) == 0
    html = report.read_text(encoding="utf-8")
    assert "<script>" not in html and "&lt;b&gt;gt.txt" in html
    assert "case_insensitive" in html and "case-insensitive" in html
    assert "1:" in html  # the options' version
    assert capsys.readouterr().out.startswith("GT:")


def test_html_of_folders_lists_unmatched_files(tmp_path):
    gt, ocr = make_folders(tmp_path)
    html = render_html(compare_folders(gt, ocr))
    assert "only-gt.gt.txt" in html and "only-ocr.txt" in html and "scan-p1.png" in html


# ---- the interval ----------------------------------------------------------------------------------


def many_pages(tmp_path: Path, count: int) -> tuple[Path, Path]:
    gt, ocr = tmp_path / f"gt{count}", tmp_path / f"ocr{count}"
    for i in range(count):
        # pages of 0 to 8 substitutions, so the pages' rates vary
        errors = 2 * (i % 5)
        line = "The shipment of books arrived on Monday."
        write(gt / f"p{i}.gt.txt", line)
        write(ocr / f"p{i}.txt", "X" * errors + line[errors:])
    return gt, ocr


def test_folder_interval_repeats_exactly_under_a_seed_and_narrows_with_more_pages(tmp_path, capsys):
    gt, ocr = many_pages(tmp_path, 8)
    first = run_json(capsys, str(gt), str(ocr), "--seed", "7")["document"]["cer_interval"]
    again = run_json(capsys, str(gt), str(ocr), "--seed", "7")["document"]["cer_interval"]
    assert first == again and first["seed"] == 7 and first["pages"] == 8
    assert first["low"] < first["high"]
    big_gt, big_ocr = many_pages(tmp_path, 64)
    wide = compare_folders(gt, ocr, fca="off").evaluation.cer_interval(seed=7)
    narrow = compare_folders(big_gt, big_ocr, fca="off").evaluation.cer_interval(seed=7)
    assert narrow.high - narrow.low < wide.high - wide.low


# ---- bad input -------------------------------------------------------------------------------------


def bad_inputs(tmp_path: Path) -> dict[str, tuple[Path, Path, Path]]:
    """Each case: (GT, OCR, the path the error must name)."""
    good = fixture("gt", "text")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9".encode("latin-1"))
    empty = write(tmp_path / "empty.txt", " \n")
    folder = tmp_path / "folder"
    write(folder / "p1.txt", "x")
    empty_folder = tmp_path / "nothing"
    empty_folder.mkdir()
    other = tmp_path / "other"
    write(other / "q1.txt", "x")
    unknown_xml = write(tmp_path / "tei.xml", "<TEI><text>hello</text></TEI>")
    return {
        "binary": (good, binary, binary),
        "not utf-8": (latin1, good, latin1),
        "empty file": (good, empty, empty),
        "bad xml": (DATA / "truncated.alto.xml", good, DATA / "truncated.alto.xml"),
        "unknown xml": (good, unknown_xml, unknown_xml),
        "missing": (tmp_path / "missing.txt", good, tmp_path / "missing.txt"),
        "file vs folder": (good, folder, good),
        "empty folder": (folder, empty_folder, empty_folder),
        "no pairs": (folder, other, other),
    }


@pytest.mark.parametrize(
    "case",
    ["binary", "not utf-8", "empty file", "bad xml", "unknown xml", "missing", "file vs folder", "empty folder",
     "no pairs"],
)  # fmt: skip
def test_bad_input_is_one_line_naming_the_file_and_exit_2(tmp_path, capsys, case):
    gt, ocr, named = bad_inputs(tmp_path)[case]
    with pytest.raises(InputError, match=str(named).replace("\\", "\\\\").replace(".", r"\.")):
        compare_paths(gt, ocr)
    assert main(["compare", str(gt), str(ocr)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().count("\n") == 0
    assert captured.err.startswith("workbench compare: error: ") and str(named) in captured.err


def test_a_bad_file_inside_a_folder_names_that_file(tmp_path, capsys):
    gt, ocr = make_folders(tmp_path)
    shutil.copy(DATA / "truncated.alto.xml", ocr / "p1.txt")
    assert main(["compare", str(gt), str(ocr)]) == 2
    assert str(ocr / "p1.txt") in capsys.readouterr().err


def test_result_dict_is_plain_json(tmp_path):
    gt, ocr = make_folders(tmp_path)
    data = comparison_dict(compare_folders(gt, ocr), top=3)
    assert json.loads(json.dumps(data)) == data
