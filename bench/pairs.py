"""Text pairs the benchmarks share: a document's gold and stored OCR, and copies of them varied alike."""

from __future__ import annotations

import random
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_pair(doc: str) -> tuple[str, str]:
    """The document's gold pages and stored OCR pages, each joined by line breaks."""
    gold = sorted((REPO / "transcripts" / "gold" / doc).glob("page-*.txt"))
    ocr = sorted((REPO / "transcripts" / "ocr" / doc).glob("page-*.txt"))
    if not gold or len(gold) != len(ocr):
        raise SystemExit(f"bench: {doc}: needs as many transcripts/gold/{doc}/ as transcripts/ocr/{doc}/ pages")
    return (
        "\n".join(p.read_text(encoding="utf-8") for p in gold),
        "\n".join(p.read_text(encoding="utf-8") for p in ocr),
    )


def vary(text: str, rng: random.Random) -> str:
    """`text` with about one word in fifty replaced by another word of the same line."""
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        for i in range(len(words)):
            if rng.random() < 0.02:
                words[i] = rng.choice(words)
        lines.append(" ".join(words))
    return "\n".join(lines)
