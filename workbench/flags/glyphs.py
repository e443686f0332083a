"""Detectors: stray glyphs (`i`, `:`, `|`, `~`, `'` standing alone) and case or punctuation slips.

Stray: a token with no letter or digit that is not typed punctuation in its place (a list dash at the
start of a line, "&"), or a one- or two-letter token that is no common word and no list marker.
Case or punctuation: a glyph stuck to a word where typing puts none (a leading quote mark or speck:
"‘attack", "*power"; a trailing one: "facilities’", "forces>"), doubled punctuation ("trade,."), and a
full stop inside a sentence (the next word starts lowercase: "commits. the"), and a capital inside a
sentence on a word the document otherwise writes lowercase ("the Strategic balance").
"""

from __future__ import annotations

import re
import unicodedata

from workbench.flags.context import PageContext
from workbench.flags.suggest import rank_words
from workbench.flags.tokens import NUMBER, has_alnum, strip_punct
from workbench.models import Flag, FlagCategory

LIST_MARKER = re.compile(r"^(\(?[0-9]{1,2}[.)]|\(?[a-hA-H][.)]|-|--|—|–|&|\d+)$")
JUNK_LEAD = "‘’'*,.:;@_~|^•`°“”„»«<>"
JUNK_TRAIL = "‘’*~|^•`°<>\\/@_"
INITIAL = re.compile(r"^[(\[]?[A-ZÀ-Ý][a-z]?\.[,;:)\]]?$")
ELLIPSIS = re.compile(r"^(\.{3,}|…)$")  # dots standing for words left out, or leading to a page number
ROMAN = re.compile(r"^[(\[]?[IVXLCDM]{2,}\.?[,;:)\]]?$")
GROUPED = re.compile(r"^\d{1,3}([,.]\d{3})+$")  # a figure in groups of three ("55,000")
ABBREVIATION = re.compile(r"^([A-Za-z]\.)+$|^(etc|Mr|Mrs|Dr|St|No|Nos|Vol|vs|cf|al|Jr|Sr|Gen|Sec|Dept|Co|Inc)\.$")


def is_stray(text: str, context: PageContext, *, first_on_line: bool) -> bool:
    """True when a lone token is no text: punctuation or a glyph where no word can stand."""
    if LIST_MARKER.match(text):
        # A list marker opens its line ("2.", "-"); elsewhere only a lone digit is suspicious.
        return not first_on_line and (len(text) == 1 and not text.isalpha() and text != "&")
    if not has_alnum(text):
        if text in context.config.old_book_spaced_marks and context.lexicon.old_book_read_cleanly():
            return False  # old printers set off "?" and "!" ("what is thy name ?"), however seldom the page asks
        return text not in context.config.spaced_punctuation and not ELLIPSIS.match(text)
    if INITIAL.match(text) or ROMAN.match(text):
        return False  # an initial or an abbreviation ("M.", "J."), a roman numeral ("XV", "IV.")
    core = strip_punct(text)[1]
    config, lexicon = context.config, context.lexicon
    if len(core) <= 2 and core.isalpha() and not lexicon.has_words:
        return False  # without a word list a short word cannot be told from a speck
    if len(core) == 1 and core.isalpha():
        if config.one_letter_words:
            return core not in config.one_letter_words  # English: a, A, I; a lowercase "i" is a speck
        return lexicon.zipf(core) < config.short_word_zipf
    if len(core) <= 2 and core.isalpha():
        if core.isupper() and len(core) == 2 and lexicon.count(core) > 1:
            return False  # an acronym the document uses ("US")
        return lexicon.zipf(core) < config.short_word_zipf
    return False


def stray_flags(context: PageContext) -> list[Flag]:
    """Flags for lone glyphs in the body, suggestion "" (delete)."""
    flags = []
    for line in context.lines:  # also past the body: a speck beside a heading or a closing line
        for index in line.indices():
            if index in context.claimed:
                continue
            token = context.tokens[index]
            if not is_stray(token.text, context, first_on_line=index == line.first):
                continue
            if token.text.isdigit() and (_counts_next_word(index, context) or _among_figures(index, line, context)):
                continue
            if token.text in "xX×" and _between_figures(index, line, context):
                continue  # "1 Art x 1,50", "0.208kg x 3.40": a multiplication sign
            if has_alnum(token.text) and len(strip_punct(token.text)[1]) > 1:
                # A short letter pair may be a misread word ("cf" for "of"); leave that to the word detector.
                ranked = rank_words(strip_punct(token.text)[1], context.lexicon, limit=3)
                if (
                    ranked
                    and ranked[0].cost <= 1.0
                    and context.lexicon.zipf(ranked[0].text) >= context.config.short_word_zipf
                ):
                    continue
            confidence = 0.85 if not has_alnum(token.text) else 0.65
            flags.append(context.flag(index, index, FlagCategory.STRAY_CHAR, ("",), confidence))
    return flags


def _neighbour_figures(index: int, line, context: PageContext) -> list[bool]:
    """For the tokens either side of `index` on its line (none past the line's ends): does each hold a digit."""
    tokens = context.tokens
    return [
        any(c.isdigit() for c in tokens[other].text)
        for other in (index - 1, index + 1)
        if line.first <= other <= line.last
    ]


def _among_figures(index: int, line, context: PageContext) -> bool:
    """True when a neighbour of the lone digit at `index` on its line is a figure too ("Table 30 2
    Couverts", "TTC 5 20,00"): a column of a table or a receipt, not a speck. Not when the digit
    completes the figure before it ("55,00 0" for "55,000"): a number split by a space."""
    tokens = context.tokens
    before = tokens[index - 1].text if index > line.first else ""
    if GROUPED.match(before + tokens[index].text) and not GROUPED.match(before):
        return False
    return any(_neighbour_figures(index, line, context))


def _between_figures(index: int, line, context: PageContext) -> bool:
    """True when both neighbours of `index` on its line hold a digit ("1 x 1,50")."""
    return _neighbour_figures(index, line, context) == [True, True]


def _counts_next_word(index: int, context: PageContext) -> bool:
    """True when the lone digit at `index` counts the word after it inside a sentence ("en 5 actes",
    "the 3 ships", "1 acte", also after an abbreviation the page repeats: "vaud. 2 actes") or is the day
    before a month (`FlaggerConfig.month_names`: "le 3 septembre"): a number of the text, not a speck. A
    digit before a singular word ("2 military" for "a military") stays suspect."""
    tokens = context.tokens
    if index + 1 < len(tokens) and _month(strip_punct(tokens[index + 1].text)[1], context.config.month_names):
        return True  # the day of a date ("le 3 septembre", "7 octobre 1793")
    if index == 0 or index + 1 >= len(tokens):
        return False
    before = tokens[index - 1].text
    if before[-1] in ".!?:;" and not (before.endswith(".") and _abbreviated_often(before, context)):
        return False  # a sentence's end, not an abbreviation the page repeats ("vaud. 2 actes")
    word = strip_punct(tokens[index + 1].text)[1]
    counted = tokens[index].text == "1" or word.endswith(("s", "x"))
    return counted and len(word) >= 4 and word.isalpha() and word.islower()


def _month(word: str, months: frozenset[str]) -> bool:
    """True when `word` is one of `months` as the language writes it, or in capitals ("MAI")."""
    return word in months or (word.isupper() and (word.capitalize() in months or word.lower() in months))


def _is_symbol(char: str) -> bool:
    """True for currency, maths and other symbols (¥, ®, ©, §): never stuck to a typed word."""
    return unicodedata.category(char) in {"Sc", "Sk", "Sm", "So"} and char not in "$%+<=>"


def _clean_edges(text: str, *, dialogue: bool = False, ellipsis: bool = False, opening: str = '"') -> str:
    """`text` without junk glyphs at its edges and with doubled punctuation made single; `dialogue` keeps a
    dash opening it (a reply of a dialogue), `ellipsis` an ellipsis ending it, and a quotation mark of
    `opening` opening it stays, unless a curly one (a typewriter had none: on a typescript such a mark is
    as often a speck as the engine's guess at a straight one, and the gold drops the speck)."""
    if NUMBER.match(text.lstrip("-+")):
        return text  # a sum with its currency sign typed before or after it ("2.95€", "-0.04€", "£1.")
    lead, word, trail = strip_punct(text)
    dash = lead[:1] if dialogue and lead[:1] in "-–—" and lead[1:2] != lead[:1] else ""
    lead = dash + "".join(
        c for c in lead[len(dash) :]
        if c in '"(' or (c in opening and c not in CURLY_QUOTES)
        or (c not in JUNK_LEAD and c not in "-–—" and not _is_symbol(c))
    )
    trail = "".join(
        c for c in trail if c not in JUNK_TRAIL and not _is_symbol(c) and not (c in "’'" and not word.endswith("s"))
    )
    if "." not in word and not (ellipsis and ELLIPSIS.match(trail)):  # "e.g.," keeps its comma
        # an abbreviation's stop before a comma stays ("Co.,", "Esq.,"): only what follows it is doubled
        kept = "." if trail[:1] == "." and _abbreviation(word) else ""
        trail = kept + re.sub(r"([.,;:])[.,;:]+", r"\1", trail[len(kept) :])
    return lead + word + trail


def _abbreviation(word: str) -> bool:
    """True for a word that is an abbreviation when a stop follows it: a known one ("etc", "Co") or a
    capitalised word of at most four letters ("Esq", "Calif" is longer and stays doubtful)."""
    return bool(ABBREVIATION.match(word + ".")) or (len(word) <= 4 and word[:1].isupper() and word[1:].islower())


def _abbreviated_often(text: str, context: PageContext) -> bool:
    """True when the page reads `text` (a word and its stop) at least `abbreviation_count` times and the word
    is no common word (Zipf below `abbreviation_max_zipf`): an abbreviation of the text ("pub.", "vaud."),
    whose stop belongs inside the sentence."""
    config = context.config
    if context.lexicon.zipf(text[:-1]) >= config.abbreviation_max_zipf:
        return False
    return sum(token.text == text for token in context.tokens) >= config.abbreviation_count


def punctuation_flags(context: PageContext) -> list[Flag]:
    """Flags for junk glyphs stuck to words and full stops inside sentences (case_or_punctuation)."""
    flags = []
    tokens = context.tokens
    for line, index in context.unclaimed_prose():
        text = tokens[index].text
        if not has_alnum(text):
            continue
        # A dash glued to the capital that opens a line opens a reply, where the language writes dialogue so
        # ("-Je suis de service"); elsewhere it is a speck or a dash whose space was lost.
        dialogue = context.config.dialogue_dash and index == line.first and strip_punct(text)[1][:1].isupper()
        # An ellipsis ending a word ("point...") is typed, unless the engine doubted the reading (dots of dirt).
        conf = tokens[index].conf
        ellipsis = conf is None or conf >= context.config.unsure_conf
        cleaned = _unbalanced_quote(index, context) or _clean_edges(
            text, dialogue=dialogue, ellipsis=ellipsis, opening=context.config.opening_quotes
        )
        cleaned = cleaned.translate(STRAIGHT_QUOTES)
        if cleaned != text and has_alnum(cleaned):
            flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (cleaned,), 0.7))
            continue
        if context.config.capital_inside_sentence and _capital_inside_sentence(index, context):
            word = strip_punct(text)[1]
            fixed = text.replace(word, word.lower(), 1)
            flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (fixed,), 0.6))
            continue
        lead, word, trail = strip_punct(text)
        if trail and trail[0] in ",.:;" and word.lower() in context.config.no_stop_after:
            # "the," "in:" -- a stop never follows an article or a preposition
            flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (lead + word,), 0.7))
            continue
        if text.endswith("-") and not text.endswith("--") and index != line.last and word.isalpha():
            flags.append(_mid_line_hyphen(index, context))
            continue
        following = tokens[index + 1].text if index + 1 < len(tokens) else ""
        if index == line.first and re.fullmatch(r"\d{1,2}[,:;]", text) and following[:1].isupper():
            # a paragraph number ("4. When the ...") whose full stop was misread
            flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (text[:-1] + ".",), 0.6))
            continue
        if text.endswith(":") and following[:1].islower() and word.isalpha() and index != line.last:
            # a colon inside a line before a lowercase word: a speck ("vessels: into")
            flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (text[:-1],), 0.5))
            continue
        if (
            text.endswith(".")
            and not text.endswith("..")
            and not ABBREVIATION.match(text)
            and not re.fullmatch(r"\(?\d+\.", text)
            and following[:1].islower()
            and strip_punct(text)[1].isalpha()
            and not _abbreviated_often(text, context)
        ):
            flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (text[:-1],), 0.7))
            continue
        # An old book read cleanly runs one sentence on into the next ("to doe Then Rush walked"): its
        # printer's, not a lost stop (dev eng_monograph precision 0.688 -> 0.693, no other set changed).
        lost = (
            _lost_stop(index, context)
            if context.config.capital_inside_sentence and not context.lexicon.old_book_read_cleanly()
            else ()
        )
        if lost:
            flags.append(context.flag(index, index + 1, FlagCategory.CASE_OR_PUNCTUATION, lost, 0.55))
            continue
        if context.config.capital_inside_sentence and index > line.first and index - 1 in context.claimed:
            # the word before is another flag already ("declino Into"): the capital is flagged alone
            capital = _capital_after_lowercase(index - 1, context)
            if capital is not None:
                lowered = text.replace(capital, capital.lower(), 1)
                flags.append(context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (lowered,), 0.5))
    return flags


def _lost_stop(index: int, context: PageContext) -> tuple[str, ...]:
    """Readings of token `index` and the next one when a lowercase word runs into a capitalised very common
    word ("the boy It was", "sits In her room"): a full stop lost between them, or a capital misread; ()
    otherwise. Only for a language whose sentences keep their capitals to their first word (not German).

    The capitalised word is one that opens sentences (its lowercase form at least
    `FlaggerConfig.stop_before_zipf` common), not a name; the word before it is no word a sentence never
    ends on ("of New", "the New", "at One": the language's short function words).
    """
    tokens = context.tokens
    if index + 1 >= len(tokens) or index + 1 in context.claimed:
        return ()
    word, following = tokens[index].text, tokens[index + 1].text
    capital = _capital_after_lowercase(index, context)
    if capital is None:
        return ()
    between = context.page.text[tokens[index].end : tokens[index + 1].start]
    return (word + "." + between + following, word + between + following.replace(capital, capital.lower(), 1))


def _capital_after_lowercase(index: int, context: PageContext) -> str | None:
    """The capitalised very common word after lowercase token `index` that `_lost_stop` doubts, or None."""
    tokens, config = context.tokens, context.config
    word, following = tokens[index].text, tokens[index + 1].text
    if not (word.isalpha() and word.islower()):
        return None
    if word in config.glued_words or word in config.no_stop_after or word in config.title_small_words:
        return None
    lead, capital, _ = strip_punct(following)
    if lead or len(capital) < 2 or not (capital.isalpha() and capital[0].isupper() and capital[1:].islower()):
        return None
    if context.lexicon.zipf(capital.lower()) < config.stop_before_zipf:
        return None
    if _title_case(context.lines[context.line_of(index)], context):
        return None  # a heading ("Notes on the Way In")
    return capital


def _mid_line_hyphen(index: int, context: PageContext) -> Flag:
    """A hyphen ending a word inside a line: a compound read with a space ("low- key") or a speck."""
    word = strip_punct(context.tokens[index].text)[1]
    following = context.tokens[index + 1].text
    next_word = strip_punct(following)[1]
    lexicon = context.lexicon
    # the next token may be another detector's already (a stray glyph): a page's flags never overlap
    joinable = index + 1 not in context.claimed
    if joinable and next_word[:1].islower() and min(lexicon.zipf(word), lexicon.zipf(next_word)) >= 3.0:
        compound = word + "-" + following
        return context.flag(index, index + 1, FlagCategory.SPLIT_WORD, (compound, word + " " + following), 0.6)
    return context.flag(index, index, FlagCategory.CASE_OR_PUNCTUATION, (context.tokens[index].text[:-1],), 0.6)


def _title_case(line, context: PageContext) -> bool:
    """True for a line in title case: most of its words, short of small words and acronyms, capitalised."""
    if line.last - line.first >= context.config.heading_max_tokens:
        return False  # a heading is short; a long line (or a text with no line breaks) is running text
    words = [strip_punct(context.tokens[i].text)[1] for i in line.indices()]
    small = context.config.title_small_words
    words = [w for w in words if w[:1].isalpha() and w.lower() not in small and not w.isupper()]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


def _capital_inside_sentence(index: int, context: PageContext) -> bool:
    """True for a capitalised word inside a sentence that the document otherwise writes in lowercase, whose
    capital is one an engine mistakes for its small letter (`FlaggerConfig.case_lookalikes`: "Security" for
    "security"); another capital there is the writer's, or follows a stop the OCR lost.

    The sentence goes on when the previous token is on the same or the previous line (no blank line: a
    heading ends its paragraph) and ends with no stop. The document must write the word lowercase at
    least twice and more than twice as often as capitalised, so names and terms ("Treaty") keep theirs.
    """
    if index == 0:
        return False
    token, previous = context.tokens[index], context.tokens[index - 1]
    word = strip_punct(token.text)[1]
    if not (len(word) > 1 and word[0].isupper() and word[1:].islower() and word.isalpha()):
        return False
    if word[0].lower() not in context.config.case_lookalikes:
        return False
    if token.line - previous.line > 1 or previous.text[-1] in '.:;?!"”)' or not has_alnum(previous.text):
        return False
    if _title_case(context.lines[context.line_of(index)], context):
        return False  # a heading ("US-Japan Security Relations: Their Place", "in US Strategic Thinking")
    lower = context.lexicon.cased_count(word.lower())
    if lower >= 2 and lower > 2 * context.lexicon.cased_count(word):
        return True
    # A common word capitalised once, between two lowercase words, that the document also writes
    # lowercase: no name ("possible Sharing of" where "sharing" occurs too).
    following = context.tokens[index + 1].text if index + 1 < len(context.tokens) else ""
    between_lowercase = previous.text[:1].islower() and (following[:1].islower() or not has_alnum(following))
    once = context.lexicon.cased_count(word) == 1
    return between_lowercase and once and lower >= 1 and context.lexicon.zipf(word) >= context.config.capital_word_zipf


# A typewriter has straight quotes and round parentheses only: the rest are the engine's guesses.
STRAIGHT_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "{": "(", "}": ")"})
CURLY_QUOTES = "“”‘’"


def _opens(text: str, marks: str) -> bool:
    return text[:1] in marks and len(text) > 1


def _closes(text: str, marks: str) -> bool:
    bare = text.rstrip(".,;:)!?")
    return bare[-1:] in marks and (len(bare) > 1 or text != bare)


def _unbalanced_quote(index: int, context: PageContext) -> str | None:
    """The token without a quote mark that opens (or closes) no quotation on the page, or None.

    An opening mark needs a closing one before the next opening one (within FlaggerConfig.quote_reach tokens); a
    closing mark needs an opening one after the previous closing one.
    """
    tokens = context.tokens
    text = tokens[index].text
    reach = context.config.quote_reach
    opening, closing = context.config.opening_quotes, context.config.closing_quotes
    if _opens(text, opening) and not _closes(text, closing):
        for other in tokens[index + 1 : index + reach]:
            if _closes(other.text, closing):
                return None
            if _opens(other.text, opening):
                break
        return text[1:]
    if _closes(text, closing) and not _opens(text, opening):
        for other in reversed(tokens[max(0, index - reach) : index]):
            if _opens(other.text, opening):
                return None
            if _closes(other.text, closing):
                break
        bare = text.rstrip(".,;:)!?")
        return bare[:-1] + text[len(bare) :]
    return None
