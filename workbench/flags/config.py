"""The no-gold flagger's thresholds and language resources: one frozen record per language.

Every threshold a detector uses is a field here, declared once with what it means; the detectors read
them from `PageContext.config` (or `Lexicon.config`), never from literals of their own. `config_for`
picks the record of a language: English (the briefing paper's tuning), French and German (wordfreq
lexicon, pyphen hyphenation, their own function words), and, for any other language, the record of the
language named with its wordfreq lexicon if wordfreq has one, else LANGUAGE_FREE: no lexicon at all
(never the English one), so only the rules that need no word list run: garbage shapes, stray glyphs,
low engine confidence, page numbers, hyphens at line ends, and the document's own vocabulary.

Zipf values are wordfreq's scale: log10 of occurrences per billion words (7.7 for "the", 0 unknown).
Confidences are Tesseract's 0-100.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache

from workbench.flags.language import iso_code


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True, slots=True)
class FlaggerConfig:
    """Thresholds and language resources of the no-gold flagger for one language."""

    language: str  # ISO 639-1; "" for the language-free record
    lexicon: bool = True  # wordfreq has a word list for the language
    hyphenation: str | None = None  # pyphen dictionary ("en_US", "fr", "de_DE"), None without one
    stamp_vocabulary: str = ""  # file under workbench/data ("" = no stamp words, page numbers only)
    scannos: bool = False  # the scanno list (workbench/data/scannos.tsv) is of this language

    # the words of the language that the rules name
    one_letter_words: frozenset[str] = frozenset()  # a lone letter that is a word, not a speck
    glued_words: frozenset[str] = frozenset()  # short words a misread hyphen glues to a neighbour
    no_stop_after: frozenset[str] = frozenset()  # words running text never puts a stop after
    title_small_words: frozenset[str] = frozenset()  # words a title leaves lowercase
    # the language opens each reply of a dialogue with a dash, glued to it in typescripts ("-Je suis là")
    dialogue_dash: bool = False
    capital_inside_sentence: bool = True  # a capital inside a sentence is a slip (not German: nouns)
    # ... of these letters only, whose capital is the small letter enlarged (C/c, O/o, S/s ...): an engine
    # confuses their case, not that of others ("The", "During" inside a sentence follow a lost stop). Dev
    # halves: pooled English precision 0.857 -> 0.866, F1 0.780 -> 0.782; the paper's recall unchanged
    case_lookalikes: str = "cosvwxz"
    accents_are_specks: bool = False  # the language writes no accents, so one on a word is a speck
    vowels: str = "aeiouy"  # letters one of which a long lowercase word must hold ("" = no such rule)
    spaced_punctuation: str = ""  # marks the typography sets off by a space (French "mot ;"): no specks
    # ordinal numbers the language writes with letters after the digits ("14th", "2d"), a regular expression
    # a whole token (edge punctuation aside) matches: no misread word ("14th" is no "with"). Not French:
    # its "1e"/"4e" are as often "le"/"de" misread (dev halves: 3 of 6)
    ordinal: str = ""
    # the language's month names as it writes them (English and German capitalised: "1 may go" is "I may
    # go"); a lone figure before one, so or in capitals, is a day of a date ("le 3 septembre", "3 MAI")
    month_names: frozenset[str] = frozenset()
    # shillings as a page that writes pounds sterling ("£") writes them ("2s 6d", "£1. 8s"), a regular
    # expression like `ordinal`: no misread word there ("9s" is no "is"); elsewhere "6s" may well be "is"
    shillings: str = ""
    # A document may set off marks its language does not ("what is thy name ?" in old English books):
    # a mark standing alone this often on a page, and on most of its uses there, is the page's
    # typography, not a speck (dev halves: 20 of 21 lone "?" of early-modern English books flagged wrong)
    spaced_mark_count: int = 3
    spaced_mark_share: float = 0.5

    # context: which lines are running text
    prose_min_tokens: int = 4
    prose_min_known: float = 0.6  # share of a prose line's words that are known words or numbers

    # lexicon
    candidate_min_zipf: float = 2.5  # rarer words are offered only as confusion variants or from the document
    known_zipf: float = 2.0  # a lowercase word at least this frequent is taken as real
    known_zipf_capitalized: float = 1.5  # capitalised words (names) are rarer in the web corpus yet real
    # a long word the word list holds at all is real, however rare ("husbandman", "assaisonnées"): a
    # misreading of that length seldom lands on a listed word (dev halves: 5 of 6 such flags wrong)
    known_long_letters: int = 7
    document_known_count: int = 2  # read the same way this often in the document: taken as real
    compounds: bool = False  # the language writes compounds closed up (German): two known parts make a word
    compound_part_zipf: float = 3.0  # how common each part of such a compound must be
    # spelling variants of a known word: a word read without doubt that one or two of these rewrites
    # (regular expressions over the lowercase word) turn into a word at least `variant_zipf` common is
    # an old spelling of it ("keepe", "auec"), not a misreading; likewise one whose ending, swapped for
    # another of `inflections`, gives such a word is another form of it ("redoublait", "fortuned")
    old_spellings: tuple[tuple[str, str], ...] = ()
    inflections: frozenset[str] = frozenset()
    variant_zipf: float = 3.0
    variant_min_stem: int = 4  # letters a word keeps before a swapped ending
    # ... and only in a document that writes such forms: at least this share of its lowercase words (a
    # modern text with one "keepe" has misread it)
    variant_min_share: float = 0.015

    # the document's own vocabulary (what the flagger learns before it judges)
    settled_count: int = 3  # read this often, a well-read word is no misreading
    settled_conf: float = 80.0  # ... when its mean confidence is at least this (or none is known)
    name_count: int = 2  # a capitalised word repeated this often is a name, not a misreading
    low_conf_settled_count: int = 5  # a real word read this often is not flagged for low confidence alone
    # ... nor one of at least this many letters and this common, read without edge punctuation (scans' dev
    # halves: such flags 0.23 precise; precision ehri 0.813 -> 0.850, tapuscorpus 0.697 -> 0.741,
    # stanford-memorials-1905 0.656 -> 0.677, F1 up on all three; 4-6 letters, Zipf 3.0-4.0 measured)
    low_conf_common_letters: int = 5
    low_conf_common_zipf: float = 3.5

    # misread words
    low_conf: float = 70.0  # below it Tesseract is wrong about an unknown word more often than not
    known_low_conf: float = 45.0  # a real word needs this much doubt (or a cheap confusion) to be flagged
    unsure_conf: float = 90.0
    real_word_gain: float = 1.5  # Zipf a confusion must gain to call a real word misread (when doubted)
    # ... and, in text without confidences, only in a document at least this noisy: this share of its
    # lowercase words unknown (Lexicon.unknown_share). In clean text a real word is seldom a misreading
    # (French dev halves: 13 of 63 such flags right below 4 %, 0 here for English, where they pay)
    real_word_min_unknown: float = 0.0
    # ... and never in an old book read cleanly: at least this share of its lowercase words old spellings
    # (Lexicon.variant_share) and at most this share unknown. Its real words one slip from commoner ones are
    # its own ("shalt", "hast", "nor"): dev halves, eng_monograph precision 0.534 -> 0.599, F1 0.579 -> 0.599,
    # no other set's F1 down by more than 0.001 (variant shares 1.5-4.5 %, unknown 6-15 % measured)
    old_book_variant_share: float = 0.03
    old_book_max_unknown: float = 0.10
    # marks an old book read cleanly sets off by a space, however few a page holds (dev eng_monograph
    # precision 0.621 -> 0.634; with ";" and ":" too, the same)
    old_book_spaced_marks: str = "?!"
    sure_gain: float = 3.0  # ... and to call it misread however sure Tesseract was ("cur" -> "our")
    context_max_zipf: float = 3.0  # only words this rare are corrected from the document's word pairs
    acronym_twin_count: int = 3  # an abbreviation read this often is the one a lone look-alike stands for
    unknown_max_cost: float = 1.5  # an unknown word is flagged when a correction this cheap exists ...
    unknown_alone: bool = True  # ... or even without one (off: only with the correction, or doubt)
    name_max_cost: float = 0.5  # an unknown capitalised word inside a sentence, read without doubt, is a
    # name unless a correction this cheap (an OCR confusion, not a spelling) exists
    # ... and, in text an engine gave no confidences for, only when its letters run as the language's
    # words do: a mean log-probability per letter (letters.letter_score) at least this. Without doubt to
    # go on, most such words are garbled (dev halves: 402 of 633 errors against the gold; the words
    # below this score 336 of 431, names such as "Jamieson" mostly above it)
    name_letter_score: float = -2.45
    # An unknown lowercase word with no correction in reach, in text without confidences, is left when its
    # letters score at least this: a rare real word the list lacks more often than a garble (dev halves:
    # pooled precision en 0.848 -> 0.852, fr 0.770 -> 0.774, de 0.823 -> 0.828, pooled F1 no worse, FR2's
    # 0.729 -> 0.725; -1.8 to -2.7 measured)
    rare_word_letter_score: float = -2.2

    # split and merged words
    split_join_zipf: float = 3.0
    # two words of a line are one word split by a space when the joined word is this many Zipf points
    # commoner than the two read as a pair would be if their words were independent (Zipf of a over b:
    # zipf(a) + zipf(b) - 9): "trans action", "ex treme", "share holders"; not "a part", "any one".
    # The same test finds a hyphen lost at a line end ("news" + "paper")
    split_pair_margin: float = 3.0
    merge_part_zipf: float = 3.5
    # a token this common is a word, even if two words could make it; rarer ones of `known_long_letters`
    # or more are words too ("whereof"), not shorter ones: "fora" (2.7) is "for a" in the briefing paper
    merge_word_zipf: float = 3.5
    merge_near_cost: float = 0.5  # a token this close to one word is that word misread, not two run together

    # hyphenation at line ends
    join_zipf: float = 3.5
    compound_zipf: float = 3.0
    lost_hyphen_margin: float = 0.5  # a join without hyphen must be this much commoner than either half

    # glyphs and punctuation
    short_word_zipf: float = 4.5  # two-letter words this common are text, not specks
    capital_word_zipf: float = 4.0  # a word this common is no name when capitalised once in a sentence
    # a lowercase word followed by a capitalised word whose lowercase form is this common ("the boy It was",
    # "sits In her room") lost the full stop between them or has a misread capital (dev halves: about 3 in 4
    # such flags right, nearly all of them in the newspapers; English F1 0.755 -> 0.766)
    stop_before_zipf: float = 6.0
    quote_reach: int = 60  # tokens a quotation may run before its closing mark
    # the marks that open and close a quotation in the language's print: a word they open or close keeps its
    # mark when the quotation is closed (or opened) within quote_reach tokens
    opening_quotes: str = '"“'
    closing_quotes: str = '"”'
    # a page with at least `guillemet_letter_min` guillemets glued after a letter ("de»", "Lande»,"), this
    # many times more than those opening a token, prints Fraktur's s read as guillemets, not quotations:
    # each glued one is a letter (dev halves, DE1: 57 of 57 such flags right; no French or English page
    # comes near)
    guillemet_letter_ratio: float = 2.0
    guillemet_letter_min: int = 10
    heading_max_tokens: int = 25  # a line this long is no heading (title case is not checked on it)

    # a word read with a stop inside a sentence this often on a page, and rarer than this as a word, is an
    # abbreviation ("pub.", "vaud."), not a stop the OCR put there
    abbreviation_count: int = 2
    abbreviation_max_zipf: float = 5.0

    # markings and missing text
    margin_slack: int = 40  # pixels a token may stick out of the body frame before it is in the margin
    min_line_share: float = 0.4  # share of a line's tokens that must be stamp words for a stamp line
    missing_slack_chars: int = 2  # room a typist may leave at a line end beyond the next word
    # a paragraph whose lines fill the measure: the next line leaves at most this many characters at
    # its end (verse, lists and play parts break short lines on purpose; dev halves: 45 of 52 wrong there)
    missing_full_line_room: int = 8

    # suggestion ranking
    frequency_weight: float = 0.25  # cost units per Zipf point
    document_bonus: float = 0.6  # a candidate the document's OCR also reads
    case_cost: float = 0.1
    min_learned_count: int = 2  # reviewers' corrections of one confusion before it raises flags (learning)
    # a learned group (`learning.group_flags`): the open flags whose top suggestion a confusion taught at least
    # this often explains, offered together for one batch accept once there are at least group_min_size
    # (bench_learning, dev halves of chronam, smh, FR2, DE1: taught 1/2/3 alike; a size of 3 spares DE1 and
    # smh the pairs the gold mostly unticks)
    group_min_taught: int = 2
    group_min_size: int = 3
    # a deletion group (the open flags of a category suggesting to delete their text) once the reviewers
    # deleted group_min_taught such flags of the category and at least this share of those they decided
    # (dev halves: 0.8 as good as 0.6 and 0.4 on the paper, better on the newspapers)
    group_min_share: float = 0.8
    # a line looks clean when no other flag touches it and every word on it was read with at least this
    # confidence: there keep-as-read ranks above any suggestion (never auto-correct text that reads well)
    clean_line_conf: float = 95.0


ENGLISH = FlaggerConfig(
    language="en",
    hyphenation="en_US",
    stamp_vocabulary="stamp_vocabulary.txt",
    scannos=True,
    one_letter_words=frozenset({"a", "A", "I"}),
    glued_words=_words("to as in of the a and with for on at by our is an"),
    # only words that never end a clause: prepositions and object pronouns do ("locked himself in,",
    # "embraced her,", "seeing this,"), and "a." is an abbreviation (p. a.); on the dev halves the
    # longer list was wrong on 46 of 51 English flags
    no_stop_after=_words("the an of into its their our"),
    title_small_words=_words("a an and as at by for in of on or the to with"),
    month_names=_words("January February March April May June July August September October November December"),
    accents_are_specks=True,
    # Early Modern English (the spellings of books before about 1700, kept by their transcriptions)
    old_spellings=(
        (r"e$", ""),  # keepe, himselfe, againe
        (r"es$", "s"),  # wordes, dayes
        (r"([^aeiou])\1e?$", r"\1"),  # farre, runne, sorrowfull
        (r"ie$", "y"),  # verie, tarrie
        (r"y(?=[a-z])", "i"),  # voyce, spoyled (not a final y: "thy" is no "thi")
        (r"^i(?=[aeiou])", "j"),  # iudge, ioy
        (r"(?<=[aeio])u(?=[aeior])", "v"),  # haue, euer, giue
        (r"^v(?=[^aeiou])", "u"),  # vnto, vse
        (r"aun", "an"),  # commaunded
        (r"([eo])\1", r"\1"),  # heere, foorth, shooes
        (r"^im(?=[bp])", "em"),  # imbraced, imploy
        (r"^in(?=[tcq])", "en"),  # intreated, inquire
        (r"ey$", "y"),  # countrey, monkey stays (a word already)
        (r"ck$", "c"),  # musicke (after the final e), publick
        (r"our(?=s?$)", "or"),  # governours, errours
        (r"ies$", "ys"),  # alwaies
        (r"ely$", "ly"),  # onely, earely
        (r"(?<=[bdt])r(?=ed$)", "er"),  # entred, hindred
        (r"(?<=[a-z])i(?=oy)", "j"),  # enioy, reioyce
        (r"ai(?=l)", "e"),  # suddainly, counsaile
        (r"oa(?=d)", "o"),  # aboade
        (r"sw(?=a)", "su"),  # perswade
        # dev eng_monograph precision 0.646 -> 0.688 with these eight, every other dev set unchanged
        (r"ee", "ie"),  # theeves, feeldes
        (r"ony$", "oney"),  # mony, hony
        (r"(?<=[^aeiou])e(?=[^aeiou]e$)", "ee"),  # kepe, slepe
        (r"ea(?=v)", "e"),  # seaven
        (r"(?<=[^\W\d_]{2})e(?:st|th)$", "e"),  # makest, knowest, goeth: the verb's old persons (not "mest")
        (r"(?<=ch|ck|sh)t$", "ed"),  # fetcht, knockt, wisht
        (r"(?<=[bf]l)oud", "ood"),  # bloud, flouds (not "woud", "coud": would, could misread)
        (r"oa(?=st)", "o"),  # hoast
    ),
    inflections=_words("s es ed d ing er est ly"),
    ordinal=r"\d+(?:st|nd|rd|th|d)",  # dev halves: 8 of 10 such flags wrong
    shillings=r"\d+s",
)

FRENCH = dataclasses.replace(
    ENGLISH,
    language="fr",
    hyphenation="fr",
    ordinal="",
    stamp_vocabulary="stamp_vocabulary.fr.txt",
    scannos=False,
    one_letter_words=frozenset({"a", "à", "y", "A", "À", "Y", "ô", "Ô"}),
    glued_words=_words("le la les de des du un une et en à au aux par pour sur"),
    no_stop_after=_words("le la les un une des du de au aux à en dans par pour sur avec sans sous ce cette ces"),
    title_small_words=_words("le la les de des du et à au aux en un une pour par sur"),
    month_names=_words("janvier février mars avril mai juin juillet août septembre octobre novembre décembre"),
    accents_are_specks=False,
    vowels="aeiouyàâäéèêëîïôöùûüÿæœ",
    spaced_punctuation=";:!?«»",
    # French before the 1835 reform and of the 16th-17th centuries (as the transcriptions keep it)
    old_spellings=(
        (r"oi(?=ss|s$|t$|ent$|re$)", "ai"),  # pouvoit, connoissance, connoître
        (r"(?<=.)u(?=[aeiouréè])", "v"),  # auec, deuoir, nouuelle, liure, enuoya
        (r"^v(?=[^aeiouy])", "u"),  # vn, vne, vtile
        (r"^i(?=[aeiou])", "j"),  # iamais, iugement
        (r"y$", "i"),  # pourquoy, ennemy
        (r"^es(?=[^aeiou])", "é"),  # estoient, estat
        (r"s(?=[tm])", ""),  # connoist, oste
        (r"ns$", "nts"),  # talens, suivans
        (r"sç", "s"),  # sçavoir, sçachant
        (r"ez$", "és"),  # délibérez, referez
    ),
    inflections=_words(
        "e es s a ai as ât âmes âtes èrent ait aient ais ions iez ons ez ent er é ée ées és ant "
        "is it îmes îtes irent issait issaient issant ir ie ies i us ut ût urent û ue ues "
        "ra ront rait raient rais rai rons rez"
    ),
    real_word_min_unknown=0.04,
    dialogue_dash=True,
    merge_near_cost=1.0,  # old spellings one letter off a word ("pourroit") are no two words run together
    # books capitalise nouns of dignity and titles ("le Roi", "la Paix"): a capital inside a sentence is
    # no slip (on the dev half this rule was wrong on 2 of 3 French flags)
    capital_inside_sentence=False,
)

GERMAN = dataclasses.replace(
    ENGLISH,
    language="de",
    hyphenation="de_DE",
    ordinal="",
    stamp_vocabulary="stamp_vocabulary.de.txt",
    scannos=False,
    one_letter_words=frozenset(),
    glued_words=_words("zu in im an am auf aus bei mit von vom und der die das den dem des"),
    # no separable particles ("teilen Ihnen mit, dass"): only articles and prepositions that never end a clause
    no_stop_after=_words("der die das den dem des einem einer eines für von vom im zum zur"),
    title_small_words=_words("der die das und von zu im in am an für mit"),
    month_names=_words("Januar Jänner Februar März April Mai Juni Juli August September Oktober November Dezember"),
    capital_inside_sentence=False,  # nouns are capitalised: a capital inside a sentence is no slip
    # „so“ (the gold of the dev half's newspapers keeps „ and closes with " or “: 55 of 55 low marks kept)
    opening_quotes='"“„',
    closing_quotes='"”“',
    compounds=True,
    inflections=_words("e en er es em ern ste sten ster stes st t te ten tet s n"),
    merge_near_cost=1.0,
    accents_are_specks=False,
    vowels="aeiouyäöü",
)

# No word list: no lexicon rule can run, and no threshold may hint at English.
LANGUAGE_FREE = FlaggerConfig(
    language="",
    lexicon=False,
    capital_inside_sentence=False,
    vowels="",  # Czech and Slovak write long words without vowels ("skrz", "vlk")
)

_BY_LANGUAGE = {config.language: config for config in (ENGLISH, FRENCH, GERMAN)}

# Languages that write their compounds closed up ("Gesandtskabet", "ziekenhuisopname"): their word lists
# cannot hold every compound, so two known parts make a word (FlaggerConfig.compounds).
_CLOSED_COMPOUNDS = frozenset({"da", "nl", "sv", "nb", "is", "fi", "hu"})


@lru_cache(maxsize=64)
def config_for(language: str | None) -> FlaggerConfig:
    """The flagger's record for `language` (ISO or Tesseract code; empty or None means English).

    A language with its own record gets it; one wordfreq knows gets the language-free rules plus its
    lexicon (and closed compounds where the language writes them); any other, LANGUAGE_FREE.
    """
    iso = iso_code(language)
    if iso in _BY_LANGUAGE:
        return _BY_LANGUAGE[iso]
    if iso in _wordfreq_languages():
        return dataclasses.replace(LANGUAGE_FREE, language=iso, lexicon=True, compounds=iso in _CLOSED_COMPOUNDS)
    return dataclasses.replace(LANGUAGE_FREE, language=iso)


@lru_cache(maxsize=1)
def _wordfreq_languages() -> frozenset[str]:
    from wordfreq import available_languages  # loaded on first use: commands that never flag skip it

    return frozenset(available_languages())
