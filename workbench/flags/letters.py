"""How a word's letters run in its language: a letter 4-gram model of the language's word list.

A name the word list lacks still spells like the language ("Wollongbar", "Jamieson"); a word garbled by
the engine seldom does ("Vlcloili", "Hjmoti", "Zealnnd"). The model counts, over the distinct words of
wordfreq's list of the language (each once, however frequent), how often each letter follows the three
before it, the word's start and end marked; `letter_score` is the mean log-probability of a word's
letters and its end under those counts. Built on first use for a language (a second or three).
"""

from __future__ import annotations

import math
from collections import Counter
from functools import lru_cache

from workbench.flags.lexicon import general_frequencies

ORDER = 4  # a letter given the three before it
START, END = "^", "$"
# Add-k smoothing over an alphabet of about 30 letters: an unseen letter after a seen context costs
# about log(0.1 / (n + 3)), so one odd letter lowers the mean of a long word less than of a short one.
SMOOTHING = 0.1
ALPHABET = 30
MIN_ZIPF = 1.0  # the list's rarest words are mostly its own noise (misspellings, fragments): left out


@lru_cache(maxsize=8)
def _counts(language: str) -> tuple[Counter, Counter]:
    """(4-gram counts, counts of their first three letters) over the word list of `language`."""
    marked = [
        START * (ORDER - 1) + word + END
        for word, zipf in general_frequencies(language).items()
        if zipf >= MIN_ZIPF and word.isalpha()
    ]
    grams = Counter(s[i : i + ORDER] for s in marked for i in range(len(s) - ORDER + 1))
    contexts = Counter(s[i : i + ORDER - 1] for s in marked for i in range(len(s) - ORDER + 1))
    return grams, contexts


def letter_score(word: str, language: str) -> float | None:
    """The mean natural-log probability of each letter of `word` (lowercased) and of its end, given the
    three before it, under the word list of `language`; None without a word list or for a word that is
    not all letters. About -1.5 for common words, below -3 for most garbled ones."""
    if not word.isalpha() or not general_frequencies(language):
        return None
    grams, contexts = _counts(language)
    marked = START * (ORDER - 1) + word.lower() + END
    logs = [
        math.log(
            (grams.get(marked[i : i + ORDER], 0) + SMOOTHING)
            / (contexts.get(marked[i : i + ORDER - 1], 0) + SMOOTHING * ALPHABET)
        )
        for i in range(len(marked) - ORDER + 1)
    ]
    return sum(logs) / len(logs)
