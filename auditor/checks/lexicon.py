"""French→English translationese from a curated lexicon (AUD301 calques, AUD302 false friends, AUD206
mistranslations, AUD321 grammar slips).

A hit of an ambiguous entry (English that is also correct English, like "actually") is flagged only when
confirmed: by the French word in the aligned source segment, or, target-only, by the language model finding
the span unlikely. Without either it is left alone. Unambiguous entries ("monster parades") are flagged
anyway, with less confidence when nothing confirms them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import Pair, is_lang, source_for_target
from auditor.report import AlignedSegment, Flag, Severity

LEXICON_PATH = Path(__file__).resolve().parent.parent / "data" / "lexicon-fr-en.toml"
KINDS = {"calque": "AUD301", "false-friend": "AUD302", "mistranslation": "AUD206", "grammar": "AUD321"}


@dataclass(frozen=True)
class Entry:
    name: str
    rule: str
    en: re.Pattern[str]
    fr: re.Pattern[str] | None
    ambiguous: bool
    suggestion: str | None
    severity: Severity | None
    note: str | None


@dataclass(frozen=True)
class Lexicon:
    entries: tuple[Entry, ...]
    max_logprob: float


def parse_lexicon(data: dict[str, object], origin: str = "lexicon") -> Lexicon:
    settings = data.get("settings", {})
    max_logprob = float(settings.get("max_logprob", -7.0)) if isinstance(settings, dict) else -7.0
    raw_entries = data.get("entry", [])
    if not isinstance(raw_entries, list):
        raise ValueError(f"{origin}: 'entry' must be an array of tables")
    entries = []
    for raw in raw_entries:
        kind = raw.get("rule")
        if kind not in KINDS:
            raise ValueError(f"{origin}: entry {raw.get('name')!r} has unknown rule {kind!r}")
        flags = 0 if raw.get("case_sensitive") else re.IGNORECASE
        entries.append(
            Entry(
                name=str(raw["name"]),
                rule=KINDS[kind],
                en=re.compile(raw["en"], flags),
                fr=re.compile(raw["fr"], re.IGNORECASE) if raw.get("fr") else None,
                ambiguous=bool(raw.get("ambiguous", True)),
                suggestion=raw.get("suggestion"),
                severity=Severity.parse(raw["severity"]) if raw.get("severity") else None,
                note=raw.get("note"),
            )
        )
    return Lexicon(tuple(entries), max_logprob)


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """The curated lexicon; an absent file gives an empty lexicon (the other rules still run)."""
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        return Lexicon((), -7.0)
    return parse_lexicon(data, str(path))


def span_logprob(row: AlignedSegment | None, span: tuple[int, int]) -> float | None:
    """The least likely target token inside `span` (target-only log-probability), or None without scores."""
    if row is None or not row.tokens:
        return None
    values = [t.logprob for t in row.tokens if t.start < span[1] and span[0] < t.end]
    return min(values) if values else None


def _row_for(ctx: CheckContext, offset: int) -> AlignedSegment | None:
    for row in ctx.segments:
        if row.target_span and row.target_span[0] <= offset < row.target_span[1]:
            return row
    return None


def _segment_of(ctx: CheckContext, offset: int) -> int | None:
    for segment in ctx.target_segments:
        if segment.start <= offset < segment.end:
            return segment.index
    return None


@dataclass(frozen=True)
class Hit:
    entry: Entry
    span: tuple[int, int]
    confidence: float
    source_span: tuple[int, int] | None
    row: int | None
    why: str


def find_hits(ctx: CheckContext, lexicon: Lexicon) -> Iterator[Hit]:
    text = ctx.target.text
    aligned = source_for_target(ctx)
    for entry in lexicon.entries:
        for m in entry.en.finditer(text):
            span = m.span()
            index = _segment_of(ctx, span[0])
            pair: Pair | None = aligned.get(index) if index is not None else None
            row = _row_for(ctx, span[0])
            row_index = row.index if row else None
            if pair is not None and entry.fr is not None:
                found = entry.fr.search(pair.source_text)
                if found:
                    src = (pair.source_start + found.start(), pair.source_start + found.end())
                    yield Hit(entry, span, 0.9, src, row_index, "source")
                elif not entry.ambiguous:
                    yield Hit(entry, span, 0.6, None, row_index, "pattern")
                continue
            logprob = span_logprob(row, span)
            if logprob is not None and logprob <= lexicon.max_logprob:
                yield Hit(entry, span, 0.75, None, row_index, "model")
            elif not entry.ambiguous:
                yield Hit(entry, span, 0.5 if logprob is not None else 0.4, None, row_index, "pattern")


def _message(hit: Hit) -> str:
    kind = {
        "AUD301": "calque",
        "AUD302": "false friend",
        "AUD206": "mistranslation",
        "AUD321": "French construction",
    }
    text = f"{kind[hit.entry.rule]} of “{hit.entry.name}”"
    if hit.entry.suggestion:
        text += f": usually “{hit.entry.suggestion}”"
    if hit.entry.note:
        text += f" ({hit.entry.note})"
    return text


def _check(code: str, ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en") or (ctx.source is not None and not ctx.source.lang.startswith("fr")):
        return
    for hit in find_hits(ctx, load_lexicon()):
        if hit.entry.rule != code:
            continue
        severity = hit.entry.severity
        if hit.why == "pattern" and hit.source_span is None and ctx.source is None:
            severity = Severity.MINOR  # nothing confirms it: report it, but low
        yield rule.flag(
            ctx,
            hit.span,
            _message(hit),
            source_span=hit.source_span,
            suggestion=hit.entry.suggestion,
            segment=hit.row,
            severity=severity,
            confidence=hit.confidence,
        )


# The lexicon's entries each name one of these rules; every rule runs the same matcher on its own entries.
_LEXICON_RULES = (
    ("AUD301", "calque", "fluency/calque", Severity.MINOR,
     "A French phrase rendered word for word (lexicon), confirmed by the source or the model.",
     "“défilés monstres” → “monster parades” (massive processions)"),
    ("AUD302", "false-friend", "fluency/false-friend", Severity.MAJOR,
     "A false friend (lexicon): English that looks like the French word but means something else.",
     "“actuellement” → “actually” (currently)"),
    ("AUD206", "lexicon-mistranslation", "accuracy/mistranslation", Severity.MAJOR,
     "A known French→English mistranslation (lexicon), confirmed by the source word.",
     "“une dizaine” → “a dozen” (about ten)"),
    ("AUD321", "french-construction", "fluency/grammar", Severity.MINOR,
     "A French construction carried into English grammar (lexicon): a wrong preposition or a missing one.",
     "“riposter contre l'Iran” → “retaliate Iran” (retaliate against Iran)"),
)  # fmt: skip

LEXICON_CODES = tuple(code for code, *_ in _LEXICON_RULES)  # `--disable lexicon` turns them all off

for _code, _name, _category, _severity, _doc, _example in _LEXICON_RULES:
    register(_code, _name, _category, _severity, _doc, _example)(partial(_check, _code))
