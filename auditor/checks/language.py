"""Language sanity (AUD6xx): the documents are in the languages declared, and the pair is one the scores and
rules were built for. A copy of the source, a target in the source's language, a document in another
language than declared or an unsupported pair fails the default gate (critical).

Detection reads a bounded sample of each document with langdetect (seeded) and trusts it only when it is
confident, so a short or mixed text is never flagged on a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from auditor.checks.registry import CheckContext, Rule, register
from auditor.errors import InputError
from auditor.lm.manifest import LANGUAGE_NAMES, language_name
from auditor.report import Flag, Severity

# The pairs the score mapping was calibrated on and the rules (lexicons, calques, word order) are written
# for; target-only audits need a target language the fluency rules are written for.
SUPPORTED_PAIRS = {("fr", "en")}
SUPPORTED_TARGETS = {"en"}
# langdetect's profiles (zh-cn and zh-tw as zh) and the languages the prompt names
KNOWN_LANGUAGES = set(LANGUAGE_NAMES) | set(
    [
        "af",
        "ar",
        "bg",
        "bn",
        "ca",
        "cs",
        "cy",
        "da",
        "de",
        "el",
        "en",
        "es",
        "et",
        "fa",
        "fi",
        "fr",
        "gu",
        "he",
        "hi",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "kn",
        "ko",
        "lt",
        "lv",
        "mk",
        "ml",
        "mr",
        "ne",
        "nl",
        "no",
        "pa",
        "pl",
        "pt",
        "ro",
        "ru",
        "sk",
        "sl",
        "so",
        "sq",
        "sv",
        "sw",
        "ta",
        "te",
        "th",
        "tl",
        "tr",
        "uk",
        "ur",
        "vi",
        "zh",
    ]
)
_CODE = re.compile(r"^[A-Za-z]{2}(?:[-_][A-Za-z0-9]{2,8})?$")
_SAMPLE = 20_000  # characters read for detection
_MIN_LETTERS = 40  # below this, detection is a guess
_CONFIDENT = 0.95
_COPY_SHARE = 0.5  # of the target's word trigrams found in the source
_WORD = re.compile(r"\w+")


def base_code(code: str) -> str:
    return code.lower().replace("_", "-").split("-")[0]


def check_language_code(code: str, option: str = "--lang") -> None:
    """InputError (exit 2) unless `code` is an ISO 639-1 code (optionally with a region) the auditor knows."""
    if not _CODE.match(code) or base_code(code) not in KNOWN_LANGUAGES:
        raise InputError(
            f"unknown language code {code!r} for {option}: give an ISO 639-1 code such as fr, en or de"
        )


@lru_cache(maxsize=256)
def confident_language(text: str) -> str | None:
    """The language of a document when langdetect is confident about a sample of it, else None."""
    from auditor.checks.untranslated import language_probabilities

    sample = " ".join(text[:_SAMPLE].split())
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return None
    probs = language_probabilities(sample)
    if not probs or probs[0][1] < _CONFIDENT:
        return None
    return base_code(probs[0][0])


def _whole(text: str) -> tuple[int, int] | None:
    stripped = text.strip()
    if not stripped:
        return None
    start = text.index(stripped[0])
    return (start, start + len(stripped))


def _trigrams(text: str) -> set[tuple[str, ...]]:
    words = [w.casefold() for w in _WORD.findall(text[: _SAMPLE * 5])]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def copied_share(target: str, source: str) -> float:
    """The share of the target's word trigrams that also occur in the source (1.0: a copy)."""
    grams = _trigrams(target)
    if len(grams) < 3:
        return 0.0
    return len(grams & _trigrams(source)) / len(grams)


@register(
    "AUD601",
    "copy-of-source",
    "accuracy/untranslated",
    Severity.CRITICAL,
    "The translation is largely a copy of its source: most of its word sequences occur in the source.",
    "a French article given back, unchanged, as its English translation",
    needs_source=True,
)
def check_copy(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    assert ctx.source is not None
    share = copied_share(ctx.target.text, ctx.source.text)
    if share >= _COPY_SHARE:
        yield rule.flag(
            ctx,
            _whole(ctx.target.text),
            f"{share:.0%} of the translation's word sequences are copied from its source",
            suggestion="translate the source",
        )


@register(
    "AUD602",
    "same-language",
    "accuracy/untranslated",
    Severity.CRITICAL,
    "The source and the translation are in the same language: nothing was translated.",
    "an English source with an English “translation”",
    needs_source=True,
)
def check_same_language(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    assert ctx.source is not None
    target = confident_language(ctx.target.text) or base_code(ctx.target.lang)
    source = confident_language(ctx.source.text) or base_code(ctx.source.lang)
    if target == source:
        yield rule.flag(
            ctx,
            _whole(ctx.target.text),
            f"the source and the translation are both in {language_name(target)}",
            suggestion=f"give the translation into {language_name(base_code(ctx.target.lang))}"
            if base_code(ctx.target.lang) != target
            else "give the source in its own language",
        )


@register(
    "AUD603",
    "language-mismatch",
    "accuracy/language",
    Severity.CRITICAL,
    "A document is not in the language declared for it (--src-lang, --tgt-lang or the feed).",
    "--tgt-lang en on a German text",
)
def check_declared(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    documents = [("translation", ctx.target, False)]
    if ctx.source is not None:
        documents.append(("source", ctx.source, True))
    for role, document, is_source in documents:
        found = confident_language(document.text)
        declared = base_code(document.lang)
        if found is None or found == declared:
            continue
        span = _whole(document.text)
        yield rule.flag(
            ctx,
            None if is_source else span,
            f"the {role} reads as {language_name(found)}, not {language_name(declared)} as declared",
            source_span=span if is_source else None,
            suggestion=f"check the file, or declare {found}",
        )


@register(
    "AUD604",
    "unsupported-pair",
    "accuracy/language",
    Severity.CRITICAL,
    "The language pair is not one the scores were calibrated on and the rules written for (fr→en; "
    "target-only: en).",
    "a German source with an English translation",
)
def check_supported(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    target = base_code(ctx.target.lang)
    if ctx.source is None:
        if target not in SUPPORTED_TARGETS:
            yield rule.flag(
                ctx,
                _whole(ctx.target.text),
                f"target-only audits of {language_name(target)} are not supported",
            )
        return
    source = base_code(ctx.source.lang)
    if source == target or (source, target) in SUPPORTED_PAIRS:
        return  # the same language is AUD602's
    pairs = ", ".join(f"{s}→{t}" for s, t in sorted(SUPPORTED_PAIRS))
    yield rule.flag(
        ctx,
        _whole(ctx.target.text),
        f"{language_name(source)}→{language_name(target)} is not a supported pair ({pairs})",
    )
