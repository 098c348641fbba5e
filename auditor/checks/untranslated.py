"""Untranslated text (AUD202: a sentence in another language; AUD203: a long span copied from the source).

Text that was already in the target language in the source (an English tweet quoted in a French article) is
not untranslated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from difflib import SequenceMatcher
from functools import lru_cache

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import WORD, fold, source_for_target
from auditor.report import Flag, Severity

_MIN_LOWER_WORDS = 4  # names, handles and dates say nothing about the language


@lru_cache(maxsize=4096)
def language_probabilities(text: str) -> tuple[tuple[str, float], ...]:
    """langdetect's (language, probability) pairs, best first; empty when it cannot tell."""
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    try:
        return tuple((str(r.lang).split("-")[0], float(r.prob)) for r in detect_langs(text))
    except LangDetectException:
        return ()


def _prose(text: str) -> str:
    """Lowercase words only: drops names, handles, URLs and numbers that mislead language id."""
    text = re.sub(r"https?://\S+|[@#]\w+", " ", text)
    return " ".join(w for w in WORD.findall(text) if w[0].islower())


def language_of(text: str, *, min_words: int = _MIN_LOWER_WORDS, min_prob: float = 0.9) -> str | None:
    prose = _prose(text)
    if len(prose.split()) < min_words:
        return None
    probs = language_probabilities(prose)
    if not probs or probs[0][1] < min_prob:
        return None
    return probs[0][0]


@register(
    "AUD202",
    "untranslated-sentence",
    "accuracy/untranslated",
    Severity.MAJOR,
    "A sentence left in another language (the source's, when there is one), unless the source had it in the "
    "target language already.",
    "“Le Parlement irakien doit tenir dimanche une session.” in an English text",
)
def check_untranslated(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    target_lang = ctx.target.lang.split("-")[0]
    source_lang = ctx.source.lang.split("-")[0] if ctx.source is not None else None
    aligned = source_for_target(ctx)
    for segment in ctx.target_segments:
        lang = language_of(segment.text)
        if lang is None or lang == target_lang:
            continue
        if source_lang is not None and lang != source_lang:
            continue
        pair = aligned.get(segment.index)
        if pair is not None:
            if language_of(pair.source_text, min_prob=0.5) == target_lang:
                continue
            # Left untranslated means sharing the source's words; language id alone misreads short lines.
            if _shared_words(segment.text, pair.source_text) < 0.5:
                continue
        elif language_of(segment.text, min_words=8, min_prob=0.99) is None:
            continue
        yield rule.flag(
            ctx,
            segment.span,
            f"this sentence reads as {lang}, not {target_lang}",
            segment=pair.row.index if pair else None,
            confidence=0.9 if source_lang else 0.7,
        )


def _shared_words(text: str, other: str) -> float:
    mine = [fold(w) for w in WORD.findall(text)]
    theirs = {fold(w) for w in WORD.findall(other)}
    return sum(w in theirs for w in mine) / len(mine) if mine else 0.0


_MIN_COPY = 5
_URL = re.compile(r"https?://\S+|www\.\S+|\S+@\S+\.\w+")


def _blank(m: re.Match[str]) -> str:
    return " " * len(m.group(0))  # keeps offsets


@register(
    "AUD203",
    "copied-from-source",
    "accuracy/untranslated",
    Severity.MAJOR,
    "A run of five or more words copied from the source segment (the source was not in the target language).",
    "“la coalition antijihadiste menée par les États-Unis” kept as is",
    needs_source=True,
)
def check_copied(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    target_lang = ctx.target.lang.split("-")[0]
    seen: set[int] = set()
    for pair in source_for_target(ctx).values():
        if pair.row.index in seen:
            continue
        seen.add(pair.row.index)
        if language_of(pair.source_text, min_prob=0.5) == target_lang:
            continue
        src = list(WORD.finditer(_URL.sub(_blank, pair.source_text)))
        tgt = list(WORD.finditer(_URL.sub(_blank, pair.target_text)))
        a = [fold(m.group(0)) for m in src]
        b = [fold(m.group(0)) for m in tgt]
        match = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
        if match.size < _MIN_COPY:
            continue
        run = tgt[match.b : match.b + match.size]
        lower = sum(m.group(0)[0].islower() for m in run)
        if lower < 3 or lower / len(run) < 0.5:  # a run of names or a title is not untranslated
            continue
        start = pair.target_start + run[0].start()
        end = pair.target_start + run[-1].end()
        if (
            language_of(pair.target_text[run[0].start() : run[-1].end()], min_words=3, min_prob=0.5)
            == target_lang
        ):
            continue  # target-language words the source quoted as they were
        source_run = src[match.a : match.a + match.size]
        yield rule.flag(
            ctx,
            (start, end),
            f"{match.size} words copied from the source",
            source_span=(pair.source_start + source_run[0].start(), pair.source_start + source_run[-1].end()),
            segment=pair.row.index,
        )
