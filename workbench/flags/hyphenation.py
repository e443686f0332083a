"""Detector: words split at a line end ("secu-" + "rity"), also when the hyphen was lost or misread.

Every line-end hyphen is a flag: the corrected text has no line breaks, so even a compound's own
hyphen ("post-" + "war") must be rejoined (as "post-war"). Which join comes first is decided by the
lexicon: the word joined without the hyphen when it is a common word (Zipf >= JOIN_ZIPF) or the document
uses it, else the hyphenated compound when both halves are words. A lost or misread hyphen is found when
the joined form is a clearly commoner word than either half.
"""

from __future__ import annotations

from functools import lru_cache

from workbench.flags.context import PageContext
from workbench.flags.tokens import HYPHEN_LIKE, strip_punct
from workbench.models import Flag, FlagCategory


@lru_cache(maxsize=8)
def _dictionary(name: str):
    import pyphen  # loaded on first use: commands that never flag skip its dictionaries

    return pyphen.Pyphen(lang=name) if name in pyphen.LANGUAGES else None


def _breaks_at(stem: str, joined: str, context: PageContext) -> bool:
    """True when the language's hyphenation dictionary would break `joined` where the line broke it.

    A typist's (or printer's) line-end split falls on a hyphenation point; a compound's own hyphen
    usually does not, so this backs the join without hyphen for words the lexicon does not know well.
    """
    name = context.config.hyphenation
    dictionary = _dictionary(name) if name else None
    if dictionary is None or len(joined) < 5 or not joined.isalpha():
        return False
    cut = len(strip_punct(stem)[1]) if strip_punct(stem)[0] == "" else None
    return cut is not None and cut in dictionary.positions(joined.lower())


def _lowered_misread_capital(stem: str, tail: str) -> str:
    """`tail` with its capital lowered when it can only be a misread inside the joined word.

    A lowercase head joined to a capitalised tail without a hyphen ("demon-" + "Strating") makes no word
    as written; the compound keeps the tail as read ("anti-" + "American").
    """
    lead, word, trail = strip_punct(tail)
    if lead or not stem[-1:].islower() or len(word) < 2 or not (word[0].isupper() and word[1:].islower()):
        return tail
    return word[0].lower() + word[1:] + trail


def join_candidates(head: str, tail: str, context: PageContext) -> tuple[str, ...]:
    """The ways to rejoin `head` (with its line-end hyphen) and `tail`, best first."""
    stem = head.rstrip(HYPHEN_LIKE)
    joined = stem + _lowered_misread_capital(stem, tail)
    compound = stem + "-" + tail
    lexicon, config = context.lexicon, context.config
    joined_word = strip_punct(joined)[1]
    halves_known = min(lexicon.zipf(stem), lexicon.zipf(strip_punct(tail)[1])) >= config.compound_zipf
    # The join as read, when its capital was lowered, stays offered last (a name such as "Mac-" + "Arthur").
    as_read = () if joined == stem + tail else (stem + tail,)
    if lexicon.count(strip_punct(compound)[1]) > 0 and halves_known:
        return compound, joined, *as_read
    if lexicon.zipf(joined_word) >= config.join_zipf or lexicon.count(joined_word) > 0:
        return joined, compound, *as_read
    if halves_known:
        return compound, joined, *as_read
    return joined, compound, *as_read


def hyphenation_flags(context: PageContext) -> list[Flag]:
    """Flags over line-end word splits: last token of a line + first of the next body line."""
    flags = []
    tokens, lexicon, config = context.tokens, context.lexicon, context.config
    for position in range(len(context.lines) - 1):
        if position < context.first_prose - 1 or position >= context.last_prose + 1:
            continue
        head_i = context.lines[position].last
        tail_i = context.lines[position + 1].first
        if head_i in context.claimed or tail_i in context.claimed:
            continue
        head, tail = tokens[head_i], tokens[tail_i]
        stem = strip_punct(head.text)[1]
        tail_word = strip_punct(tail.text)[1]
        if not stem or not tail_word or not tail_word[0].isalpha():
            continue
        if head.text[-1] in HYPHEN_LIKE and any(c.isalnum() for c in head.text):
            suggestions = join_candidates(head.text, tail.text, context)
            flags.append(context.flag(head_i, tail_i, FlagCategory.BROKEN_HYPHENATION, suggestions, 0.95))
            continue
        # A lost or misread hyphen ("secu" / "secu." + "rity"): the halves are no words, their join is.
        joined = stem + tail_word.lower()
        # The tail starts lowercase, or its capital is a misread inside a word ("politi" + "Cal").
        lower_tail = tail_word[0].islower() or (stem[-1:].islower() and tail_word[1:].islower())
        if (
            lower_tail
            and stem[-1].isalpha()  # a mark ending the line ("%", "_") is no word's head
            and lexicon.zipf(joined) >= config.join_zipf - 0.5
            # "politi" + "Cal" -> "political" (5.5 against 3.3), never "with" + "in" -> "within" (5.3 against 7.1)
            and (
                lexicon.zipf(joined) > max(lexicon.zipf(stem), lexicon.zipf(tail_word)) + config.lost_hyphen_margin
                # the tail no word ("com" + "plexion"), and the break falls where the language hyphenates the join
                or (not lexicon.is_known(tail_word) and _breaks_at(stem, joined, context))
                # or far commoner than the halves read as a pair by chance ("news" + "paper")
                or lexicon.zipf(joined) > lexicon.pair_by_chance_zipf(stem, tail_word) + config.split_pair_margin
            )
        ):
            lead = strip_punct(head.text)[0]
            trail = strip_punct(tail.text)[2]
            flags.append(context.flag(head_i, tail_i, FlagCategory.BROKEN_HYPHENATION, (lead + joined + trail,), 0.75))
    return flags
