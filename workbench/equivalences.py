"""The characters `ComparisonOptions(fold_equivalents=True)` folds: a table, kept apart from the code."""

from __future__ import annotations

import re

# dinglehopper 0.11's "NFC_SBB" normalisation as a table (its `unjoin_ligatures` and
# `substitute_equivalences`): ligatures become their letters (long s kept: "ſt" is not "st"), MUFI's
# private-use umlauts and the combining small e above a/o/u become umlauts, em dash and "==" become an
# en dash, the right single quotation mark an apostrophe, the double oblique hyphen a hyphen. No key
# is produced by another key's replacement, so one pass of the longest match equals its sequence of
# str.replace calls.
EQUIVALENCES: dict[str, str] = {
    "\ueba6": "\u017f\u017f",  # MUFI ligature long s long s
    "\ueba7": "\u017f\u017fi",  # MUFI ligature long s long s i
    "\uf502": "ch",
    "\ueec4": "ck",
    "\uf4f9": "ll",
    "\ueba2": "\u017fi",
    "\ueada": "\u017ft",
    "\ufb01": "fi",
    "\ufb00": "ff",
    "\ufb02": "fl",
    "\ufb03": "ffi",
    "\ueec5": "ct",
    "\ueedc": "tz",
    "\uf532": "as",  # eMOP ligatures
    "\uf533": "is",
    "\uf534": "us",
    "\uf535": "Qu",
    "\u0133": "ij",
    "\ue8bf": "q&",  # MUFI q ligated with final et
    "\ueba5": "\u017fp",
    "\ufb06": "st",
    "\ue72b": "\u00fc",  # MUFI u with diaeresis variants
    "\ue42c": "\u00e4",
    "\ue644": "\u00f6",
    "==": "\u2013",
    "\u2014": "\u2013",
    "\u2019": "'",
    "\u2e17": "-",
    "a\u0364": "\u00e4",
    "o\u0364": "\u00f6",
    "u\u0364": "\u00fc",
    "\uf50e": "q\u0301",
}
EQUIVALENCE_PATTERN = re.compile("|".join(re.escape(k) for k in sorted(EQUIVALENCES, key=len, reverse=True)))
