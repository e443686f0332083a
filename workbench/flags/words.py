"""Detectors: misread words, words split in two, words run together.

Split: two neighbours on one line whose join is a word while one of them is not ("bas ed", "obligati on").
Merged: one token that is no word but two words run together, by a stray glyph ("to:meet", "at.the") or
by a lost space ("onthe").
Misread: a token that is no word (lexicon and the document's own vocabulary), a garbage token (rules in
workbench.flags.garbage), a common scanno, a real word far rarer than a cheap OCR confusion of it
("cur" for "our"), a rare word whose correction the document's own word pairs back ("Far Bast" where
"Far East" occurs), or a word Tesseract was unsure of (confidence below LOW_CONF; for a real word the
document reads often, doubt alone is not enough). Suggestions are ranked by workbench.flags.suggest and
cased as the document writes the word; numbers with letter look-alikes ("l974") get the digits back.
"""

from __future__ import annotations

import re

from workbench.flags.context import PageContext
from workbench.flags.garbage import garbage_reason, is_unit_measure, scannos
from workbench.flags.letters import letter_score
from workbench.flags.lexicon import behind_elision
from workbench.flags.suggest import Suggestion, match_case, ocr_cost, suggest_token
from workbench.flags.tokens import NUMBER, has_alnum, strip_punct
from workbench.models import Flag, FlagCategory

NUMBER_LOOKALIKE = str.maketrans({"l": "1", "I": "1", "|": "1", "O": "0", "o": "0", "S": "5", "B": "8"})
# A guillemet right after a letter: Fraktur's final s or n as Tesseract reads it ("de»", "da«")
GLUED_GUILLEMET = re.compile(r"[^\W\d_][«»]")
GUILLEMET_LETTERS = "snert"  # what such a guillemet stands for, likeliest first
ACRONYM = re.compile(r"^[A-Z]{2,6}s?$")


def _conf(token_conf: float | None) -> float:
    # Tesseract reports 0 for words it re-segmented after recognition: no evidence either way.
    return 100.0 if token_conf is None or token_conf <= 0 else token_conf


def split_flags(context: PageContext) -> list[Flag]:
    """Flags over two tokens of one line that are one word split by a space."""
    flags = []
    tokens, lexicon, config = context.tokens, context.lexicon, context.config
    for position, line in enumerate(context.lines):
        if position < context.first_prose or position > context.last_prose:
            continue
        for index in range(line.first, line.last):
            if index in context.claimed or index + 1 in context.claimed:
                continue
            left, right = tokens[index].text, tokens[index + 1].text
            lead, left_word, left_trail = strip_punct(left)
            _, right_word, trail = strip_punct(right)
            if left_trail or not left_word.isalpha() or not right_word.isalpha():
                continue
            # lowercase run on, or a word in capitals split ("GENE RAL")
            if not (right_word[0].islower() or (left_word.isupper() and right_word.isupper() and len(left_word) > 1)):
                continue
            joined = left_word + right_word
            both_known = lexicon.is_known(left_word) and lexicon.is_known(right_word)
            # Two real words ("a part", "in to") stay apart unless their join is much commoner than the pair
            # would be by chance.
            if both_known:
                chance = lexicon.pair_by_chance_zipf(left_word, right_word)
                if lexicon.zipf(joined) <= chance + config.split_pair_margin:
                    continue
            if lexicon.zipf(joined) >= config.split_join_zipf or lexicon.count(joined) > 1:
                flags.append(context.flag(index, index + 1, FlagCategory.SPLIT_WORD, (lead + joined + trail,), 0.8))
    return flags


def _merged_suggestion(word: str, context: PageContext) -> str | None:
    """Two words the token runs together, with the space put back, or None."""
    lexicon, config = context.lexicon, context.config
    glued = re.fullmatch(r"([A-Za-z]+)([.,:;'’*\"-]+)([A-Za-z]+)", word)
    if glued:
        left, glue, right = glued.groups()
        if re.fullmatch(r"['’](s|t|d|ll|re|ve|m)", glue + right) or glue == "--" or min(len(left), len(right)) < 2:
            return None  # Japan's, a typed dash (power--over), e.g.
        if lexicon.is_known(word) or (glue == "-" and lexicon.is_known(left + right)):
            return None  # an elision (qu'il) or a word hyphenated where a line once ended (com-mencèrent)
        if glue == "-":
            # A hyphen read for a space joins a short function word to its neighbour ("to-our",
            # "in-Indochina"); compounds ("self-defense", "US-Japan") keep theirs.
            if lexicon.count(word) > 1 or not {left.lower(), right.lower()} & config.glued_words:
                return None
            return f"{left} {right}"
        if lexicon.zipf(left) >= config.merge_part_zipf - 1 and lexicon.zipf(right) >= config.merge_part_zipf - 1:
            keep = glue if glue in {",", ";", ":"} else ""
            return f"{left}{keep} {right}"
        return None
    if not word.isalpha() or len(word) < 4 or lexicon.zipf(word) >= config.merge_word_zipf or lexicon.count(word) > 1:
        return None
    if lexicon.variant_of(word):
        return None  # an old spelling or another form of one word ("yeares", "Devill"), not two
    if len(word) >= config.known_long_letters and lexicon.is_known(word):
        return None  # a long word the list holds ("whereof", "workmen", "thereon"): no two words run together
    if config.compounds:
        # a language that closes its compounds up: two words in one token are a compound far more often
        # than a lost space (dev halves, German: 4 of 31 such flags right)
        return None
    floor = max(lexicon.zipf(word) + 2.5, config.merge_part_zipf)  # both parts far commoner than the token itself
    closest = suggest_token(word, lexicon, limit=1)
    if closest and closest[0].cost <= config.merge_near_cost:
        return None  # one slip away from a word (or an old spelling of it: "soone"): no two words
    best = None
    for cut in range(1, len(word)):
        left, right = word[:cut], word[cut:]
        if min(len(left), len(right)) == 1 and not {left.lower(), right.lower()} & {"a", "i"}:
            continue
        if lexicon.zipf(left) >= floor + (1.5 if len(left) <= 2 else 0.0) and lexicon.zipf(right) >= floor + (
            1.5 if len(right) <= 2 else 0.0
        ):
            score = lexicon.zipf(left) + lexicon.zipf(right)
            if best is None or score > best[0]:
                best = (score, f"{left} {right}")
    return best[1] if best else None


def merged_flags(context: PageContext) -> list[Flag]:
    """Flags for one token that holds two words."""
    flags = []
    for _line, index in context.unclaimed_prose():
        lead, word, trail = strip_punct(context.tokens[index].text)
        if len(word) >= 8 and word.isalpha() and _conf(context.tokens[index].conf) >= context.config.unsure_conf:
            continue  # a long rare word read with confidence ("forswear", "triregional")
        suggestion = _merged_suggestion(word, context)
        if suggestion:
            flags.append(context.flag(index, index, FlagCategory.MERGED_WORDS, (lead + suggestion + trail,), 0.75))
    return flags


def _number_fix(text: str) -> str | None:
    """A number with letter look-alikes ("l974", "55,O00") with its digits back, or None."""
    if sum(c.isdigit() for c in text) < max(1, len(strip_punct(text)[1]) // 2):
        return None
    fixed = text.translate(NUMBER_LOOKALIKE)
    return fixed if fixed != text and NUMBER.match(fixed) else None


def misread_flags(context: PageContext) -> list[Flag]:
    """Flags for words read as another string, with ranked suggestions."""
    flags = []
    table = scannos() if context.config.scannos else {}
    marks_are_letters = _guillemets_are_letters(context)
    sterling = bool(context.config.shillings) and "£" in context.page.text
    for _line, index in context.unclaimed_prose():
        text = context.tokens[index].text
        if not has_alnum(text) or NUMBER.match(text):
            continue
        if context.config.ordinal and re.fullmatch(context.config.ordinal, strip_punct(text)[1]):
            continue  # "14th", "2d": a number as the language writes it
        if sterling and re.fullmatch(context.config.shillings, strip_punct(text)[1]):
            continue  # "2s 6d": shillings on a page of prices in pounds
        optional = OPTIONAL_ENDING.fullmatch(text.rstrip(".,;:!?"))
        if optional and context.lexicon.is_known(optional.group(1)):
            continue  # "ARTICLE(S)", "ami(e)s": a known word with its ending written as optional
        number = _number_fix(text)
        if number:
            flags.append(context.flag(index, index, FlagCategory.MISREAD_WORD, (number,), 0.8))
            continue
        glued = _guillemet_for_letter(index, context, quotations=not marks_are_letters)
        if glued:
            flags.append(context.flag(index, index, FlagCategory.MISREAD_WORD, glued, 0.8))
            continue
        lead, word, trail = strip_punct(text)
        scanno = table.get(word.lower())
        conf = _conf(context.tokens[index].conf)
        if scanno and conf < 96:
            ranked = [lead + match_case(scanno, word) + trail]
            ranked += [s.text for s in suggest_token(text, context.lexicon, limit=3)]
            flags.append(context.flag(index, index, FlagCategory.MISREAD_WORD, _unique(ranked), 0.8))
            continue
        confidence, suggestions = _misread(index, context)
        if confidence > 0.0:
            ranked = [_document_case(s.text, index, context) for s in suggestions]
            flags.append(context.flag(index, index, FlagCategory.MISREAD_WORD, _unique(ranked), confidence))
    return flags


def _guillemets_are_letters(context: PageContext) -> bool:
    """True when the page holds many guillemets glued after a letter (`FlaggerConfig.guillemet_letter_min`),
    `guillemet_letter_ratio` times as many as those opening a token: a page of Fraktur read as guillemets,
    whose quotation openers are themselves misread letters ("«inen" for "einen"), not one of quotations."""
    glued = sum(1 for token in context.tokens if GLUED_GUILLEMET.search(token.text))
    opening = sum(1 for token in context.tokens if token.text[:1] in "«»")
    config = context.config
    return glued >= config.guillemet_letter_min and glued >= config.guillemet_letter_ratio * opening


def _guillemet_for_letter(index: int, context: PageContext, *, quotations: bool = True) -> tuple[str, ...]:
    """Readings of the token at `index` with a guillemet glued to a letter ("de»", "da«", "bereit»") put
    back as the letter it stands for, best first; () when the token has none or it closes a quotation
    (looked for only when the page has `quotations`).

    Fraktur's round s (and n) come out of Tesseract as a guillemet stuck to the word; typed quotation
    marks stand apart (French « mot ») or open the quotation they close within the reach of one.
    """
    text = context.tokens[index].text
    if not GLUED_GUILLEMET.search(text) or len(GLUED_GUILLEMET.findall(text)) > 2:
        return ()
    if text[:1] in "«»" and text.rstrip(".,;:!?)")[-1:] in "«»":
        return ()  # «word» or »word«: a one-word quotation
    if quotations and _may_close_quotation(index, context):
        return ()  # a quotation opened before it may close here
    readings = [""]
    for piece in re.split(r"([«»])", text):
        if piece in ("«", "»"):
            readings = [r + letter for r in readings for letter in GUILLEMET_LETTERS]
        else:
            readings = [r + piece for r in readings]
    lexicon = context.lexicon

    def rank(reading: str) -> float:
        word = strip_punct(reading)[1]
        letters = [GUILLEMET_LETTERS.index(c) for c, g in zip(reading, text, strict=True) if g in "«»"]
        return -(lexicon.zipf(word) if lexicon.is_known(word) else 0.0) + sum(letters)

    return tuple(sorted(readings, key=rank)[:3])  # stable: ties keep the letters' order


def _may_close_quotation(index: int, context: PageContext) -> bool:
    """True when the guillemet glued to token `index` may close a quotation: it ends the word (past its
    punctuation) and the latest token opening with a guillemet within `quote_reach` tokens before it
    opened with the other one (»...« as German prints it, «...» as French does)."""
    text = context.tokens[index].text
    mark = text.rstrip(".,;:!?)")[-1:]
    if mark not in "«»":
        return False  # a guillemet inside the word closes nothing
    reach = context.config.quote_reach
    for other in reversed(context.tokens[max(0, index - reach) : index]):
        if other.text[:1] in "«»":
            return other.text[:1] != mark
    return False


def _misread(index: int, context: PageContext) -> tuple[float, list]:
    """How likely token `index` is a misread word (0 = not at all), and its ranked corrections."""
    lexicon, config = context.lexicon, context.config
    token = context.tokens[index]
    text, conf = token.text, _conf(token.conf)
    word = strip_punct(text)[1]
    reason = garbage_reason(text, vowels=config.vowels)
    known = lexicon.is_known(word)
    acronym = bool(ACRONYM.match(word)) and not reason
    # Ranking is the costly step: skip it for common words Tesseract was sure of (no rule below fires).
    doubtful = reason or not known or conf < config.unsure_conf or lexicon.zipf(word) < 7.8 - config.sure_gain
    suggestions = suggest_token(text, lexicon, limit=3) if doubtful else []
    best = suggestions[0] if suggestions else None
    gain = lexicon.zipf(strip_punct(best.text)[1]) - lexicon.zipf(word) if best else 0.0
    # One cheap OCR confusion from a far commoner word ("tho", "tbe", "thoy"): a misreading the engine
    # repeats across the document is still one, so the document's vocabulary does not shield it.
    systematic = best is not None and best.cost <= (1.0 if len(word) <= 2 else 0.5) and gain >= config.sure_gain
    confidence = 0.0
    if reason:
        confidence = 0.8
    elif acronym:
        twin = _acronym_twin(word, lexicon)
        if twin is None:
            return 0.0, suggestions  # GOJ, ASW, AEW: an abbreviation, not a misreading
        return 0.7, [Suggestion(text.replace(word, twin, 1), 0.0, 0.0), *suggestions]
    elif (lexicon.settled(word) or lexicon.repeated_name(word)) and conf >= config.low_conf and not systematic:
        # The document's own vocabulary: a word it reads often and well, or a name it repeats, is real
        # however rare the general list thinks it (old spellings, terms, people and places), unless the
        # engine doubted this very reading.
        return 0.0, suggestions
    elif (
        lexicon.zipf(word) < config.variant_zipf
        and conf >= config.unsure_conf
        and lexicon.variant_of(word)
        and lexicon.variant_share() >= config.variant_min_share
    ):
        # an old spelling or another form of a common word ("keepe", "sonne", "auoit"), read without doubt,
        # in a document that writes such forms
        return 0.0, suggestions
    elif (
        not known
        and conf >= config.unsure_conf
        and _name_inside_sentence(index, context)
        and _spelt_like_name(word, token.conf, context)
    ):
        if best is not None and best.cost <= config.name_max_cost:
            confidence = 0.6  # a name one OCR confusion from another word ("Japanesc")
    elif not known:
        if best is not None and best.cost <= config.unknown_max_cost:
            confidence = 0.75 if conf < config.unsure_conf else 0.6
        elif (
            (conf < config.unsure_conf or token.conf is None)
            and config.unknown_alone
            and not (token.conf is None and _rare_real_word(word, context))
            and not _code_or_measure(word)
        ):
            # Doubted by the engine, or read by one that reports no confidence (text imported without
            # any): an unknown word that is no name, old spelling or word of the document is an error.
            confidence = 0.6
    elif best is not None and conf >= config.unsure_conf and _old_spelling_of(word, best, lexicon):
        # a real word whose best correction is its own modern spelling ("hee" -> "he", "mee" -> "me"),
        # read without doubt: the book's spelling, not a slip (no OCR confusion doubles a letter)
        return 0.0, suggestions
    elif best is not None and best.cost <= (1.0 if len(word) <= 2 else 0.5) and gain >= config.sure_gain:
        confidence = 0.7  # a rare word one cheap slip from a very common one ("Worid" -> "World", "oi" -> "of")
    elif best is not None and best.cost <= (1.0 if len(word) <= 3 else 0.5) and conf < config.unsure_conf:
        if gain >= config.real_word_gain:
            confidence = 0.6
    elif (
        best is not None
        and best.cost <= (1.0 if len(word) <= 3 else 0.5)
        and token.conf is None
        and lexicon.unknown_share() >= config.real_word_min_unknown
        and not lexicon.old_book_read_cleanly()  # its real words one slip from commoner ones are its own
    ):
        if gain >= config.real_word_gain:
            confidence = 0.55
    elif best is not None and _context_prefers(index, strip_punct(best.text)[1], context):
        confidence = 0.6
    # A real word the document reads often is seldom a misreading, however unsure Tesseract was of it; nor is
    # a common word of some length read bare: noise on a worn scan lowers the engine's confidence, and seldom
    # turns one long common word into another. Edge punctuation keeps the doubt (a speck read as a colon,
    # "attribute:", is what lowered it).
    settled = known and (
        lexicon.count(word) >= config.low_conf_settled_count
        or (
            text == word
            and len(word) >= config.low_conf_common_letters
            and lexicon.zipf(word) >= config.low_conf_common_zipf
        )
    )
    low = config.low_conf
    if conf < low and (not known or (not settled and (conf < config.known_low_conf or (best and best.cost <= 0.5)))):
        confidence = max(confidence, 0.5 + (low - conf) / (2 * low))
    if config.accents_are_specks and not reason and re.search(r"[^\x00-\x7f]", word) and word.isalpha():
        # An accent in an English typescript is a speck on a letter ("thé", "Koréa").
        confidence = max(confidence, 0.8)
    return confidence, suggestions


def _old_spelling_of(word: str, best: Suggestion, lexicon) -> bool:
    """True when the language's old-spelling rewrites turn `word` into the word `best` suggests."""
    return lexicon.variant_of(word) == strip_punct(best.text)[1].lower()


def _spelt_like_name(word: str, conf: float | None, context: PageContext) -> bool:
    """True when a capitalised word inside a sentence may be taken for a name on its looks: always when the
    engine vouched for the reading, and in text without confidences when its letters run as the language's
    words do (FlaggerConfig.name_letter_score)."""
    return conf is not None or _runs_as_words(word, context.config.name_letter_score, context, unknown=True)


def _code_or_measure(word: str) -> bool:
    """True for a code or a measure written in letters and figures ("C005", "CP100", "400GR", "20h00"): a
    decimal figure and its unit ("0.435kg", "1.80€/kg"; not "1.99e", a misread euro sign), or a run of at
    least two figures, letters in runs of one or two (a longer one is a word run into a number,
    "8300Fuß"), and no letter a figure's look-alike (an "l" or "O" among figures is a misread number, "l974";
    a lone figure among letters a misread letter, "w1th")."""
    if is_unit_measure(word):
        return True
    if not word.isalnum() or word.isdigit() or word.isalpha():
        return False
    if not re.search(r"\d\d", word) or re.search(r"[^\W\d_]{3}", word):
        return False
    return not any(ch in _FIGURE_LOOKALIKES for ch in word if ch.isalpha())


# A word with an optional ending in brackets ("article(s)", "Vignette(s)", "ami(e)s"), the word without it first
OPTIONAL_ENDING = re.compile(r"([^\W\d_]{2,})\((?:s|e|es|x|n|en)\)(?:s|x)?", re.IGNORECASE)
# NUMBER_LOOKALIKE's letters, "i" for 1 and "Z" for 2
_FIGURE_LOOKALIKES = frozenset(ch for ch in map(chr, NUMBER_LOOKALIKE) if ch.isalpha()) | {"i", "Z", "z"}


def _rare_real_word(word: str, context: PageContext) -> bool:
    """True for a lowercase word whose letters run as the language's words do
    (`FlaggerConfig.rare_word_letter_score`): with nothing else to go on, a rare word the list lacks
    ("désorganisatrice", "m'embusquerais") more often than a garble."""
    word = behind_elision(word.replace("’", "'"))  # "m'embusquerais": the word after the apostrophe
    return word.islower() and _runs_as_words(word, context.config.rare_word_letter_score, context)


def _runs_as_words(word: str, floor: float, context: PageContext, *, unknown: bool = False) -> bool:
    """True when the letters of `word` run as the language's words do: a letter score
    (`letters.letter_score`) of at least `floor`; `unknown` when the language has no word list to say."""
    score = letter_score(word, context.lexicon.language)
    return unknown if score is None else score >= floor


def _name_inside_sentence(index: int, context: PageContext) -> bool:
    """True for a capitalised word (not all capitals) that does not open a sentence: likely a name."""
    word = strip_punct(context.tokens[index].text)[1]
    if not (len(word) > 2 and word[0].isupper() and word[1:].islower() and word.isalpha()):
        return False
    if index == 0:
        return False
    previous = context.tokens[index - 1].text
    return previous[-1] not in '.:;?!"”' and has_alnum(previous)


def _document_case(suggestion: str, index: int, context: PageContext) -> str:
    """`suggestion` cased as the document writes the word: a name capitalised ("gapanese" -> "Japanese"),
    a common word lowercase inside a sentence ("Durposes" -> "purposes")."""
    lead, word, trail = strip_punct(suggestion)
    if not word.isalpha() or word.isupper():
        return suggestion
    lexicon = context.lexicon
    capital, lower = word[0].upper() + word[1:], word.lower()
    capital_count, lower_count = lexicon.cased_count(capital), lexicon.cased_count(lower)
    if word == lower and capital_count >= 2 and lower_count == 0:
        return lead + capital + trail
    previous = context.tokens[index - 1].text if index > 0 else "."
    inside_sentence = previous[-1] not in '.:;?!"”' and context.tokens[index].line - context.tokens[index - 1].line <= 1
    if word == capital and inside_sentence and lower_count >= 2 and capital_count == 0:
        return lead + lower + trail
    return suggestion


def _acronym_twin(word: str, lexicon) -> str | None:
    """The abbreviation the document uses often that `word`, read once, is one slip from ("JSSR" -> "USSR")."""
    if lexicon.cased_count(word) > 1 or len(word) < 3:
        return None  # two capitals ("AS", "IN" of a heading) are too short to tell a slip from a word
    for other, count in lexicon.cased_document.most_common():
        if count < lexicon.config.acronym_twin_count:
            break
        if other != word and other.isupper() and len(other) == len(word) and ocr_cost(word, other) <= 1.0:
            return other
    return None


def _context_prefers(index: int, candidate: str, context: PageContext) -> bool:
    """True when the document's own word pairs back a same-length correction of a word read once.

    "Far Bast" (read once) against "Far East" (read elsewhere in the document): the neighbours know the
    candidate, not the reading.
    """
    lexicon, tokens = context.lexicon, context.tokens
    word = strip_punct(tokens[index].text)[1]
    if len(candidate) != len(word) or lexicon.count(word) > 1 or lexicon.count(candidate) < 2:
        return False
    if lexicon.zipf(word) >= lexicon.config.context_max_zipf:
        return False  # a common word ("could", "Place") is not second-guessed on its neighbours alone
    before = tokens[index - 1].text if index > 0 else ""
    after = tokens[index + 1].text if index + 1 < len(tokens) else ""
    backed = (before and lexicon.pair_count(before, candidate) >= 1) or (
        after and lexicon.pair_count(candidate, after) >= 1
    )
    return bool(backed)


def _unique(items: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return tuple(seen)
