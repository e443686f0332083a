"""How good the no-gold flagger is: precision, recall and F1 against the gold flags, and suggestion accuracy.

Matching rule (the one code path behind `workbench flag --evaluate`, the reports and the UI):
  - flags match only on the same document and page;
  - two non-empty spans match when they share at least one character: a.start < b.end and b.start < a.end;
  - an empty span (missing text, inserted at offset p) matches a span [s, e) when s <= p <= e, i.e. the
    insertion point lies inside it or touches either end; two empty spans match when they are at most
    one character apart.
Recall of category C: the share of gold flags of category C matched by any predicted flag (of any
category). Precision of category C: the share of predicted flags of category C that match any gold flag.
Overall figures count every flag once. Top-1 / top-3: among gold `misread_word` flags matched by a
predicted flag, the share whose gold reading is the predicted flag's first / one of its first three
suggestions, both read over the union of the two spans (so a suggestion for "tlie," and one for "tlie"
compare fairly), whitespace folded.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field

from workbench.flags.tokens import fold_whitespace
from workbench.models import Flag, FlagCategory


@dataclass(frozen=True, slots=True)
class CategoryScore:
    """Counts and rates of one category (or of all flags): fractions 0..1, None when undefined (0/0)."""

    gold: int
    predicted: int
    gold_found: int
    predicted_correct: int

    @property
    def recall(self) -> float | None:
        return self.gold_found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.predicted_correct / self.predicted if self.predicted else None

    @property
    def f1(self) -> float | None:
        p, r = self.precision, self.recall
        if p is None or r is None:
            return None
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict:
        """Counts and rates as a JSON-ready dict."""
        return {**asdict(self), "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True, slots=True)
class FlagEvaluation:
    """The no-gold flags scored against the gold flags: overall, per category, and suggestion accuracy.

    `category_agreement` is the share of found gold flags whose best-overlapping predicted flag has the
    same category. `top1`/`top3` are fractions of `misread_found` (gold misread words that were found).
    """

    overall: CategoryScore
    by_category: dict[str, CategoryScore] = field(default_factory=dict)
    misread_found: int = 0
    top1_correct: int = 0
    top3_correct: int = 0
    category_agreement: float | None = None

    @property
    def top1(self) -> float | None:
        return self.top1_correct / self.misread_found if self.misread_found else None

    @property
    def top3(self) -> float | None:
        return self.top3_correct / self.misread_found if self.misread_found else None

    def to_dict(self) -> dict:
        """The evaluation as a JSON-ready dict."""
        return {
            "overall": self.overall.to_dict(),
            "by_category": {name: score.to_dict() for name, score in self.by_category.items()},
            "misread_found": self.misread_found,
            "top1_correct": self.top1_correct,
            "top3_correct": self.top3_correct,
            "top1": self.top1,
            "top3": self.top3,
            "category_agreement": self.category_agreement,
        }


def spans_match(a: Flag, b: Flag) -> bool:
    """True when two flags' spans match under the rule in this module's docstring (same page assumed)."""
    a_empty, b_empty = a.start == a.end, b.start == b.end
    if a_empty and b_empty:
        return abs(a.start - b.start) <= 1
    if a_empty:
        return b.start <= a.start <= b.end
    if b_empty:
        return a.start <= b.start <= a.end
    return a.start < b.end and b.start < a.end


def _overlap(a: Flag, b: Flag) -> int:
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def reading_over_union(flag: Flag, suggestion: str, other: Flag) -> str | None:
    """The text over the union of two overlapping spans once `flag`'s span reads `suggestion`.

    None when the union holds text neither flag carries (partial overlap), so the two readings are
    compared over their own spans instead.
    """
    if other.start <= flag.start and flag.end <= other.end:
        text = other.text
        return text[: flag.start - other.start] + suggestion + text[flag.end - other.start :]
    if flag.start <= other.start and other.end <= flag.end:
        return suggestion
    return None


def suggestion_matches(predicted: Flag, suggestion: str, gold: Flag) -> bool:
    """True when reading `suggestion` in the predicted span gives the gold reading, whitespace folded."""
    if not gold.suggestions:
        return False
    truth = gold.suggestions[0]
    mine = reading_over_union(predicted, suggestion, gold)
    theirs = reading_over_union(gold, truth, predicted)
    if mine is None or theirs is None:
        mine, theirs = suggestion, truth
    return fold_whitespace(mine) == fold_whitespace(theirs)


def evaluate_flags(predicted: Iterable[Flag], gold: Iterable[Flag]) -> FlagEvaluation:
    """Score `predicted` flags (usually heuristic) against `gold` flags of the same pages; see module doc."""
    predicted = list(predicted)
    gold = list(gold)
    by_page: dict[tuple[str, int], list[int]] = defaultdict(list)
    for index, flag in enumerate(predicted):
        by_page[(flag.document, flag.page)].append(index)

    matches: list[list[int]] = []  # for each gold flag, the predicted flags it matches
    predicted_hit = [False] * len(predicted)
    for flag in gold:
        found = [i for i in by_page.get((flag.document, flag.page), ()) if spans_match(predicted[i], flag)]
        for i in found:
            predicted_hit[i] = True
        matches.append(found)

    categories = [c.value for c in FlagCategory]
    by_category = {}
    for name in categories:
        gold_idx = [k for k, f in enumerate(gold) if f.category.value == name]
        pred_idx = [k for k, f in enumerate(predicted) if f.category.value == name]
        by_category[name] = CategoryScore(
            gold=len(gold_idx),
            predicted=len(pred_idx),
            gold_found=sum(1 for k in gold_idx if matches[k]),
            predicted_correct=sum(1 for k in pred_idx if predicted_hit[k]),
        )
    overall = CategoryScore(
        gold=len(gold),
        predicted=len(predicted),
        gold_found=sum(1 for m in matches if m),
        predicted_correct=sum(predicted_hit),
    )

    agree = 0
    misread_found = top1 = top3 = 0
    for flag, found in zip(gold, matches, strict=True):
        if not found:
            continue
        best = _best_match(flag, [predicted[i] for i in found])
        agree += best.category is flag.category
        if flag.category is FlagCategory.MISREAD_WORD:
            misread_found += 1
            ranked = best.suggestions
            top1 += bool(ranked) and suggestion_matches(best, ranked[0], flag)
            top3 += any(suggestion_matches(best, s, flag) for s in ranked[:3])
    return FlagEvaluation(
        overall=overall,
        by_category=by_category,
        misread_found=misread_found,
        top1_correct=top1,
        top3_correct=top3,
        category_agreement=agree / overall.gold_found if overall.gold_found else None,
    )


def _best_match(flag: Flag, candidates: Sequence[Flag]) -> Flag:
    """The candidate sharing most characters with `flag`, preferring the same category on ties."""
    return max(candidates, key=lambda c: (_overlap(c, flag), c.category is flag.category, -abs(c.start - flag.start)))
