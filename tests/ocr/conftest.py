"""OCR test fixtures: a scriptable fake tesseract, small drawn documents, and the real tesseract."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = Path("/usr/share/fonts/opentype/urw-base35/NimbusMonoPS-Regular.otf")

# Answers like tesseract 5: --version, --list-langs, and `IMAGE OUTBASE [options] hocr` writing OUTBASE.hocr.
# FAKE_TESSERACT_CRASH / _SLEEP name a page stem to crash on / hang on; every call is logged with the
# OMP_THREAD_LIMIT it saw; with FAKE_TESSERACT_SPANS each page read logs when it begins and ends.
# A read without --dpi (the file as it is) gives every word the confidence FAKE_TESSERACT_AS_IS_CONF
# when set, and writes "Estimating resolution as $FAKE_TESSERACT_ESTIMATE" to its debug_file when set.
# Plain sh: it starts in milliseconds.
FAKE_TESSERACT = r"""#!/bin/sh
echo "$* OMP=${OMP_THREAD_LIMIT:-unset}" >> "$FAKE_TESSERACT_LOG"
case "$1" in
  --version) printf 'tesseract 9.9.9-fake\n leptonica-1.82.0\n'; exit 0 ;;
  --list-langs) printf 'List of available languages in "%s/" (n):\n' "$FAKE_TESSDATA"
    for f in "$FAKE_TESSDATA"/*.traineddata; do n="${f##*/}"; echo "${n%.traineddata}"; done; exit 0 ;;
esac
image="$1"; outbase="$2"
stem="${image##*/}"; stem="${stem%.*}"
if [ "$stem" = "${FAKE_TESSERACT_CRASH:-}" ]; then
  printf 'Error in pixReadStream\nSegmentation fault\n' >&2; exit 139
fi
if [ "$stem" = "${FAKE_TESSERACT_SLEEP:-}" ]; then exec sleep 30; fi
if [ -n "${FAKE_TESSERACT_SPANS:-}" ]; then
  echo "begin $stem" >> "$FAKE_TESSERACT_SPANS"; sleep 0.4; echo "end $stem" >> "$FAKE_TESSERACT_SPANS"
fi
psm=3; previous=""; dpi=""; debug=""
for arg in "$@"; do
  [ "$previous" = "--psm" ] && psm="$arg"
  [ "$previous" = "--dpi" ] && dpi="$arg"
  case "$arg" in debug_file=*) debug="${arg#debug_file=}" ;; esac
  previous="$arg"
done
c1=91; c2=47; c3=88; c4=90
if [ -z "$dpi" ] && [ -n "${FAKE_TESSERACT_AS_IS_CONF:-}" ]; then
  c1="$FAKE_TESSERACT_AS_IS_CONF"; c2="$c1"; c3="$c1"; c4="$c1"
fi
if [ -n "$debug" ] && [ -n "${FAKE_TESSERACT_ESTIMATE:-}" ]; then
  echo "Estimating resolution as $FAKE_TESSERACT_ESTIMATE" > "$debug"
fi
cat > "$outbase.hocr" <<HOCR
<?xml version="1.0" encoding="UTF-8"?>
<html xmlns="http://www.w3.org/1999/xhtml"><head><meta name='ocr-system' content='tesseract 9.9.9-fake' /></head>
<body><div class='ocr_page' id='page_1' title='image "$image"; bbox 0 0 400 200'>
<div class='ocr_carea' id='block_1_1'><p class='ocr_par' id='par_1_1'>
<span class='ocr_line' id='line_1_1' title="bbox 10 10 300 40">
<span class='ocrx_word' id='word_1_1' title='bbox 10 10 90 40; x_wconf $c1'>Text</span>
<span class='ocrx_word' id='word_1_2' title='bbox 100 10 200 40; x_wconf $c2'>of</span>
<span class='ocrx_word' id='word_1_3' title='bbox 210 10 300 40; x_wconf $c3'>$stem</span></span>
<span class='ocr_line' id='line_1_2' title="bbox 10 50 300 80">
<span class='ocrx_word' id='word_1_4' title='bbox 10 50 100 80; x_wconf $c4'>psm$psm</span></span>
</p></div></div></body></html>
HOCR
"""


@dataclass
class FakeTesseract:
    """The fake program and its call log."""

    command: Path
    log: Path
    tessdata: Path

    def calls(self, kind: str = "ocr") -> list[str]:
        """Logged calls: 'ocr' (page reads), 'probe' (--version/--list-langs) or 'all'."""
        lines = self.log.read_text().splitlines() if self.log.exists() else []
        probes = [line for line in lines if line.startswith("--")]
        if kind == "probe":
            return probes
        return lines if kind == "all" else [line for line in lines if not line.startswith("--")]


@pytest.fixture
def fake_tesseract(tmp_path, monkeypatch) -> FakeTesseract:
    """A fake tesseract set as WORKBENCH_TESSERACT, with its own language data and cache folder."""
    folder = tmp_path / "fake-tesseract"
    tessdata = folder / "tessdata"
    tessdata.mkdir(parents=True)
    (tessdata / "eng.traineddata").write_bytes(b"fake english model")
    (tessdata / "osd.traineddata").write_bytes(b"fake osd model")
    command = folder / "tesseract"
    command.write_text(FAKE_TESSERACT)
    command.chmod(0o755)
    log = folder / "calls.log"
    monkeypatch.setenv("WORKBENCH_TESSERACT", str(command))
    monkeypatch.setenv("FAKE_TESSERACT_LOG", str(log))
    monkeypatch.setenv("FAKE_TESSDATA", str(tessdata))
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WORKBENCH_JOBS", "2")
    return FakeTesseract(command, log, tessdata)


@pytest.fixture
def real_tesseract(tmp_path, monkeypatch) -> Path:
    """The installed tesseract (skipped when absent), with a private cache folder."""
    found = shutil.which("tesseract")
    if found is None:
        pytest.skip("tesseract is not installed (bin/setup installs it)")
    monkeypatch.setenv("WORKBENCH_TESSERACT", found)
    monkeypatch.setenv("WORKBENCH_CACHE", str(tmp_path / "cache"))
    return Path(found)


def draw_text_page(path: Path, text: str, *, size: tuple[int, int] = (1200, 400), angle: float = 0.0) -> Path:
    """A 300 dpi grayscale image of `text` in a typewriter font, optionally rotated."""
    if not FONT.exists():
        pytest.skip(f"{FONT} is missing (fonts-urw-base35, installed by bin/setup)")
    font = ImageFont.truetype(str(FONT), 42)
    image = Image.new("L", size, 255)
    draw = ImageDraw.Draw(image)
    y = 40
    for paragraph in text.split("\n"):
        for line in textwrap.wrap(paragraph, 40) or [""]:
            draw.text((40, y), line, font=font, fill=0)
            y += 56
    if angle:
        image = image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)
    image.save(path, dpi=(300, 300))
    return path


def blank_page(path: Path, *, shade: int = 0) -> Path:
    """A small page image with a dark bar on it (content does not matter to the fake tesseract)."""
    image = Image.new("L", (400, 200), 255)
    ImageDraw.Draw(image).rectangle((20, 20, 200 + shade, 60), fill=0)
    image.save(path, dpi=(300, 300))
    return path


@pytest.fixture
def small_document(tmp_collection, tmp_path):
    """A three-page document of small images in a temporary collection."""
    from workbench.corpus import add_document

    sources = [blank_page(tmp_path / f"src-{n}.png", shade=n) for n in (1, 2, 3)]
    return add_document(tmp_collection, "small", title="Small", sources=sources)
