"""Named entities of the source missing or changed in the target (AUD204).

A source name is a capitalised word inside a sentence (French capitalises little else). It is found in the
target when the aligned segment or a neighbour holds the same word up to accents and small spelling changes
("Bagdad" ~ "Baghdad"), or a listed English name for it ("États-Unis" ~ "United States").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from auditor.checks.lexicon import LEXICON_PATH
from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import Pair, fold, pairs
from auditor.report import Flag, Severity

_NAME = re.compile(r"(?<![\w'’-])(?:[LlDd]['’])?([A-ZÀ-ÖØ-Þ][\w]*(?:-[A-ZÀ-ÖØ-Þ][\w]*)*)")
_OPENERS = set('.!?:;«»"“”(—–-•>')
_SIMILAR = 0.6  # "Pologne" ~ "Poland", "Koweït" ~ "Kuwait"; spelling and translation variants


@lru_cache(maxsize=1)
def exonyms() -> dict[str, tuple[str, ...]]:
    """French names whose English form is not a spelling variant, from the lexicon file's [exonyms]."""
    import tomllib

    try:
        with LEXICON_PATH.open("rb") as handle:
            table = tomllib.load(handle).get("exonyms", {})
    except FileNotFoundError:
        return {}
    return {fold(k): tuple(fold(v) for v in values) for k, values in table.items()}


_HONORIFICS = {"m", "mm", "mme", "mmes", "mlle", "monsieur", "madame", "mademoiselle", "me", "dr", "pr"}
_NOT_NAMES = set(
    [
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "du",
        "de",
        "et",
        "ou",
        "il",
        "elle",
        "ils",
        "elles",
        "on",
        "nous",
        "vous",
        "en",
        "au",
        "aux",
        "pour",
        "par",
        "dans",
        "sur",
        "avec",
        "sans",
        "selon",
        "si",
        "quand",
        "comme",
        "alors",
        "ainsi",
        "puis",
        "enfin",
        "depuis",
        "après",
        "avant",
        "mais",
        "ce",
        "cet",
        "cette",
        "ces",
        "tout",
        "toute",
        "tous",
        "toutes",
        "son",
        "sa",
        "ses",
        "leur",
        "leurs",
        "mon",
        "ma",
        "mes",
        "notre",
        "nos",
        "votre",
        "vos",
        "qui",
        "que",
        "quoi",
        "dont",
        "où",
    ]
)


@dataclass(frozen=True)
class Name:
    """Consecutive capitalised words of the source ("Qassem Soleimani"), with their span in the text."""

    words: tuple[str, ...]
    start: int
    end: int

    @property
    def text(self) -> str:
        return " ".join(self.words)


def source_names(text: str) -> list[Name]:
    """Capitalised words that do not open a sentence, quotation or list item, grouped into names.

    Acronyms are left out: they are often translated ("APS" is "PSA"), and so are titles ("Mme").
    """
    names: list[Name] = []
    previous_end = -10
    for m in _NAME.finditer(text):
        word = m.group(1)
        before = text[: m.start()].rstrip()
        opener = not before or before[-1] in _OPENERS
        folded = fold(word)
        roman = re.fullmatch(r"[IVXLC]+(?:e|er|ème)", word) is not None  # "XIXe" (siècle)
        skip = word.isupper() or roman or len(word) < 3 or folded in _NOT_NAMES or folded in _HONORIFICS
        if skip or (opener and m.start() != previous_end + 1):
            previous_end = -10
            continue
        if names and m.start() == previous_end + 1 and text[previous_end] == " ":
            last = names[-1]
            names[-1] = Name((*last.words, word), last.start, m.end(1))
        elif not opener:
            names.append(Name((word,), m.start(1), m.end(1)))
        else:
            continue
        previous_end = m.end(1)
    return names


def _similar(a: str, b: str) -> bool:
    if a == b:
        return True
    if min(len(a), len(b)) >= 4 and (a.startswith(b[:4]) and b.startswith(a[:4])):
        return True
    return SequenceMatcher(None, a, b).ratio() >= _SIMILAR


@lru_cache(maxsize=256)
def _target_words(target: str) -> tuple[str, frozenset[str]]:
    folded = fold(target)
    return folded, frozenset(re.findall(r"\w+", folded))


def _present(name: str, target: str) -> bool:
    folded = fold(name)
    target_folded, words = _target_words(target)
    parts = [p for p in re.split(r"[-\s]", folded) if len(p) >= 3] or [folded]
    for alias in exonyms().get(folded, ()):
        if re.search(rf"(?<!\w){re.escape(alias)}(?!\w)", target_folded):
            return True
    return any(_similar(part, word) for part in parts for word in words)


@register(
    "AUD204",
    "named-entity",
    "accuracy/named-entity",
    Severity.MAJOR,
    "A name of the source (person, place, organisation) is missing from the translation or changed beyond "
    "recognition.",
    "“Qassem Soleimani” → “Qassem Suleiman”",
    needs_source=True,
)
def check_entities(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    all_pairs: list[Pair] = list(pairs(ctx))
    for n, pair in enumerate(all_pairs):
        window = " ".join(p.target_text for p in all_pairs[max(0, n - 1) : n + 2])
        for name in source_names(pair.source_text):
            if any(_present(word, window) for word in name.words):
                continue
            # A several-word name absent from the whole translation is major; a single capitalised word is
            # often a translated common noun ("Château" → "Castle"), so it stays minor.
            nowhere = not any(_present(word, ctx.target.text) for word in name.words)
            severity = Severity.MAJOR if len(name.words) > 1 and nowhere else Severity.MINOR
            yield rule.flag(
                ctx,
                (pair.target_start, pair.target_end),
                f"“{name.text}” of the source is missing from the translation",
                source_span=(pair.source_start + name.start, pair.source_start + name.end),
                segment=pair.row.index,
                severity=severity,
            )
