"""ALTO XML (v2, v3, v4, or without namespace): Page / TextBlock / TextLine / String, SP, HYP."""

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

_VERSION = re.compile(r"alto/ns-v(\d+)#")
# Pixels per measurement unit at `dpi`: ALTO positions may be in pixels, 1/10 mm or 1/1200 inch.
_UNITS = {"pixel": lambda dpi: 1.0, "mm10": lambda dpi: dpi / 254.0, "inch1200": lambda dpi: dpi / 1200.0}


def alto_version(root: etree._Element) -> str:
    """'v2', 'v3', 'v4' from the namespace, or 'none' for an ALTO file without one."""
    match = _VERSION.search(namespace(root))
    return f"v{match.group(1)}" if match else ("none" if not namespace(root) else namespace(root))


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element.iter() if local_name(c) == name]


def _number(element: etree._Element, attribute: str, source: Path | str) -> float | None:
    value = element.get(attribute)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        raise InputError(f"{source}: ALTO {local_name(element)} has a non-numeric {attribute} ({value!r})") from None


def _box(element: etree._Element, scale: float, source: Path | str) -> Box | None:
    hpos, vpos = _number(element, "HPOS", source), _number(element, "VPOS", source)
    width, height = _number(element, "WIDTH", source), _number(element, "HEIGHT", source)
    if None in (hpos, vpos, width, height):
        return None
    return Box(round(hpos * scale), round(vpos * scale), round((hpos + width) * scale), round((vpos + height) * scale))


def read_alto(root: etree._Element, *, source: Path | str, dpi: int = 300) -> list[ReadPage]:
    """Every `Page` of a parsed ALTO file, in order. `WC` (0-1) becomes a 0-100 confidence; positions in
    1/10 mm or 1/1200 inch are turned into pixels at `dpi`. A `HYP` element adds its hyphen to the
    word before it, since the hyphen is part of the text as read."""
    unit = "pixel"
    for element in _children(root, "MeasurementUnit"):
        unit = (element.text or "pixel").strip()
    if unit not in _UNITS:
        raise InputError(f"{source}: ALTO MeasurementUnit {unit!r} is not pixel, mm10 or inch1200")
    scale = _UNITS[unit](dpi)
    software = " ".join(
        (e.text or "").strip() for e in root.iter() if local_name(e) in {"softwareName", "softwareVersion"}
    ).strip()
    details = {"format": "alto", "version": alto_version(root), "unit": unit}
    if unit != "pixel":
        details["dpi"] = dpi
    if software:
        details["software"] = software
    pages = _children(root, "Page")
    if not pages:
        raise InputError(f"{source}: ALTO file has no Page element")
    return [_read_page(page, scale, source, details) for page in pages]


def _read_page(page: etree._Element, scale: float, source: Path | str, details: dict) -> ReadPage:
    width, height = _number(page, "WIDTH", source), _number(page, "HEIGHT", source)
    if width and height and width > 0 and height > 0:
        # Kept so that a page without a scan still knows its size (ALTO export, page-position evidence).
        details = {**details, "page_size": [round(width * scale), round(height * scale)]}
    lines: list[SourceLine] = []
    blocks = itertools.count(1)
    for block in _children(page, "TextBlock"):
        block_id = next(blocks)
        for line in (c for c in block if local_name(c) == "TextLine"):
            words: list[SourceWord] = []
            for item in line:
                name = local_name(item)
                if name == "String":
                    words.append(
                        SourceWord(
                            text=item.get("CONTENT", ""),
                            conf=confidence(item.get("WC"), scale=1, source=source, what="ALTO String"),
                            box=_box(item, scale, source),
                            node=item,
                        )
                    )
                elif name == "HYP" and words:
                    last = words[-1]
                    words[-1] = SourceWord(last.text + item.get("CONTENT", "-"), last.conf, last.box, last.node)
            lines.append(SourceLine(tuple(words), block_id, block_id))
    return assemble_page(lines, format="alto", details=details)
