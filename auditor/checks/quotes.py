"""Quotations translated back instead of quoted (AUD205).

When the source quotes a text that was written in the target language (an English tweet in a French
article), the translation should give the original words. A quotation of the target that shares most of its
content words with such an original, but not its wording, was translated back from the source's paraphrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import WORD, fold, target_segment_at
from auditor.checks.untranslated import language_of
from auditor.report import Flag, Severity

_QUOTED = re.compile(r"\"([^\"\n]{8,}?)\"|“([^”\n]{8,}?)”")
_STOP = set(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "they",
        "them",
        "their",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "not",
        "no",
        "do",
        "does",
        "did",
        "will",
        "would",
        "can",
        "could",
        "has",
        "have",
        "had",
        "so",
        "if",
        "than",
        "then",
        "there",
        "here",
        "very",
        "more",
        "most",
        "any",
        "all",
        "some",
        "such",
        "also",
    ]
)
_MIN_SHARED = 3
_MIN_SHARE = 0.6


def _content(text: str) -> list[str]:
    return [fold(w)[:5] for w in WORD.findall(text) if fold(w) not in _STOP and len(w) > 2]


def _normal(text: str) -> str:
    return " ".join(fold(w) for w in WORD.findall(text))


@register(
    "AUD205",
    "quote-retranslated",
    "accuracy/mistranslation",
    Severity.MAJOR,
    "A quotation translated back from the source's paraphrase although the original words (in the target "
    "language) are in the source.",
    "tweet “at a very high level & important to Iran” quoted as “of very high standard and very important…”",
    needs_source=True,
)
def check_retranslated_quotes(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    assert ctx.source is not None
    target_lang = ctx.target.lang.split("-")[0]
    originals = [
        s.text for s in ctx.source_segments if language_of(s.text, min_words=3, min_prob=0.5) == target_lang
    ]
    if not originals:
        return
    original_content = [(text, set(_content(text)), _normal(text)) for text in originals]
    for m in _QUOTED.finditer(ctx.target.text):
        quote = m.group(1) or m.group(2)
        words = _content(quote)
        if len(words) < _MIN_SHARED:
            continue
        normal = _normal(quote)
        for text, content, original_normal in original_content:
            shared = sum(1 for w in words if w in content)
            if shared < _MIN_SHARED or shared / len(words) < _MIN_SHARE:
                continue
            if normal in original_normal:
                break  # quoted as written
            yield rule.flag(
                ctx,
                m.span(),
                "quotation translated back instead of quoting the original words",
                suggestion=text,
                segment=target_segment_at(ctx, m.start()),
                confidence=min(0.95, shared / len(words)),
            )
            break
