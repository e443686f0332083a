"""PAGE XML (PRImA, 2010 to 2019 schemas): TextRegion / TextLine / Word with Coords and TextEquiv."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from lxml import etree

from workbench.errors import InputError
from workbench.models import Box
from workbench.ocr.importers.common import (
    ReadPage,
    SourceLine,
    SourceWord,
    assemble_page,
    confidence,
    local_name,
    namespace,
)

_VERSION = re.compile(r"pagecontent/(\d{4}-\d{2}-\d{2})")


def page_version(root: etree._Element) -> str:
    """The schema date from the namespace ('2019-07-15'), or the namespace itself."""
    match = _VERSION.search(namespace(root))
    return match.group(1) if match else (namespace(root) or "none")


def _child(element: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in element if local_name(c) == name), None)


def _box(element: etree._Element, source: Path | str) -> Box | None:
    """The bounding box of an element's Coords (points="x,y x,y ..." or, in 2010 files, Point children)."""
    coords = _child(element, "Coords")
    if coords is None:
        return None
    try:
        if coords.get("points"):
            points = [tuple(float(v) for v in pair.split(",")) for pair in coords.get("points").split()]
        else:
            points = [(float(p.get("x")), float(p.get("y"))) for p in coords if local_name(p) == "Point"]
    except (TypeError, ValueError):
        raise InputError(f"{source}: PAGE Coords of {element.get('id', local_name(element))} are malformed") from None
    if not points or any(len(p) != 2 for p in points):
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    # Points are pixel positions (inclusive); a Box's right and bottom are exclusive.
    return Box(round(min(xs)), round(min(ys)), round(max(xs)) + 1, round(max(ys)) + 1)


def _text_equiv(element: etree._Element, source: Path | str) -> tuple[str, float | None] | None:
    """The best TextEquiv of an element (lowest index, else the first): its Unicode text and confidence."""
    candidates = [c for c in element if local_name(c) == "TextEquiv"]
    if not candidates:
        return None

    def rank(item: tuple[int, etree._Element]) -> tuple[int, int]:
        position, equiv = item
        index = equiv.get("index")
        return (int(index) if index and index.lstrip("-").isdigit() else 0, position)

    best = min(enumerate(candidates), key=rank)[1]
    unicode = _child(best, "Unicode")
    text = "".join(unicode.itertext()) if unicode is not None else ""
    conf = confidence(best.get("conf"), scale=1, source=source, what=f"PAGE {local_name(element)}")
    return text, conf


def _reading_order(page: etree._Element) -> dict[str, int]:
    """Region id -> position in the page's ReadingOrder (nested groups flattened in order)."""
    order: dict[str, int] = {}
    reading = _child(page, "ReadingOrder")
    if reading is None:
        return order

    def visit(group: etree._Element) -> None:
        members = [c for c in group if local_name(c).startswith(("RegionRef", "OrderedGroup", "UnorderedGroup"))]
        if all(c.get("index") is not None for c in members):
            members.sort(key=lambda c: int(c.get("index")))
        for member in members:
            if member.get("regionRef") is not None and member.get("regionRef") not in order:
                order[member.get("regionRef")] = len(order)
            visit(member)

    visit(reading)
    return order


def read_page_xml(root: etree._Element, *, source: Path | str) -> list[ReadPage]:
    """The pages of a parsed PAGE XML file: one per `Page` element (the schema allows one; some tools
    write several). Regions follow the ReadingOrder when there is one (regions it omits come after, in
    file order); TextEquiv `conf` (0-1) becomes 0-100."""
    pages = [e for e in root.iter() if local_name(e) == "Page"]
    if not pages:
        raise InputError(f"{source}: PAGE XML has no Page element")
    details = {"format": "page", "version": page_version(root)}
    creator = next((e for e in root.iter() if local_name(e) == "Creator"), None)
    if creator is not None and (creator.text or "").strip():
        details["software"] = creator.text.strip()
    return [_read_page(page, source, details) for page in pages]


def _page_size(page: etree._Element) -> list[int] | None:
    """The page's imageWidth and imageHeight in pixels, when both are positive integers."""
    try:
        width, height = int(page.get("imageWidth", "")), int(page.get("imageHeight", ""))
    except ValueError:
        return None
    return [width, height] if width > 0 and height > 0 else None


def _read_page(page: etree._Element, source: Path | str, details: dict) -> ReadPage:
    size = _page_size(page)
    if size is not None:
        details = {**details, "page_size": size}
    regions = [e for e in page.iter() if local_name(e) == "TextRegion"]
    order = _reading_order(page)
    regions.sort(key=lambda r: order.get(r.get("id", ""), len(order)))  # stable: unordered keep file order
    lines: list[SourceLine] = []
    counter = itertools.count(1)
    for region in regions:
        region_id = next(counter)
        text_lines = [c for c in region if local_name(c) == "TextLine"]
        if not text_lines:
            equiv = _text_equiv(region, source)
            for row in (equiv[0] if equiv else "").splitlines():
                words = tuple(SourceWord(t, equiv[1], node=region) for t in row.split())
                lines.append(SourceLine(words, region_id, region_id))
            continue
        for line in text_lines:
            lines.append(SourceLine(_line_words(line, source), region_id, region_id))
    return assemble_page(lines, format="page", details=details)


def _line_words(line: etree._Element, source: Path | str) -> tuple[SourceWord, ...]:
    words = []
    for word in (c for c in line if local_name(c) == "Word"):
        equiv = _text_equiv(word, source)
        if equiv is None:  # a word without text: read its glyphs
            glyphs = [_text_equiv(g, source) for g in word if local_name(g) == "Glyph"]
            equiv = ("".join(g[0] for g in glyphs if g), None)
        words.append(SourceWord(equiv[0], equiv[1], _box(word, source), node=word))
    if words:
        return tuple(words)
    equiv = _text_equiv(line, source)
    if equiv is None:
        return ()
    return tuple(SourceWord(token, equiv[1], node=line) for token in equiv[0].split())
