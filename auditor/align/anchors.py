"""Language-independent evidence that two sentences are translations: numbers, names, cognates, punctuation.

Each segment becomes a bag of weighted "keys"; two sentences share evidence when they share keys. A key is a
number (digits only, so "1 000" and "1,000" meet), a capitalised word (names survive translation), or the
accent-free 4-letter prefix of a longer word (Simard-style cognates: "président"/"president", "attaque"/"attack").
Very frequent keys carry little weight (inverse document frequency over both documents).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from auditor.align.lexicon import Lexicon

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_NUMBER = re.compile(r"\d+(?:[ ,.\u00a0\u202f]\d{3})*(?:[.,]\d+)?")
_QUOTE = re.compile(r"[\"«»“”„]")
PREFIX = 4


def fold(text: str) -> str:
    """Lower-case, accents stripped ("Été" -> "ete")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def numbers(text: str) -> list[str]:
    return [re.sub(r"\D", "", n) for n in _NUMBER.findall(text)]


def keys(text: str) -> Counter[str]:
    """The sentence's anchor keys with their counts."""
    found: Counter[str] = Counter()
    for number in numbers(text):
        found["#" + number] += 1
    for word in words(text):
        if word.isdigit():
            continue
        folded = fold(word)
        if len(folded) >= PREFIX + 1 or (word[:1].isupper() and len(folded) >= 3):
            found[folded[:PREFIX] if len(folded) > PREFIX else folded] += 1
    quotes = len(_QUOTE.findall(text))
    if quotes:
        found["\u00ab"] += quotes
    for mark in "?!:;()":
        if mark in text:
            found[mark] += text.count(mark)
    return found


def idf_weights(source: Sequence[Counter[str]], target: Sequence[Counter[str]]) -> dict[str, float]:
    """log(N / df) over both documents' sentences: a key in every sentence weighs ~0."""
    df: Counter[str] = Counter()
    for bag in list(source) + list(target):
        df.update(bag.keys())
    total = max(1, len(source) + len(target))
    return {key: math.log((total + 1) / (count + 0.5)) for key, count in df.items()}


def weight(bag: Counter[str], idf: dict[str, float]) -> float:
    return sum(count * idf.get(key, 0.0) for key, count in bag.items())


def shared(a: Counter[str], b: Counter[str], idf: dict[str, float]) -> float:
    """IDF-weighted size of the multiset intersection of two key bags."""
    if len(a) > len(b):
        a, b = b, a
    return sum(min(count, b[key]) * idf.get(key, 0.0) for key, count in a.items() if key in b)


def lexical_keys(text: str, lang: str | None, lexicon: Lexicon, *, forward: bool) -> Counter[str]:
    """Keys that meet across languages through the lexicon: each word's likely translations on the source
    side meet the target words themselves ("=" keys), and the other way round ("~" keys)."""
    from auditor.align.lexicon import tokenize

    found: Counter[str] = Counter()
    for token in tokenize(text, lang):
        if not token[:1].isalnum():
            continue
        if forward:
            found.update("=" + w for w in lexicon.translations(token, limit=2, floor=0.1))
            found["~" + token] += 1
        else:
            found["=" + token] += 1
            found.update("~" + w for w in lexicon.back_translations(token, limit=2, floor=0.1))
    return found
