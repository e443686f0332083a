"""Detector: text the OCR lost at the end of a line, found from the typist's line breaking.

A typist breaks a line only when the next word does not fit. So when a line inside a paragraph stops
well short of the body's right edge, the next line's first word would have fitted in the room left, and
that next line runs on to the edge (a filled paragraph, not verse or a list broken on purpose), words
were lost there (faded, cut by skew, dropped by the engine). The flag is an empty span at the end
of the line with no suggestion: what was lost cannot be known without the gold. Needs word boxes.
"""

from __future__ import annotations

import statistics

from workbench.flags.context import PageContext
from workbench.flags.tokens import HYPHEN_LIKE
from workbench.models import Flag, FlagCategory


def char_width(context: PageContext) -> float | None:
    """The page's typewriter pitch in pixels per character, from the word boxes (median), or None."""
    widths = [t.box.width / len(t.text) for t in context.tokens if t.box is not None and len(t.text) >= 4]
    return statistics.median(widths) if len(widths) >= 20 else None


def missing_text_flags(context: PageContext) -> list[Flag]:
    """Empty-span flags at line ends where the next line's first word would have fitted."""
    pitch = char_width(context)
    if pitch is None or context.body_right is None:
        return []
    flags = []
    tokens = context.tokens
    for position in range(context.first_prose, min(context.last_prose, len(context.lines) - 1)):
        line, following = context.lines[position], context.lines[position + 1]
        last, first = tokens[line.last], tokens[following.first]
        if last.box is None or first.box is None or first.line - last.line != 1:
            continue  # a blank line between: the paragraph ended
        if last.text[-1] in HYPHEN_LIKE or line.last in context.claimed:
            continue
        if context.body_left is not None and first.box.left - context.body_left > 2 * pitch:
            continue  # the next line does not start at the margin: a centred heading, an indented list
        if last.text[-1] in ".:?!" and first.text[:1].isupper():
            continue  # a short last line of a paragraph whose blank line the OCR did not keep
        room = (context.body_right - last.box.right) / pitch - 1  # characters left after a space
        end = tokens[following.last].box
        if end is None or (context.body_right - end.right) / pitch - 1 > context.config.missing_full_line_room:
            continue  # the next line stops short too: lines broken on purpose (verse, a list), not lost text
        if room >= len(first.text) + context.config.missing_slack_chars and first.text[:1].isalpha():
            flags.append(
                context.flag(line.last, line.last, FlagCategory.MISSING_TEXT, (), 0.5, start=last.end, end=last.end)
            )
            context.claimed.discard(line.last)  # the word itself is not flagged
    return flags
