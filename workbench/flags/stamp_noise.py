"""Detector: marking text read into the page, without gold (stamp vocabulary, page position, page numbers).

A line is stamp noise when
  - it reads as a marking: page number alone ("-2-"), or mostly stamp words with at least one strong one
    (CONFIDENTIAL, GDS, NARA, E.O. 12958, misread or not); or
  - it stands above the first or below the last prose line of the page (where classification lines,
    stamps and notes sit) and is not itself prose-like (real words, e.g. a heading or a signature line),
    or consists of stamp words only ("State Dept Guidelines").
A token alone in the left or right margin, outside the body frame, is stamp noise too (notes, specks),
and so is a run of stamp words led by a strong one inside a body line (a stamp read beside the text).
"""

from __future__ import annotations

import re

from workbench.flags.context import PageContext
from workbench.flags.stamps import NONE, PAGE_NUMBER, STRONG, fold_caps, line_strength, token_strength
from workbench.flags.tokens import has_alnum
from workbench.models import Flag, FlagCategory


def _prose_like(texts: list[str], context: PageContext) -> bool:
    """A short line of real words or dates ("DEPARTMENT OF STATE", "November 1974"): body, not a mark."""
    words = [t for t in texts if has_alnum(t)]
    if not words:
        return False
    if any(re.fullmatch(r"\W*\d{1,3}\W*", w) for w in words):
        return False  # a lone small number out there is a page number, however the rest was read
    known = [w for w in words if context.lexicon.is_known(w) or re.fullmatch(r"[\d,./-]+", w)]
    return len(known) == len(words) and any(len(re.sub(r"\W", "", w)) >= 4 for w in words)


def stamp_noise_flags(context: PageContext) -> list[Flag]:
    """Flags for marking text on the page (one per line, or per margin token), suggestion "" (delete)."""
    flags = []
    for position, line in enumerate(context.lines):
        texts = [context.tokens[i].text for i in line.indices()]
        joined = " ".join(texts)
        strength = line_strength(texts, context.vocabulary, min_share=context.config.min_line_share)
        outside = position < context.first_prose or position > context.last_prose
        if PAGE_NUMBER.fullmatch(joined) and (outside or re.search(r"[-–—~]", joined)):
            flags.append(context.flag(line.first, line.last, FlagCategory.STAMP_NOISE, ("",), 0.95))
        elif strength >= 0.5:
            flags.append(context.flag(line.first, line.last, FlagCategory.STAMP_NOISE, ("",), 0.6 + 0.35 * strength))
        elif outside and (not _prose_like(texts, context) or all(token_strength(t, context.vocabulary) for t in texts)):
            flags.append(context.flag(line.first, line.last, FlagCategory.STAMP_NOISE, ("",), 0.75))
    flags.extend(_stamp_words_in_body(context))
    if context.body_left is None or context.body_right is None:
        return flags
    for index, token in enumerate(context.tokens):
        if index in context.claimed or token.box is None:
            continue
        slack = context.config.margin_slack
        in_margin = token.box.right < context.body_left - slack or token.box.left > context.body_right + slack
        if in_margin and not context.lexicon.is_known(token.text):
            flags.append(context.flag(index, index, FlagCategory.STAMP_NOISE, ("",), 0.6))
    return flags


def _stamp_words_in_body(context: PageContext) -> list[Flag]:
    """Runs of stamp words inside a body line, led by a strong one: a stamp beside the last body line."""
    flags = []
    tokens = context.tokens
    for line in context.lines:
        index = line.first
        while index <= line.last:
            text = tokens[index].text
            strong = token_strength(text, context.vocabulary) == STRONG and len(fold_caps(text)) >= 5
            if index in context.claimed or not strong:
                index += 1
                continue
            end = index
            while end + 1 <= line.last and end + 1 not in context.claimed:
                if token_strength(tokens[end + 1].text, context.vocabulary) == NONE:
                    break
                end += 1
            flags.append(context.flag(index, end, FlagCategory.STAMP_NOISE, ("",), 0.8))
            index = end + 1
    return flags
