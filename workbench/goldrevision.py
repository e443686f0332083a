"""Gold revisions: a new revision of a document's gold from the decisions that say the gold is wrong.

The old pages are kept under `transcripts/gold/GOLD/revisions/rN/`; the store records who revised, when,
and which decisions, so the errata list (`review.gold_errata`) can say which revision took each in.
"""

from __future__ import annotations

import itertools
import re

from workbench.align import align_chars
from workbench.corpus import Collection, page_stem
from workbench.errors import ReviewError
from workbench.fsutil import atomic_write_json, atomic_write_text, read_utf8
from workbench.models import AlignTag, Flag
from workbench.normalize import fold_whitespace
from workbench.ocr.store import load_ocr_page
from workbench.review import gold_errata, reviewer_name
from workbench.store import (
    GoldRevision,
    Store,
    now,
)


def _gold_span(gold: str, ocr: str, flag: Flag, reading: str) -> tuple[int, int]:
    """Where in the gold body the flag's gold reading stands: through the character alignment of gold and
    OCR, checked against the reading, else the nearest exact occurrence of it. ReviewError if not found."""

    ops = align_chars(gold, ocr)

    def to_gold(offset: int, *, end: bool) -> int:
        for op in ops:
            inside = op.ocr_start < offset <= op.ocr_end if end else op.ocr_start <= offset < op.ocr_end
            if inside:
                if op.tag == AlignTag.EQUAL:
                    return min(op.gold_start + offset - op.ocr_start, op.gold_end)
                return op.gold_end if end else op.gold_start
        before = [op for op in ops if op.ocr_end <= offset]
        return before[-1].gold_end if before else 0

    start = to_gold(flag.start, end=False)
    end = to_gold(flag.end, end=True) if flag.end > flag.start else start
    if fold_whitespace(gold[start:end]) == fold_whitespace(reading) and (reading.strip() or start == end):
        return start, end
    if reading:
        found = [m.start() for m in re.finditer(re.escape(reading), gold)]
        if found:
            nearest = min(found, key=lambda at: abs(at - start))
            return nearest, nearest + len(reading)
    raise ReviewError(
        f"page {flag.page} flag {flag.key}: cannot find the gold reading {reading!r} in the gold body"
    )


def revise_gold(collection: Collection, store: Store, document_id: str, *, reviewer: str) -> GoldRevision:
    """Write a new revision of a document's gold from its gold errata not yet applied; the old pages are kept
    under `transcripts/gold/GOLD/revisions/rN/` (N the new revision), with a revision.json saying who,
    when and which decisions. Only body text is revised; markings are left as they are.

    The revision number is claimed in the store first, so two reviewers revising at once cannot both win.
    """
    reviewer = reviewer_name(reviewer)
    document = collection.document(document_id)
    if document.gold is None or not collection.has_gold(document):
        raise ReviewError(f"{document.manifest_path}: document {document_id!r} has no gold to revise")
    pending = [e for e in gold_errata(store, document_id, gold=document.gold) if e.applied_in is None]
    if not pending:
        raise ReviewError(f"{document_id}: no gold errata waiting (mark flags 'gold is wrong' first)")

    gold_dir = collection.gold_dir(document.gold)
    new_bodies: dict[int, str] = {}
    for number in sorted({e.flag.page for e in pending}):
        page_errata = [e for e in pending if e.flag.page == number]
        body = read_utf8(gold_dir / f"{page_stem(number)}.txt", what="gold page").replace("\r\n", "\n")
        ocr = load_ocr_page(collection, document_id, number).text
        spans = [(_gold_span(body, ocr, e.flag, e.gold_reading), e) for e in page_errata]
        spans.sort(key=lambda item: item[0])
        for (first, _), (second, erratum) in itertools.pairwise(spans):
            if second[0] < first[1]:
                raise ReviewError(f"page {number}: gold errata overlap at flag {erratum.flag.key}")
        for (start, end), erratum in reversed(spans):
            body = body[:start] + erratum.proposed + body[end:]
        new_bodies[number] = body
    revisions = store.gold_revisions(document.gold)
    revision = GoldRevision(
        document=document_id,
        gold=document.gold,
        revision=(revisions[-1].revision if revisions else 0) + 1,
        reviewer=reviewer,
        time=now(),
        decisions=tuple(e.decision.id for e in pending),
        pages=tuple(sorted(new_bodies)),
    )
    store.append_gold_revision(revision)
    keep = gold_dir / "revisions" / f"r{revision.revision}"
    for number in new_bodies:
        old = gold_dir / f"{page_stem(number)}.txt"
        atomic_write_text(keep / old.name, read_utf8(old, what="gold page"))
    atomic_write_json(
        keep / "revision.json",
        {
            "revision": revision.revision,
            "document": document_id,
            "reviewer": reviewer,
            "time": revision.time,
            "pages": list(revision.pages),
            "errata": [
                {
                    "flag": e.flag.key,
                    "decision": e.decision.id,
                    "reviewer": e.decision.reviewer,
                    "time": e.decision.time,
                    "note": e.decision.note,
                    "was": e.gold_reading,
                    "now": e.proposed,
                }
                for e in pending
            ],
        },
    )
    for number, body in new_bodies.items():
        atomic_write_text(gold_dir / f"{page_stem(number)}.txt", body)
    return revision
