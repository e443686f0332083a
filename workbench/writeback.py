"""Corrections written back into the OCR file a page was imported from (`workbench export --into-source`).

The archive gets back the hOCR, ALTO or PAGE XML file it gave, with only the corrected words changed: every
other element, attribute, id, coordinate and comment is kept. The source bytes are those kept at import
(`ocr.store.load_ocr_source`); read again by the same importer, they give the elements each OCR word came
from (`ReadPage.nodes`), so the words of the corrected transcript are put back into those elements.

How the corrected transcript maps onto the words (`rewrites`, pure): every character of the corrected text
comes from an OCR offset (copied text exactly, a changed run by aligning it with the OCR text it replaced);
a corrected word covers the OCR words its characters come from. OCR words and corrected words linked that
way form a group, rewritten by the format's own means:
- one word for one word: its text replaced;
- one word split into several, or several merged into one, on one line: the first elements are kept
  (ids and all) and take the new words, elements left over are removed, missing ones are copies of the
  last with a new id; their boxes share the group's box in proportion to the words' lengths;
- a word joined across lines (hyphenation): each part keeps its own element; ALTO marks the parts
  `SUBS_TYPE` HypPart1/HypPart2 with the whole word in `SUBS_CONTENT` and the hyphen in `HYP`;
- a word deleted: its element is removed (an ALTO `SP` beside it with it).
Each file then records the step: ALTO a `Processing` element (v2: a `postProcessingStep`), PAGE a
`MetadataItem` of type processingStep and its `LastChange`.
"""

from __future__ import annotations

import bisect
import copy
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from workbench import __version__
from workbench.align import opcodes
from workbench.corpus import Collection
from workbench.errors import InputError
from workbench.flags.tokens import HYPHEN_LIKE
from workbench.fsutil import atomic_write_bytes
from workbench.models import OcrPage, OcrWord
from workbench.ocr.importers.alto import alto_version, read_alto
from workbench.ocr.importers.common import local_name, namespace, parse_xml
from workbench.ocr.importers.hocr import LINE_CLASSES, is_xhtml, read_hocr_root
from workbench.ocr.importers.page import read_page_xml
from workbench.ocr.store import load_ocr_source
from workbench.ocrlines import ocr_line_spans
from workbench.store import now
from workbench.transcript import CorrectedDocument, CorrectedPage

SOURCE_FORMATS = ("alto", "hocr", "page")
SOFTWARE = "ocr-workbench"
_TOKEN = re.compile(r"\S+")


# -- the pure core: which OCR words become which corrected words ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Rewrite:
    """OCR words `words` (indexes into the page's words, in order) become the corrected words `tokens`.

    `parts` is set for one word joined across lines: the piece of it each OCR word now holds.
    """

    words: tuple[int, ...]
    tokens: tuple[str, ...]
    parts: tuple[str, ...] | None = None


def _char_sources(page: CorrectedPage) -> list[int]:
    """The OCR offset every character of the corrected text comes from."""
    sources: list[int] = []
    for piece in page.pieces:
        if piece.change is None:
            sources.extend(range(piece.src_start, piece.src_start + len(piece.text)))
            continue
        mapped = [piece.src_start] * len(piece.text)
        for block in opcodes(page.ocr_text[piece.src_start : piece.src_end], piece.text):
            width = block.a_end - block.a_start
            for j in range(block.b_start, block.b_end):
                # replaced characters map one to one; inserted ones to where they were inserted
                mapped[j] = piece.src_start + block.a_start + (min(j - block.b_start, width - 1) if width else 0)
        sources.extend(mapped)
    return sources


def _word_finder(text: str, words: Sequence[OcrWord]):
    """A function from an OCR offset to the index of the word holding it, else the nearest word on the same
    line (before it, then after it), else the nearest word at all; None on a page without words. `words` are
    in text order, as the importers give them."""
    line_ends = [end for _, end in ocr_line_spans(text)]
    starts = [w.start for w in words]

    def line_of(offset: int) -> int:
        return min(bisect.bisect_left(line_ends, offset), len(line_ends) - 1)

    lines = [line_of(w.start) for w in words]

    def find(offset: int) -> int | None:
        if not words:
            return None
        before = bisect.bisect_right(starts, offset) - 1  # the last word starting at or before the offset
        if before >= 0 and offset < words[before].end:
            return before
        after = before + 1 if before + 1 < len(words) else None
        before = before if before >= 0 else None
        line = line_of(offset)
        same_line = [i for i in (before, after) if i is not None and lines[i] == line]
        return same_line[0] if same_line else before if before is not None else after

    return find, lines


def rewrites(page: CorrectedPage, words: Sequence[OcrWord]) -> list[Rewrite]:
    """The groups of OCR words the corrected page changes, and what each becomes (see the module's
    docstring). Words left as the OCR read them are in no group. Pure."""
    sources = _char_sources(page)
    find, lines = _word_finder(page.ocr_text, words)
    parent = list(range(len(words)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    tokens: list[tuple[str, list[int], list[int | None]]] = []  # text, words covered, word of each char
    for match in _TOKEN.finditer(page.text):
        owners = [find(sources[k]) if k < len(sources) else None for k in range(match.start(), match.end())]
        covered = sorted({o for o in owners if o is not None})
        for other in covered[1:]:
            parent[root(other)] = root(covered[0])
        tokens.append((match.group(), covered, owners))
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for index in range(len(words)):
        groups.setdefault(root(index), ([], []))[0].append(index)
    for number, (_, covered, _) in enumerate(tokens):
        if covered:
            groups[root(covered[0])][1].append(number)
    result = []
    for members, token_numbers in sorted(groups.values()):
        texts = tuple(tokens[t][0] for t in token_numbers)
        if texts == tuple(words[i].text for i in members):
            continue
        group_lines = {lines[i] for i in members}
        if len(group_lines) > 1 and len(texts) == 1:
            owners = tokens[token_numbers[0]][2]
            parts = tuple("".join(c for c, o in zip(texts[0], owners, strict=True) if o == i) for i in members)
            result.append(Rewrite(tuple(members), texts, parts))
        elif len(group_lines) > 1:
            for line in sorted(group_lines):  # several words over several lines: each line on its own
                line_words = tuple(i for i in members if lines[i] == line)
                line_tokens = tuple(
                    tokens[t][0] for t in token_numbers if lines[tokens[t][1][0]] == line
                )
                if line_tokens != tuple(words[i].text for i in line_words):
                    result.append(Rewrite(line_words, line_tokens))
        else:
            result.append(Rewrite(tuple(members), texts))
    return result


def _share(box: tuple[float, float, float, float], texts: Sequence[str]) -> list[tuple[float, float, float, float]]:
    """`box` cut left to right into one box per text, widths in proportion to the texts' lengths (a space's
    width between them)."""
    left, top, right, bottom = box
    total = sum(len(t) for t in texts) + len(texts) - 1
    unit = (right - left) / max(total, 1)
    boxes, x = [], left
    for text in texts:
        boxes.append((x, top, x + unit * len(text), bottom))
        x += unit * (len(text) + 1)
    return boxes


def _union(boxes: Sequence[tuple[float, float, float, float] | None]) -> tuple[float, float, float, float] | None:
    known = [b for b in boxes if b is not None]
    if not known:
        return None
    return (min(b[0] for b in known), min(b[1] for b in known), max(b[2] for b in known), max(b[3] for b in known))


# -- elements, whatever the format ----------------------------------------------------------------------------


def _remove(element: etree._Element) -> None:
    """Remove an element but keep the text after it (its tail) where it was."""
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + tail if tail.strip() else previous.tail
    elif tail.strip():
        parent.text = (parent.text or "") + tail
    parent.remove(element)


def _referenced(root: etree._Element, element: etree._Element, attribute: str) -> bool:
    """True when another element of the file points at `element`'s id (a reading order, a relation)."""
    key = element.get(attribute)
    if not key:
        return False
    return any(
        key in value.split()
        for other in root.iter()
        if isinstance(other.tag, str) and other is not element
        for name, value in other.attrib.items()
        if name != attribute
    )


def _remove_if_empty(root, element, child_names: set[str], attribute: str) -> bool:
    """Remove a line or block left without any of `child_names` (the words were all deleted), unless something
    points at it; True when it was removed."""
    if element is None or element.getparent() is None:
        return False
    if any(local_name(c) in child_names for c in element) or _referenced(root, element, attribute):
        return False
    _remove(element)
    return True


def _drop_glyphs(word) -> None:
    """Remove a corrected word's Glyph elements: they are the characters of the OCR's reading."""
    for glyph in [c for c in word if local_name(c) == "Glyph"]:
        _remove(glyph)


def _insert_after(previous, element, parent) -> None:
    """Put a new element after `previous` (or at the end of `parent`), indented as its neighbours are."""
    if previous is None:
        parent.append(element)
        return
    before = previous.getprevious()
    indent = before.tail if before is not None else parent.text
    element.tail = previous.tail
    if indent is not None and not indent.strip():
        previous.tail = indent
    previous.addnext(element)


def _unique_id(used: set[str], base: str, *, fresh: bool = False) -> str:
    """An id not yet in the file: `base` itself when `fresh` and unused, else base_2, base_3, ..."""
    if fresh and base not in used:
        used.add(base)
        return base
    number = 2
    while f"{base}_{number}" in used:
        number += 1
    used.add(f"{base}_{number}")
    return f"{base}_{number}"


def _number(value: float, like: str | None) -> str:
    """A coordinate written as the file writes them: whole numbers when the file's are whole."""
    if like is None or re.fullmatch(r"-?\d+", like.strip()):
        return str(round(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


class _Writer:
    """What writing words back needs of a format; the subclasses say how their elements hold text and boxes."""

    id_attribute = "id"

    def __init__(self, root: etree._Element):
        self.root = root
        self.used_ids = {e.get(self.id_attribute) for e in root.iter() if isinstance(e.tag, str)} - {None}

    def text(self, node) -> str:
        raise NotImplementedError

    def set_text(self, node, text: str) -> None:
        raise NotImplementedError

    def box(self, node) -> tuple[float, float, float, float] | None:
        raise NotImplementedError

    def set_box(self, node, box) -> None:
        raise NotImplementedError

    def remove(self, node) -> None:
        _remove(node)

    def is_word(self, node) -> bool:
        raise NotImplementedError

    def set_holder_text(self, node, lines: Sequence[Sequence[str]]) -> None:
        """A line (or region) whose words are only its text: that text made of the new words."""
        raise NotImplementedError

    def copy_after(self, node):
        clone = copy.deepcopy(node)
        clone.tail = node.tail  # indentation is repeated; text after the word goes after the last copy
        if node.tail is not None and node.tail.strip():
            node.tail = None
        if clone.get(self.id_attribute):
            clone.set(self.id_attribute, _unique_id(self.used_ids, clone.get(self.id_attribute)))
        node.addnext(clone)
        return clone

    def joined(self, nodes, token: str, parts: Sequence[str]) -> None:
        """One word joined across lines: each element holds its part (a printed hyphen stays printed)."""
        for node, part in zip(nodes, parts, strict=True):
            old = self.text(node)
            if not part:
                self.remove(node)
            elif (new := _with_printed_hyphen(part, old, last=node is nodes[-1])) != old:
                self.set_text(node, new)

    def finish(self, changed: bool) -> None:
        """Record the processing step (when anything changed) and settle what depends on the words."""


def _with_printed_hyphen(part: str, old: str, *, last: bool) -> str:
    """The part of a joined word an element holds, with the hyphen (or dash) printed at the line's end kept."""
    hyphen = old[len(old.rstrip(HYPHEN_LIKE)) :] if not last else ""
    return part if part.endswith(hyphen) else part + hyphen


def _apply(writer: _Writer, page: CorrectedPage, words: Sequence[OcrWord], nodes: Sequence) -> int:
    """Write one page's rewrites into its elements; returns how many groups of words changed."""
    plan = rewrites(page, words)
    holders: dict[int, tuple[object, list[int]]] = {}
    for index, node in enumerate(nodes):
        if not writer.is_word(node):
            holders.setdefault(id(node), (node, []))[1].append(index)
    new_tokens: dict[int, list[str]] = {}
    for item in plan:
        element_nodes = [nodes[i] for i in item.words]
        if any(not writer.is_word(n) for n in element_nodes):
            # words that are only their line's text: the line's text is rebuilt below
            if item.parts is not None:
                for i, part in zip(item.words, item.parts, strict=True):
                    new = _with_printed_hyphen(part, words[i].text, last=i == item.words[-1])
                    new_tokens[i] = [new] if part else []
            else:
                for position, i in enumerate(item.words):
                    new_tokens[i] = list(item.tokens) if position == 0 else []
            continue
        if item.parts is not None:
            writer.joined(element_nodes, item.tokens[0], item.parts)
            continue
        _rewrite_elements(writer, element_nodes, item.tokens)
    for node, indexes in holders.values():
        if any(i in new_tokens for i in indexes):
            by_line: dict[int, list[str]] = {}
            for i in indexes:
                by_line.setdefault(words[i].line, []).extend(new_tokens.get(i, [words[i].text]))
            writer.set_holder_text(node, [by_line[line] for line in sorted(by_line)])
    return len(plan)


def _rewrite_elements(writer: _Writer, nodes: list, tokens: Sequence[str]) -> None:
    """Words on one line (each its own element) become `tokens`."""
    if len(nodes) == len(tokens):
        for node, token in zip(nodes, tokens, strict=True):
            if writer.text(node) != token:
                writer.set_text(node, token)
        return
    whole = _union([writer.box(n) for n in nodes])
    for node in nodes[len(tokens) :]:
        writer.remove(node)
    kept = nodes[: len(tokens)]
    while len(kept) < len(tokens):
        kept.append(writer.copy_after(kept[-1]))
    boxes = _share(whole, tokens) if whole is not None else [None] * len(tokens)
    for node, token, box in zip(kept, tokens, boxes, strict=True):
        writer.set_text(node, token)
        if box is not None:
            writer.set_box(node, box)


# -- ALTO -----------------------------------------------------------------------------------------------------


class _Alto(_Writer):
    id_attribute = "ID"

    def __init__(self, root):
        super().__init__(root)
        self.ns = namespace(root)
        self.version = alto_version(root)

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def is_word(self, node) -> bool:
        return local_name(node) == "String"

    def _hyp(self, node):
        following = node.getnext()
        while following is not None and not isinstance(following.tag, str):
            following = following.getnext()
        return following if following is not None and local_name(following) == "HYP" else None

    def text(self, node) -> str:
        hyp = self._hyp(node)
        return node.get("CONTENT", "") + (hyp.get("CONTENT", "-") if hyp is not None else "")

    def set_text(self, node, text: str) -> None:
        hyp = self._hyp(node)
        if hyp is not None:
            mark = hyp.get("CONTENT", "-")
            if text.endswith(mark):
                text = text[: -len(mark)]
            else:
                _remove(hyp)  # the reviewer's word has no hyphen at the line's end any more
        node.set("CONTENT", text)
        if "CC" in node.attrib:
            del node.attrib["CC"]  # character confidences of the OCR's reading, one per character it had
        _drop_glyphs(node)
        self.mark(node)

    def mark(self, node) -> None:
        if self.version == "v4":
            node.set("CS", "true")  # ALTO 4's correction status: a person corrected this word

    def box(self, node):
        try:
            x, y = float(node.get("HPOS")), float(node.get("VPOS"))
            return (x, y, x + float(node.get("WIDTH")), y + float(node.get("HEIGHT")))
        except (TypeError, ValueError):
            return None

    def set_box(self, node, box) -> None:
        left, top, right, bottom = box
        for name, value in (("HPOS", left), ("VPOS", top), ("WIDTH", right - left), ("HEIGHT", bottom - top)):
            node.set(name, _number(value, node.get(name)))

    def _space(self, node):
        for sibling in (node.getprevious(), node.getnext()):
            if sibling is not None and local_name(sibling) == "SP":
                return sibling
        return None

    def remove(self, node) -> None:
        hyp = self._hyp(node)
        if hyp is not None:
            _remove(hyp)
        space = self._space(node)
        if space is not None:
            _remove(space)
        line = node.getparent()
        _remove(node)
        # a line whose words were all deleted (noise) goes; ALTO wants a String in every TextLine
        block = line.getparent() if line is not None else None
        if _remove_if_empty(self.root, line, {"String"}, "ID"):
            _remove_if_empty(self.root, block, {"TextLine"}, "ID")

    def copy_after(self, node):
        hyp = self._hyp(node)
        clone = super().copy_after(node)
        node.tail = None
        for attribute in ("SUBS_TYPE", "SUBS_CONTENT"):
            clone.attrib.pop(attribute, None)
        space = etree.Element(self.q("SP"))
        node.addnext(space)
        if hyp is not None:  # the hyphen ends the line: it follows the last of the words
            clone.addnext(hyp)
        return clone

    def joined(self, nodes, token: str, parts: Sequence[str]) -> None:
        for position, (node, part) in enumerate(zip(nodes, parts, strict=True)):
            first, last = position == 0, position == len(nodes) - 1
            content = node.get("CONTENT", "")
            if not first and not last and part != self.text(node):
                self.set_text(node, part)
                continue
            if first and self._hyp(node) is None:
                stripped = content.rstrip(HYPHEN_LIKE)
                if stripped != content:  # the hyphen was read into the word: ALTO's place for it is HYP
                    node.set("CONTENT", stripped)
                    node.addnext(etree.Element(self.q("HYP"), CONTENT=content[len(stripped) :]))
                    content = stripped
            if part != content:
                node.set("CONTENT", part)
                node.attrib.pop("CC", None)
            node.set("SUBS_TYPE", "HypPart1" if first else "HypPart2")
            node.set("SUBS_CONTENT", token)
            self.mark(node)

    def finish(self, changed: bool) -> None:
        if not changed:
            return
        description = next((c for c in self.root if local_name(c) == "Description"), None)
        if description is None:
            description = etree.Element(self.q("Description"))
            self.root.insert(0, description)
            etree.SubElement(description, self.q("MeasurementUnit")).text = "pixel"
        when, what = now(), "OCR corrected by reviewers (words changed where they decided)"
        if self.version == "v2":
            # ALTO 2 has no Processing element: a post-processing step of the last OCR processing
            processing = [c for c in description if local_name(c) == "OCRProcessing"]
            if processing:
                step = etree.Element(self.q("postProcessingStep"))
                _insert_after(processing[-1][-1] if len(processing[-1]) else None, step, processing[-1])
            else:
                holder = etree.Element(
                    self.q("OCRProcessing"), ID=_unique_id(self.used_ids, "OCR_CORRECTION", fresh=True)
                )
                _insert_after(description[-1] if len(description) else None, holder, description)
                step = etree.SubElement(holder, self.q("ocrProcessingStep"))
        else:
            step = etree.Element(self.q("Processing"), ID=_unique_id(self.used_ids, "CORRECTION", fresh=True))
            after = [c for c in description if local_name(c) in {"MeasurementUnit", "sourceImageInformation",
                                                                 "OCRProcessing", "Processing"}]
            _insert_after(after[-1] if after else None, step, description)
            etree.SubElement(step, self.q("processingCategory")).text = "contentModification"
        etree.SubElement(step, self.q("processingDateTime")).text = when
        etree.SubElement(step, self.q("processingStepDescription")).text = what
        software = etree.SubElement(step, self.q("processingSoftware"))
        etree.SubElement(software, self.q("softwareName")).text = SOFTWARE
        etree.SubElement(software, self.q("softwareVersion")).text = __version__


# -- PAGE XML -------------------------------------------------------------------------------------------------


def _children(element, name: str) -> list:
    return [c for c in element if local_name(c) == name]


class _Page(_Writer):
    def __init__(self, root):
        super().__init__(root)
        self.ns = namespace(root)
        # What each line and region read before: their text is rewritten only where it was made of their words.
        # (The elements themselves are held, so lxml hands out the same element objects later.)
        self.before = [
            (e, self._equiv_text(e), self._joined(e))
            for e in root.iter()
            if local_name(e) in {"TextLine", "TextRegion"}
        ]

    def q(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def is_word(self, node) -> bool:
        return local_name(node) == "Word"

    def _primary(self, element):
        """The TextEquiv the importer reads: the lowest index, else the first."""
        candidates = _children(element, "TextEquiv")
        if not candidates:
            return None

        def rank(item):
            position, equiv = item
            index = equiv.get("index")
            return (int(index) if index and index.lstrip("-").isdigit() else 0, position)

        return min(enumerate(candidates), key=rank)[1]

    def _equiv_text(self, element) -> str | None:
        equiv = self._primary(element)
        if equiv is None:
            return None
        unicode = next(iter(_children(equiv, "Unicode")), None)
        return "".join(unicode.itertext()) if unicode is not None else ""

    def _joined(self, element) -> str | None:
        """A line's words joined by spaces, a region's lines by line breaks (None: it has no such parts)."""
        if local_name(element) == "TextLine":
            words = _children(element, "Word")
            return " ".join(self._equiv_text(w) or "" for w in words) if words else None
        # a region's lines ("" when it has none left: its lines' words were all deleted)
        return "\n".join(self._equiv_text(line) or "" for line in _children(element, "TextLine"))

    def text(self, node) -> str:
        return self._equiv_text(node) or ""

    def _set_equiv(self, element, text: str) -> None:
        equiv = self._primary(element)
        if equiv is None:
            equiv = etree.Element(self.q("TextEquiv"))
            following = [c for c in element if local_name(c) in {"TextStyle", "UserDefined", "Labels", "Roles"}]
            (following[0].addprevious(equiv) if following else element.append(equiv))
        unicode = next(iter(_children(equiv, "Unicode")), None)
        if unicode is None:
            unicode = etree.SubElement(equiv, self.q("Unicode"))
        for child in list(unicode):
            unicode.remove(child)
        unicode.text = text
        plain = next(iter(_children(equiv, "PlainText")), None)
        if plain is not None:
            plain.text = text
        equiv.attrib.pop("conf", None)  # the engine's confidence was in its reading, not in the reviewer's

    def set_text(self, node, text: str) -> None:
        self._set_equiv(node, text)
        _drop_glyphs(node)

    def set_holder_text(self, node, lines) -> None:
        text = "\n".join(" ".join(tokens) for tokens in lines)
        if not text.strip() and local_name(node) == "TextLine" and self._remove_line(node):
            return
        self._set_equiv(node, text)

    def _remove_line(self, line) -> bool:
        return _remove_if_empty(self.root, line, {"Word"}, "id")

    def remove(self, node) -> None:
        line = node.getparent()
        _remove(node)
        if line is not None and local_name(line) == "TextLine":
            self._remove_line(line)  # its words were all deleted

    def box(self, node):
        coords = next(iter(_children(node, "Coords")), None)
        if coords is None or not coords.get("points"):
            return None
        try:
            points = [tuple(float(v) for v in pair.split(",")) for pair in coords.get("points").split()]
        except ValueError:
            return None
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        return (min(xs), min(ys), max(xs), max(ys))

    def set_box(self, node, box) -> None:
        coords = next(iter(_children(node, "Coords")), None)
        if coords is None:
            return
        left, top, right, bottom = (round(v) for v in box)
        coords.set("points", f"{left},{top} {right},{top} {right},{bottom} {left},{bottom}")

    def finish(self, changed: bool) -> None:
        # Lines and regions whose text was their words' (their lines') joined: the same made of the new ones.
        for kind in ("TextLine", "TextRegion"):  # lines first: a region's text is made of its lines'
            for element, old_text, old_joined in self.before:
                if local_name(element) != kind:
                    continue
                new_joined = self._joined(element)
                if old_text is not None and old_text == old_joined and new_joined != old_joined:
                    self._set_equiv(element, new_joined)
        if not changed:
            return
        metadata = next((e for e in self.root if local_name(e) == "Metadata"), None)
        if metadata is None:
            return
        when = now()
        last = next(iter(_children(metadata, "LastChange")), None)
        if last is not None:
            last.text = when.replace("Z", "").split(".")[0]
        year = re.search(r"pagecontent/(\d{4})", self.ns or "")
        if year and int(year.group(1)) >= 2018:
            item = etree.Element(
                self.q("MetadataItem"), type="processingStep", name="ocr-correction",
                value=f"{SOFTWARE} {__version__}: OCR corrected by reviewers",
                date=last.text if last is not None else when,
            )
            _insert_after(metadata[-1] if len(metadata) else None, item, metadata)
        else:  # PAGE before 2018 has no MetadataItem: the step goes into the comments
            comments = next(iter(_children(metadata, "Comments")), None)
            if comments is None:
                comments = etree.Element(self.q("Comments"))
                (last.addnext(comments) if last is not None else metadata.append(comments))
            comments.text = ((comments.text or "").rstrip() + f"\nOCR corrected by reviewers ({SOFTWARE} "
                             f"{__version__}, {when})").lstrip("\n")


# -- hOCR -----------------------------------------------------------------------------------------------------


_BBOX = re.compile(r"bbox\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)")


class _Hocr(_Writer):
    def is_word(self, node) -> bool:
        return "ocrx_word" in (node.get("class") or "").split()

    def text(self, node) -> str:
        return "".join(node.itertext())

    def set_text(self, node, text: str) -> None:
        inner = node
        while len(inner) == 1 and not (inner.text or "").strip() and not (inner[0].tail or "").strip():
            inner = inner[0]  # <span class="ocrx_word"><strong>word</strong></span>: the text is inside
        for child in list(inner):
            _remove(child)
        inner.text = text

    def set_holder_text(self, node, lines) -> None:
        text = " ".join(t for tokens in lines for t in tokens)
        if not text and _remove_if_empty(self.root, node, set(), "id"):
            return
        self.set_text(node, text)

    def remove(self, node) -> None:
        line = next((a for a in node.iterancestors() if set((a.get("class") or "").split()) & LINE_CLASSES), None)
        _remove(node)
        if line is not None and not "".join(line.itertext()).strip():
            _remove_if_empty(self.root, line, set(), "id")  # its words were all deleted

    def box(self, node):
        match = _BBOX.search(node.get("title") or "")
        return tuple(float(v) for v in match.groups()) if match else None

    def set_box(self, node, box) -> None:
        title = node.get("title") or ""
        text = "bbox " + " ".join(str(round(v)) for v in box)
        node.set("title", _BBOX.sub(text, title, count=1) if _BBOX.search(title) else f"{text}; {title}".strip("; "))

    def copy_after(self, node):
        clone = super().copy_after(node)
        node.tail = " "  # words of a line are separated by a space
        return clone

    def finish(self, changed: bool) -> None:
        # hOCR has no processing history; its document metadata are <meta> elements in the head, where the
        # step is recorded beside ocr-system.
        head = next((e for e in self.root if local_name(e) == "head"), None)
        if not changed or head is None:
            return
        metas = [e for e in head if local_name(e) == "meta"]
        tag = metas[-1].tag if metas else (f"{{{namespace(self.root)}}}meta" if namespace(self.root) else "meta")
        meta = etree.Element(tag, name="ocr-correction", content=f"{SOFTWARE} {__version__} {now()}")
        _insert_after(metas[-1] if metas else None, meta, head)


# -- the document ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WrittenSource:
    """One source file with the corrections written into it: its name, format, the pages it holds and how
    many groups of words changed."""

    name: str
    format: str
    pages: tuple[int, ...]
    content: bytes
    changed: int


def _read(format: str, data: bytes, name: str):
    """The parsed source (comments kept) and its pages read as the importer reads them."""
    if format == "hocr":
        root, pages = read_hocr_root(data, source=name, keep_comments=True)
        return root, pages
    root = parse_xml(data, name, what="XML", keep_comments=True)
    return root, (read_alto(root, source=name) if format == "alto" else read_page_xml(root, source=name))


_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*", re.S | re.I)


def _serialise(root: etree._Element, data: bytes, format: str) -> bytes:
    """The file with its root element written anew and everything around it (declaration, doctype,
    comments, line breaks) kept byte for byte."""
    tree = root.getroottree()
    encoding = tree.docinfo.encoding or "UTF-8"
    if format == "hocr" and not is_xhtml(data):
        # as text, then encoded: libxml2's HTML writer given an encoding drops the file's own charset <meta>
        body = etree.tostring(root, method="html", encoding="unicode").encode(encoding, "xmlcharrefreplace")
    else:
        # a copy outside the document: libxml2 writes a document with an XHTML doctype in its XHTML mode,
        # which adds attributes (xml:lang) and changes how empty elements are closed
        body = etree.tostring(copy.deepcopy(root), encoding=encoding, xml_declaration=False)
    start = _PROLOG.match(data).end()
    name = (f"{root.prefix}:" if root.prefix else "") + local_name(root)
    closing = list(re.finditer(rb"</\s*" + re.escape(name.encode()) + rb"\s*>", data, re.I))
    end = closing[-1].end() if closing else len(data.rstrip())
    return data[:start] + body + data[end:]


def write_back(
    collection: Collection, corrected: CorrectedDocument, ocr_pages: Sequence[OcrPage], format: str
) -> list[WrittenSource]:
    """The corrected document written into the source files its pages were imported from, one per file.

    InputError naming the page when a page was not imported from a `format` file, its source was not kept
    (imported before sources were kept, or OCR'd again since), or the source no longer reads as its stored OCR.
    """
    if format not in SOURCE_FORMATS:
        raise InputError(
            f"export --into-source: format {format!r} cannot be written back ({', '.join(SOURCE_FORMATS)})"
        )
    document = corrected.document
    files: list[tuple[str, bytes, list[OcrPage]]] = []
    for ocr in ocr_pages:
        engine = ocr.engine or "no OCR engine recorded"
        if engine != f"import:{format}":
            raise InputError(
                f"export {document} --into-source: page {ocr.number} was not imported from {format} ({engine}); "
                f"only pages imported from a {format} file can be written back into it"
            )
        data = load_ocr_source(collection, document, ocr.number)
        if data is None:
            raise InputError(
                f"export {document} --into-source: page {ocr.number} has no kept source file (imported before "
                f"sources were kept?); import its {format} file again with `workbench import-ocr`"
            )
        name = str(ocr.options.get("source") or f"{document}.{format}")
        if ocr.options.get("source_page", 0) and files and files[-1][1] == data:
            files[-1][2].append(ocr)
        else:
            files.append((name, data, [ocr]))
    by_number = {p.page: p for p in corrected.pages}
    written = []
    for name, data, pages in files:
        root, read = _read(format, data, name)
        writer = {"alto": _Alto, "page": _Page, "hocr": _Hocr}[format](root)
        changed = 0
        before = etree.tostring(root, method="c14n")
        for ocr in pages:
            index = int(ocr.options.get("source_page", 0))
            if index >= len(read) or read[index].text != ocr.text:
                raise InputError(
                    f"export {document} --into-source: the kept source of page {ocr.number} ({name}) no longer "
                    "reads as its stored OCR; import it again"
                )
            changed += _apply(writer, by_number[ocr.number], read[index].words, read[index].nodes)
        # the step is recorded only when a word changed (a join that keeps every printed part changes none)
        writer.finish(etree.tostring(root, method="c14n") != before)
        content = _serialise(root, data, format)
        written.append(WrittenSource(name, format, tuple(p.number for p in pages), content, changed))
    return written


def output_names(sources: Sequence[WrittenSource]) -> list[str]:
    """A file name for each written source: its own, made unique where two sources share one."""
    names, seen = [], set()
    for source in sources:
        name = Path(source.name).name or f"page-{source.pages[0]:03d}.{source.format}"
        if name in seen:
            name = f"page-{source.pages[0]:03d}-{name}"
        seen.add(name)
        names.append(name)
    return names


def save_written(document: str, sources: Sequence[WrittenSource], out: Path | str | None) -> list[Path]:
    """Write the corrected source files: one file to `out` (a file, or a folder), several into `out` as a
    folder under their own names; nothing when `out` is None (the one file then goes to standard output).
    Every file is written atomically; InputError when several files have nowhere to go."""
    as_folder = out is not None and (str(out).endswith(("/", "\\")) or Path(out).is_dir())
    if len(sources) > 1 and not as_folder:
        raise InputError(
            f"export {document} --into-source: its pages come from {len(sources)} files; give --out FOLDER/ "
            "to write them side by side"
        )
    if out is None:
        return []
    targets = [Path(out) / name for name in output_names(sources)] if as_folder else [Path(out)]
    for target, source in zip(targets, sources, strict=True):
        atomic_write_bytes(target, source.content)
    return targets
