"""Spelling and casing (AUD330, AUD331) with a real spell checker: spylls over the system's Hunspell en_US
dictionary (Debian's hunspell-en-us; `make setup` installs it). Without a dictionary both rules stay silent.

A word the dictionary rejects is a misspelling unless the source explains it (a British spelling with a known
en_US form is one anyway: "programme", "favourable"): the same word (names, drug
names, acronyms), or a source word sharing its first PREFIX letters (a term and its cognate). A word that the
dictionary accepts only in another casing ("canadians" → "Canadians"), or that the source writes in another
casing ("Covid-19" where the source has "COVID-19"), is a casing slip. A document with no capital letter at
all (lowercased MT) gets no casing flags.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import fold, is_lang, source_for_target
from auditor.report import Flag, Severity

DICTIONARIES = (Path("/usr/share/hunspell"), Path("/usr/share/myspell"), Path("/usr/share/myspell/dicts"))
PREFIX = 5
_TOKEN = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")
_PART = re.compile(r"[^\W\d_]+")


@lru_cache(maxsize=4)
def dictionary(lang: str = "en_US") -> Any | None:
    """The Hunspell dictionary for `lang`, read once; None when spylls or the files are missing."""
    try:
        from spylls.hunspell import Dictionary
    except ImportError:
        return None
    for folder in DICTIONARIES:
        if (folder / f"{lang}.dic").is_file() and (folder / f"{lang}.aff").is_file():
            return Dictionary.from_files(str(folder / lang))
    return None


@lru_cache(maxsize=65536)
def _known(word: str) -> bool:
    found = dictionary()
    return bool(found is not None and found.lookup(word))


def _recased(word: str) -> str | None:
    """The casing that the dictionary accepts, when the word as written is rejected."""
    for variant in (word.capitalize(), word.upper(), word.lower()):
        if variant != word and _known(variant):
            return variant
    return None


# British spellings and their en_US forms: a word the dictionary rejects that one of these makes a known word
# is a locale slip even where the French source has the same letters ("programme", "favourable").
_UK_US = (("our", "or"), ("isation", "ization"), ("ise", "ize"), ("ised", "ized"), ("ising", "izing"),
          ("mme", "m"), ("ae", "e"), ("oe", "e"), ("lled", "led"), ("lling", "ling"), ("tre", "ter"),
          ("ogue", "og"), ("yse", "yze"))  # fmt: skip


def us_spelling(word: str) -> str | None:
    """The en_US form of a British spelling, when one rewrite gives a word the dictionary knows."""
    lower = word.lower()
    for uk, us in _UK_US:
        start = lower.find(uk)
        while start >= 0:
            candidate = word[:start] + us + word[start + len(uk) :]
            if _known(candidate):
                return candidate
            start = lower.find(uk, start + 1)
    return None


def _source_words(text: str) -> tuple[set[str], dict[str, str], set[str]]:
    tokens = _TOKEN.findall(text)
    exact = {p for t in tokens for p in [t, *t.replace("’", "'").split("-")]}
    by_lower = {t.lower(): t for t in tokens}
    prefixes = {fold(w)[:PREFIX] for w in _PART.findall(text) if len(w) >= PREFIX}
    return exact, by_lower, prefixes


def _findings(ctx: CheckContext) -> Iterator[tuple[str, tuple[int, int], str, str | None, int | None]]:
    """(rule code, span, message, suggestion, row) for every misspelt or miscased word."""
    if not is_lang(ctx, "en") or dictionary() is None:
        return
    text = ctx.target.text
    cased = any(c.isupper() for c in text)
    aligned = source_for_target(ctx)
    for segment in ctx.target_segments:
        pair = aligned.get(segment.index)
        source = pair.source_text if pair is not None else ""
        exact, by_lower, prefixes = _source_words(source)
        row = pair.row.index if pair is not None else None
        for m in _TOKEN.finditer(segment.text):
            token = m.group(0)
            span = (segment.start + m.start(), segment.start + m.end())
            written = by_lower.get(token.lower())
            # only where the dictionary does not vouch for the word as written ("and" under a French "AND"
            # in capitals stays; "Covid" under "COVID" does not)
            if (
                cased
                and written is not None
                and written != token
                and not all(_known(p) for p in _PART.findall(token))
            ):
                yield "AUD331", span, f"the source writes “{written}”", written, row
                continue
            for part in _PART.finditer(token):
                word = part.group(0)
                if len(word) < 2 or _known(word):
                    continue
                where = (span[0] + part.start(), span[0] + part.end())
                us = us_spelling(word)
                if us is not None:
                    yield "AUD330", where, f"“{word}” is the British spelling", us, row
                    continue
                if word in exact or (word.isupper() and len(word) <= 6):
                    continue
                recased = _recased(word)
                if recased is not None:
                    if cased and not (recased.lower() == word and m.start() == 0 and part.start() == 0):
                        yield "AUD331", where, f"“{word}” is written “{recased}”", recased, row
                    continue
                if fold(word)[:PREFIX] in prefixes or word[:1].isupper():
                    continue  # a term or a name the source explains, or a name the dictionary lacks
                suggestion = _suggest(word)
                yield "AUD330", where, f"“{word}” is not in the en_US dictionary", suggestion, row


def _suggest(word: str) -> str | None:
    found = dictionary()
    if found is None:
        return None
    for candidate in found.suggest(word):
        return str(candidate)
    return None


def _check(code: str, ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    for found, span, message, suggestion, row in _findings(ctx):
        if found == code:
            yield rule.flag(ctx, span, message, suggestion=suggestion, segment=row, confidence=0.6)


@register(
    "AUD330",
    "misspelling",
    "fluency/spelling",
    Severity.MINOR,
    "A word the en_US Hunspell dictionary rejects that the source does not explain (names, terms, cognates).",
    "“the recieved doses” (received)",
)
def misspellings(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    return _check("AUD330", ctx, rule)


@register(
    "AUD331",
    "casing",
    "fluency/spelling",
    Severity.MINOR,
    "A word cased differently from the dictionary or from the source: names, nationalities, acronyms.",
    "“all canadians” (Canadians); “Covid-19” where the source has “COVID-19”",
)
def miscasings(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    return _check("AUD331", ctx, rule)
