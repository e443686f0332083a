"""The scan simulator: typesetting, layout truth against the drawn image, PAGE XML, determinism."""

from __future__ import annotations

import hashlib
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from lxml import etree

from workbench import scansim
from workbench.errors import CorpusError
from workbench.models import GoldPage, Marking, MarkingKind, Zone

DPI = 75  # tests render small pages; 300 dpi is only for the committed scans
NO_WEAR = scansim.WearProfile("none", bleed=0, gain=1, blur=0, noise=0, white=246)

BODY = (
    "of prior consultation--and by implication a veto power--over certain actions of the US as a "
    "protection of their sovereignty. The objects of prior consultation, principally the introduction "
    "of nuclear weapons and the movement of troops into combat from bases in Japan, are to the Japanese "
    "matters of extreme political sensitivity.\n\n"
    "The Purposes of the Alliance\n\n"
    "When the original Security Treaty was signed in 1952, the Japanese possessed no armed forces. "
    "In the interim they have created self-defense forces of modest size and have developed an impressive "
    "capacity to mobilize industrial resources for military purposes in an emergency. The Japanese have "
    "assumed the major burden of responsibility for their own conventional self defense; they maintain a "
    "non-nuclear policy (no construction, no possession, no introduction of nuclear weapons into Japan).\n"
)
MARKINGS = (
    Marking("CONFIDENTIAL", MarkingKind.STRUCK_CLASSIFICATION, Zone.TOP, "top-center"),
    Marking("-2-", MarkingKind.PAGE_NUMBER, Zone.TOP, "top-center"),
    Marking("CONFIDENTIAL", MarkingKind.STRUCK_CLASSIFICATION, Zone.BOTTOM, "bottom-center"),
    Marking("GDS", MarkingKind.DOWNGRADING_CODE, Zone.BOTTOM, "bottom-center"),
    Marking("DECLASSIFIED\nBy hjk NARA, Date 1/11/11", MarkingKind.DECLASSIFICATION_STAMP, Zone.BOTTOM,
            "bottom-right"),
)
TINY = GoldPage(number=2, body=BODY, markings=MARKINGS)


def page_schema() -> etree.XMLSchema:
    """The PAGE 2019-07-15 schema as OCR-D ships it (ocrd is installed with the test extra's dinglehopper)."""
    from importlib.resources import files

    xsd = files("ocrd_validators") / "page.xsd"
    return etree.XMLSchema(etree.parse(str(xsd)))


@pytest.fixture(scope="module")
def tiny_page() -> scansim.SimulatedPage:
    return scansim.simulate_page(TINY, wear=NO_WEAR, dpi=DPI, seed=7)


def dehyphenate(lines: list[str]) -> str:
    return re.sub(r"(\w)-\n(\w)", r"\1\2", "\n".join(lines))


def test_wrapped_lines_fit_the_line_and_hyphenate_only_at_dictionary_points():
    lines = scansim.wrap_paragraph(BODY.split("\n\n")[0], first_indent=5, hyphenate_gap=3)
    assert all(column + len(text) <= scansim.LINE_CHARS for text, column, _ in lines)
    assert dehyphenate([text for text, _, _ in lines]).split() == BODY.split("\n\n")[0].split()
    # 55 columns used, 9 left: "consultation" splits at its last dictionary point that fits (con-sul-ta-tion).
    lines = scansim.wrap_paragraph("x" * 55 + " consultation of the parties", hyphenate_gap=3)
    assert lines[0] == ("x" * 55 + " consulta-", 0, "soft")
    assert lines[1][0].startswith("tion of")
    # With a bigger gap the typist carries the word over instead.
    lines = scansim.wrap_paragraph("x" * 55 + " consultation of the parties", hyphenate_gap=10)
    assert lines[0] == ("x" * 55, 0, None)


def test_compound_breaks_after_its_own_hyphen_and_dashes_never_break():
    assert scansim._split_word("self-defense", 6) == ("self-", "defense", "hard")
    assert scansim._split_word("consultation--and", 16) is None
    head, tail, kind = scansim._split_word("consultation,", 9)
    assert kind == "soft" and head.endswith("-") and (head[:-1] + tail) == "consultation,"


def test_the_typist_hyphenates_between_five_and_ten_percent_of_lines(repo_collection):
    document = repo_collection.document("us-japan-1974")
    lines = [line for gold in repo_collection.gold_pages(document) for line in scansim.typeset_body(gold.body)[1]]
    share = sum(1 for line in lines if line.hyphen) / len(lines)
    assert 0.05 <= share <= 0.10


def test_layout_truth_matches_what_was_drawn(tiny_page):
    layout = tiny_page.layout
    _regions, typed = scansim.typeset_body(BODY)
    assert [line.text for line in layout.body_lines] == [line.text for line in typed]
    assert len(layout.body_lines) == len(typed) and len(layout.marking_lines) == 6
    # Words split at line ends come back whole, and each split line ends in its hyphen.
    body = [line.text for line in layout.body_lines]
    assert dehyphenate(body).split() == BODY.split()
    for line in layout.body_lines:
        assert line.text.endswith("-") == (line.hyphen is not None)
    assert [line.text.split()[-1] for line in layout.body_lines if line.hyphen] == ["posses-"]
    # Every line's box holds ink, and no ink lies outside the boxes (the unworn page has no specks).
    pixels = np.asarray(tiny_page.image)
    covered = np.zeros(pixels.shape, dtype=bool)
    for line in layout.lines:
        box = line.box
        assert 0 <= box.left < box.right <= layout.width and 0 <= box.top < box.bottom <= layout.height
        assert pixels[box.top: box.bottom, box.left: box.right].min() < 128, line.text
        covered[box.top: box.bottom, box.left: box.right] = True
    stamp_frame = [line for line in layout.lines if line.kind == "declassification_stamp"]
    frame = stamp_frame[0].box.union(stamp_frame[-1].box)
    pad = 12
    covered[frame.top - pad: frame.bottom + pad, frame.left - pad: frame.right + pad] = True  # the stamp's border
    strike = [line.box for line in layout.lines if line.struck]
    for box in strike:  # the pen line runs a little past the word
        covered[box.top - 3: box.bottom + 3, box.left - 6: box.right + 6] = True
    assert pixels[~covered].min() > 200


def test_markings_are_inside_the_page_and_in_their_zones(tiny_page):
    layout = tiny_page.layout
    body_top = min(line.box.top for line in layout.body_lines)
    body_bottom = max(line.box.bottom for line in layout.body_lines)
    kinds = [line.kind for line in layout.marking_lines]
    assert kinds == ["struck_classification", "page_number", "struck_classification", "downgrading_code",
                     "declassification_stamp", "declassification_stamp"]
    top = layout.marking_lines[:2]
    bottom = layout.marking_lines[2:]
    assert all(line.box.bottom <= body_top for line in top)
    assert all(line.box.top >= body_bottom for line in bottom)
    stamp = [line for line in layout.marking_lines if line.kind == "declassification_stamp"]
    assert min(line.box.left for line in stamp) > layout.width / 2  # bottom-right
    assert [line.struck for line in layout.marking_lines] == [True, False, True, False, False, False]
    assert [line.zone for line in layout.marking_lines] == ["top", "top", "bottom", "bottom", "bottom", "bottom"]
    assert stamp[0].placement == "bottom-right"
    # The rubber stamp went on a little turned: its lines are not level.
    (x0, y0), (x1, y1) = stamp[0].polygon[:2]
    assert 0.5 <= abs(math.degrees(math.atan2(y1 - y0, x1 - x0))) <= 4
    assert layout.text.split("\n")[:2] == ["CONFIDENTIAL", "-2-"]
    assert layout.text.split("\n")[-2:] == ["DECLASSIFIED", "By hjk NARA, Date 1/11/11"]


def test_page_xml_is_valid_and_reads_back_the_same(tiny_page, tmp_path):
    data = scansim.page_xml(tiny_page.layout)
    page_schema().assertValid(etree.fromstring(data))
    path = tmp_path / "page-002.xml"
    path.write_bytes(data)
    loaded = scansim.load_layout(path)
    assert loaded == tiny_page.layout
    root = etree.fromstring(data)
    ns = {"pc": scansim.PAGE_NS}
    stamp = root.find("pc:Page/pc:TextRegion[@type='other']", ns)
    assert "kind:declassification_stamp;" in stamp.get("custom") and "placement:bottom-right;" in stamp.get("custom")
    footer = root.findall("pc:Page/pc:TextRegion[@type='footer']", ns)[0]
    assert footer.get("custom") == "marking {kind:struck_classification; zone:bottom; placement:bottom-center;}"
    assert root.findall(".//pc:TextStyle[@strikethrough='true']", ns)


def test_same_seed_gives_identical_bytes_and_another_seed_does_not():
    first = scansim.simulate_page(TINY, wear="typical", dpi=40, seed=11)
    again = scansim.simulate_page(TINY, wear="typical", dpi=40, seed=11)
    other = scansim.simulate_page(TINY, wear="typical", dpi=40, seed=12)
    assert hashlib.sha256(first.png_bytes()).digest() == hashlib.sha256(again.png_bytes()).digest()
    assert scansim.page_xml(first.layout) == scansim.page_xml(again.layout)
    assert first.png_bytes() != other.png_bytes()


def test_scan_is_8_bit_gray_with_its_dpi_recorded(tiny_page, tmp_path):
    from PIL import Image

    path = tmp_path / "page.png"
    path.write_bytes(tiny_page.png_bytes())
    with Image.open(path) as image:
        assert image.mode == "L"
        assert image.size == (round(8.5 * DPI), 11 * DPI)
        assert round(image.info["dpi"][0]) == DPI


def test_wear_profiles_get_worse_in_order():
    from dataclasses import replace

    gold = GoldPage(number=3, body=BODY)
    typed = np.asarray(scansim.simulate_page(gold, wear=NO_WEAR, dpi=DPI, seed=3).image, dtype=float)
    distance = {}
    for name in ("clean", "typical", "poor"):
        level = replace(scansim.WEAR_PROFILES[name], skew=0)  # unskewed, so pixels compare one to one
        image = np.asarray(scansim.simulate_page(gold, wear=level, dpi=DPI, seed=3).image, dtype=float)
        distance[name] = float(np.abs(image - typed).mean())
    # The same typed sheet, copied worse and worse: further and further from the unworn page.
    assert distance["clean"] < distance["typical"] < distance["poor"]


def test_load_layout_names_the_file_when_broken(tmp_path):
    missing = tmp_path / "page-009.xml"
    with pytest.raises(CorpusError, match=r"page-009\.xml: layout truth not found"):
        scansim.load_layout(missing)
    broken = tmp_path / "page-001.xml"
    broken.write_text("<PcGts><Page", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"page-001\.xml: layout truth is not well-formed"):
        scansim.load_layout(broken)
    other = tmp_path / "page-002.xml"
    other.write_text("<alto/>", encoding="utf-8")
    with pytest.raises(CorpusError, match="not a PAGE XML file"):
        scansim.load_layout(other)


def test_synth_command_writes_scans_layout_and_manifest(copied_collection, capsys):
    from workbench.cli import main

    assert main(["synth", "us-japan-1974-clean", "--dpi", "40", "--pages", "2", "--seed", "5"]) == 0
    folder = copied_collection.document_dir("us-japan-1974-clean")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["pages"][1]
    scan = folder / entry["scan"]
    assert entry["scan"] == "page-002.png" and hashlib.sha256(scan.read_bytes()).hexdigest() == entry["sha256"]
    layout = scansim.load_layout(folder / "page-002.xml")
    assert layout.image_filename == "page-002.png" and layout.width == round(8.5 * 40)
    assert manifest["variant"] == "clean" and manifest["gold"] == "us-japan-1974"
    assert "page 2:" in capsys.readouterr().out


def test_synth_refuses_a_page_the_document_lacks(copied_collection, capsys):
    from workbench.cli import main

    assert main(["synth", "us-japan-1974", "--dpi", "40", "--pages", "9"]) == 2
    assert "no page 9" in capsys.readouterr().err


def test_committed_variants_share_the_gold_and_list_their_scans(repo_collection):
    for doc_id, variant in (("us-japan-1974", "typical"), ("us-japan-1974-clean", "clean"),
                            ("us-japan-1974-poor", "poor")):
        document = repo_collection.document(doc_id)
        assert document.gold == "us-japan-1974" and document.variant == variant
        for page in document.pages:
            assert page.scan is not None and page.scan.exists() and page.sha256
            layout = scansim.load_layout(scansim.layout_path(page.scan))
            assert layout.image_filename == Path(page.scan).name
            assert layout.body_lines and layout.marking_lines


def test_committed_scans_fit_in_sixty_megabytes(repo_collection):
    total = sum(p.stat().st_size for p in repo_collection.scans.rglob("*") if p.is_file())
    assert total < 60 * 1024 * 1024


def test_missing_font_is_one_line_naming_the_package(monkeypatch, tmp_path):
    from workbench.errors import WorkbenchError

    monkeypatch.setattr(scansim, "FONT_DIRS", (tmp_path,))
    with pytest.raises(WorkbenchError, match=r"font NoSuchFont\.otf not found .*fonts-urw-base35"):
        scansim.find_font("NoSuchFont.otf")


def test_synth_refuses_a_variant_without_wear_profile(copied_collection):
    manifest = copied_collection.manifest_path("us-japan-1974-clean")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["variant"] = "sepia"
    manifest.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(CorpusError, match="variant 'sepia' has no wear profile"):
        scansim.synthesize_document(copied_collection, "us-japan-1974-clean", dpi=40, pages=[1])
    assert json.loads(manifest.read_text(encoding="utf-8")) == data  # nothing written


def test_committed_layout_truth_holds_the_gold_page_text(repo_collection):
    from workbench.normalize import fold_whitespace

    document = repo_collection.document("us-japan-1974")
    for page, gold in zip(document.pages, repo_collection.gold_pages(document), strict=True):
        layout = scansim.load_layout(scansim.layout_path(page.scan))
        assert fold_whitespace(layout.joined_text) == fold_whitespace(gold.full_text), page.scan


def test_joined_text_mends_soft_splits_and_keeps_compound_hyphens(tiny_page):
    lines = [
        scansim.LayoutLine("they maintain a posses-", tiny_page.layout.lines[0].box, (), "r01", "paragraph",
                           hyphen="soft"),
        scansim.LayoutLine("sion of the US-", tiny_page.layout.lines[0].box, (), "r01", "paragraph", hyphen="hard"),
        scansim.LayoutLine("Japan alliance", tiny_page.layout.lines[0].box, (), "r01", "paragraph"),
        scansim.LayoutLine("GDS", tiny_page.layout.lines[0].box, (), "r02", "footer", kind="downgrading_code"),
    ]
    layout = scansim.PageLayout("page.png", 10, 10, tuple(lines))
    assert layout.joined_text == "they maintain a possession of the US-Japan alliance\nGDS"


def test_a_body_too_long_for_the_page_is_refused_before_anything_is_written(copied_collection):
    gold_dir = copied_collection.gold_dir("us-japan-1974")
    (gold_dir / "page-003.txt").write_text("\n\n".join(["A short paragraph."] * 40), encoding="utf-8")
    manifest = copied_collection.manifest_path("us-japan-1974")
    before = manifest.read_bytes()
    scan_before = (manifest.parent / "page-002.png").read_bytes()
    with pytest.raises(CorpusError, match=r"page-003\.txt: gold page 3: the body needs 79 typed lines"):
        scansim.synthesize_document(copied_collection, "us-japan-1974", dpi=40, pages=[2, 3])
    assert manifest.read_bytes() == before
    assert (manifest.parent / "page-002.png").read_bytes() == scan_before


def test_synth_refuses_an_unusable_resolution(capsys):
    from workbench.cli import main

    assert main(["synth", "us-japan-1974", "--dpi", "5"]) == 2
    assert "--dpi must be between 30 and 1200" in capsys.readouterr().err


@pytest.mark.tesseract
def test_tesseract_reads_a_clean_simulated_page_as_its_layout_truth(monkeypatch):
    import shutil

    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed (bin/setup installs it)")
    import pytesseract

    from workbench.metrics import cer

    monkeypatch.setenv("OMP_THREAD_LIMIT", "1")
    gold = GoldPage(number=4, body=BODY, markings=MARKINGS[1:2])
    page = scansim.simulate_page(gold, wear="clean", dpi=200, seed=2)
    text = pytesseract.image_to_string(page.image, lang="eng")
    assert cer(page.layout.text, text) < 0.03


def test_synth_refuses_an_unknown_wear_profile(capsys):
    from workbench.cli import main

    assert main(["synth", "us-japan-1974", "--dpi", "40", "--wear", "soggy"]) == 2
    assert "unknown wear profile 'soggy' (use one of clean, poor, typical)" in capsys.readouterr().err
