"""What `workbench compare` shows: a comparison as plain data (the keys of `evaluate --json`), as a table,
and as a small HTML report. The comparing itself is `workbench.compare`.
"""

from __future__ import annotations

import math

import jinja2

from workbench.compare import (
    A_FOLDER,
    NOT_A_TEXT_NAME,
    SECOND_OF_STEM,
    Comparison,
    FolderComparison,
    PooledFlexibleAccuracy,
    SourceText,
)
from workbench.evaluate import DocumentEvaluation, confusion_lines, evaluation_dict, interval_dict, options_dict
from workbench.flexible import FlexibleAccuracy


def flexible_dict(result: FlexibleAccuracy | PooledFlexibleAccuracy | None) -> dict | None:
    """Flexible character accuracy for JSON (accuracy a fraction; counts in grapheme clusters), or None."""
    if result is None:
        return None
    data = {
        "accuracy": result.accuracy,
        "errors": result.errors,
        "gold_length": result.gold_length,
        "ocr_length": result.ocr_length,
    }
    if isinstance(result, PooledFlexibleAccuracy):
        data.update(pairs=result.pairs, weights=result.weights)
    else:
        data["weights"] = list(result.weights)
    return data


def _source_dict(source: SourceText) -> dict:
    return {"path": str(source.path), "format": source.format, "pages": len(source.pages)}


def _finite(value: float) -> float | None:
    # as evaluate --json writes rates: an infinite rate (OCR text against an empty gold) is null
    return value if math.isfinite(value) else None


def _pair_dict(pair: Comparison, pages: tuple[int, int]) -> dict:
    evaluation = pair.evaluation
    score = evaluation.score()
    return {
        "name": pair.name,
        "gt": _source_dict(pair.gt),
        "ocr": _source_dict(pair.ocr),
        "pages_joined": pair.joined,
        "pages": list(pages),
        "cer": _finite(score.cer),
        "wer": _finite(score.wer),
        "gold_chars": score.gold_chars,
        "gold_words": score.gold_words,
        "substitutions": score.substitutions,
        "insertions": score.insertions,
        "deletions": score.deletions,
        "char_errors": sum(p.chars.distance for p in evaluation.pages),
        "word_errors": sum(p.words.distance for p in evaluation.pages),
        "bag_of_words_error": _finite(evaluation.bag_of_words_rate()),
        "flexible_character_accuracy": flexible_dict(pair.flexible),
    }


def comparison_dict(result: Comparison | FolderComparison, *, top: int = 20, seed: int = 0) -> dict:
    """The comparison as plain JSON data: `evaluate --json`'s keys (options, document with its
    `cer_interval` drawn with `seed`, pages, confusions), plus `flexible_character_accuracy` (null when
    off) and `fca`; for two files `sources`, for folders `pairs`, `unmatched` and `ignored`."""
    data = evaluation_dict(result.evaluation, top=top)
    data["document"]["cer_interval"] = interval_dict(result.evaluation.cer_interval(seed=seed))
    data["fca"] = result.fca
    if isinstance(result, Comparison):
        data["flexible_character_accuracy"] = flexible_dict(result.flexible)
        data["sources"] = {
            "gt": _source_dict(result.gt),
            "ocr": _source_dict(result.ocr),
            "pages_joined": result.joined,
        }
        return data
    data["flexible_character_accuracy"] = flexible_dict(result.flexible)
    data["pairs"] = [_pair_dict(pair, span) for pair, span in zip(result.pairs, result.pair_pages(), strict=True)]
    data["unmatched"] = {"gt": [str(p) for p in result.unmatched_gt], "ocr": [str(p) for p in result.unmatched_ocr]}
    data["ignored"] = {
        side: [{"path": str(item.path), "reason": item.reason} for item in items]
        for side, items in (("gt", result.ignored_gt), ("ocr", result.ignored_ocr))
    }
    return data


def _percent(value: float) -> str:
    return "inf" if math.isinf(value) else f"{100 * value:.2f}%"


def _fca_cell(result: FlexibleAccuracy | PooledFlexibleAccuracy | None) -> str:
    return "-" if result is None else f"{100 * result.accuracy:.2f}%"


def _row(label: str, evaluation: DocumentEvaluation, flexible: str) -> tuple[str, ...]:
    score = evaluation.score()
    return (
        label,
        _percent(score.cer),
        _percent(score.wer),
        _percent(evaluation.bag_of_words_rate()),
        flexible,
        str(score.gold_chars),
        str(score.gold_words),
        str(score.substitutions),
        str(score.insertions),
        str(score.deletions),
    )


def _describe_source(source: SourceText) -> str:
    return f"{source.path} ({source.format}, {len(source.pages)} page{'s' if len(source.pages) != 1 else ''})"


def format_comparison(result: Comparison | FolderComparison, *, top: int = 10, seed: int = 0) -> str:
    """A plain-text table like `workbench evaluate`'s: one row per page (two files) or per pair
    (folders) and one pooled row, rates in percent; then the CER interval, the flexible character
    accuracy, unmatched and ignored files, and the top confusions."""
    header = (
        "pair" if isinstance(result, FolderComparison) else "page",
        "CER",
        "WER",
        "BoW err",
        "FCA",
        "chars",
        "words",
        "sub",
        "ins",
        "del",
    )
    rows: list[tuple[str, ...]] = []
    text: list[str] = []
    if isinstance(result, Comparison):
        text.append(f"GT:  {_describe_source(result.gt)}")
        text.append(f"OCR: {_describe_source(result.ocr)}")
        if result.joined:
            text.append("pages differ in number: each file compared as one text")
        if len(result.evaluation.pages) > 1:
            # FCA is one figure for the whole files, so the page rows leave it blank
            for page in result.evaluation.pages:
                rows.append(_row(str(page.page), DocumentEvaluation("", "", (page,), result.options), ""))
    else:
        text.append(f"GT:  {result.gt_dir}  OCR: {result.ocr_dir}  ({len(result.pairs)} pairs)")
        for pair in result.pairs:
            rows.append(_row(pair.name, pair.evaluation, _fca_cell(pair.flexible)))
    rows.append(_row("all", result.evaluation, _fca_cell(result.flexible)))
    text.append(f"comparison: {result.options.label()}")
    lines = [header, *rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    for index, line in enumerate(lines):
        text.append("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))
        if index == 0 or (index == len(lines) - 2 and len(lines) > 2):
            text.append("  ".join("-" * width for width in widths))
    interval = result.evaluation.cer_interval(seed=seed)
    text.append("")
    text.append(
        f"CER {interval.describe()}: {interval.confidence:.0%} interval, a bootstrap over {interval.pages} "
        f"page(s), seed {interval.seed}"
    )
    flexible = result.flexible
    if flexible is None:
        text.append("flexible character accuracy: not computed (--no-fca)")
    else:
        sets = "the paper's full grid" if result.fca == "grid" else "the paper's default weights"
        text.append(
            f"flexible character accuracy {_fca_cell(flexible)}: {flexible.errors} errors in "
            f"{flexible.gold_length} gold characters ({sets})"
        )
    if isinstance(result, FolderComparison):
        for label, paths in (
            ("GT files without OCR", result.unmatched_gt),
            ("OCR files without GT", result.unmatched_ocr),
        ):
            if paths:
                text.append(f"{label} ({len(paths)}): {', '.join(p.name for p in paths)}")
        for label, items in (("GT", result.ignored_gt), ("OCR", result.ignored_ocr)):
            for reason in (NOT_A_TEXT_NAME, A_FOLDER, SECOND_OF_STEM):
                names = [item.path.name for item in items if item.reason == reason]
                if names:
                    text.append(f"ignored in the {label} folder, {reason} ({len(names)}): {', '.join(names)}")
    text.extend(confusion_lines(result.evaluation, top=top))
    return "\n".join(text)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("workbench", "data"),
        autoescape=True,  # file names and OCR text are untrusted
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(result: Comparison | FolderComparison, *, top: int = 20, seed: int = 0) -> str:
    """A small self-contained HTML report of the comparison (template `data/compare.html.j2`, escaped),
    with the comparison options used, built from `comparison_dict`'s data."""
    data = comparison_dict(result, top=top, seed=seed)
    return (
        _environment()
        .get_template("compare.html.j2")
        .render(
            data=data,
            options=options_dict(result.options),
            folder=isinstance(result, FolderComparison),
            interval=result.evaluation.cer_interval(seed=seed).describe(),
            top=top,
        )
    )
