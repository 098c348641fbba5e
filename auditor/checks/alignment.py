"""Alignment rules: a source sentence the translation left out (AUD501), a target sentence with no source
(AUD502). They read the sentence alignment's null links ("1-0" and "0-1" rows, or "2-0" where neighbours
merged), and, with a sentence encoder, the members of n-m links one by one: a source sentence of a 2-1 link
that the link's target does not render is as much an omission as a 1-0 link (`uncovered_members`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from auditor.align.anchors import words
from auditor.align.lexicon import load_lexicon
from auditor.checks.registry import CheckContext, Rule, register
from auditor.document import Segment
from auditor.report import AlignedSegment, Flag, Severity
from auditor.scoring.coverage import CoverageCheck

# A dropped or added sentence this short ("Avec AFP", a button label) is minor: it is usually boilerplate.
_SHORT_WORDS = 4


# A member of a link is uncovered when its own cosine with the other side is under MEMBER_SIMILARITY, the
# other members explain the other side at least as well without it (the link's cosine drops by no more than
# REST_MARGIN when it is left out), and, for a source sentence with a translation table, at most
# LEXICAL_COVERAGE of its content words have a likely translation in the link's target. Set on the seed pair,
# sentences removed from or added to it, and clean WMT13 source/reference pairs (benchmarks/flags.py).
MEMBER_SIMILARITY = 0.35
REST_MARGIN = 0.05
LEXICAL_COVERAGE = 0.5
_MIN_CONTENT_WORDS = 3


@dataclass(frozen=True)
class Member:
    """One sentence of a link that the other side does not render."""

    row: AlignedSegment
    segment: Segment
    similarity: float  # its cosine with the link's other side
    coverage: float | None  # share of its content words with a likely translation there (source side only)


def uncovered_members(ctx: CheckContext, side: str) -> Iterator[Member]:
    """Sentences of multi-sentence sides ("source": omissions, "target": additions) that the link's other
    side does not render; nothing without a sentence encoder in the context."""
    encoder = ctx.encoder
    if encoder is None or ctx.source is None:
        return
    segments = ctx.source_segments if side == "source" else ctx.target_segments
    coverage = _coverage_check(ctx) if side == "source" else None
    for row in ctx.segments:
        mine = row.source_indices if side == "source" else row.target_indices
        other_text = row.target_text if side == "source" else row.source_text
        if len(mine) < 2 or not other_text.strip():
            continue
        texts = [segments[k].text for k in mine]
        rests = [" ".join(t for n, t in enumerate(texts) if n != k) for k in range(len(texts))]
        rows = encoder.encode([other_text, " ".join(texts), *texts, *rests])
        other, full = rows[0], float(rows[1] @ rows[0])
        for k, index in enumerate(mine):
            own = float(rows[2 + k] @ other)
            rest = float(rows[2 + len(texts) + k] @ other)
            if own >= MEMBER_SIMILARITY or rest < full - REST_MARGIN:
                continue
            share = _covered_share(coverage, texts[k], other_text) if coverage is not None else None
            if share is not None and share > LEXICAL_COVERAGE:
                continue
            yield Member(row, segments[index], own, share)


def _coverage_check(ctx: CheckContext) -> CoverageCheck | None:
    assert ctx.source is not None
    lexicon = load_lexicon(ctx.source.lang, ctx.target.lang)
    return CoverageCheck(lexicon) if lexicon is not None else None


def _covered_share(check: CoverageCheck, source: str, target: str) -> float | None:
    """Share of the sentence's content words that the target translates (None when it has too few)."""
    from auditor.align.lexicon import tokenize

    content = [
        w
        for w in tokenize(source, check.lexicon.source_lang)
        if w[:1].isalnum() and w not in check.function_words
    ]
    if len(content) < _MIN_CONTENT_WORDS:
        return None
    return 1.0 - len(check.uncovered(source, target)) / len(content)


def _severity(text: str) -> Severity:
    return Severity.MINOR if len(words(text)) < _SHORT_WORDS else Severity.MAJOR


def _insertion_point(rows: list[AlignedSegment], index: int, side: str) -> tuple[int, int] | None:
    """Zero-width span where the missing side would sit: after the nearest earlier row that has that side."""
    for row in reversed(rows[:index]):
        span = row.source_span if side == "source" else row.target_span
        if span is not None:
            return (span[1], span[1])
    for row in rows[index + 1 :]:
        span = row.source_span if side == "source" else row.target_span
        if span is not None:
            return (span[0], span[0])
    return None


def _unlinked(rows: list[AlignedSegment], side: str) -> Iterator[tuple[int, AlignedSegment]]:
    """Rows with sentences on `side` only (1-0 links for "source", 0-1 for "target"), with their positions."""
    for position, row in enumerate(rows):
        mine, other = (
            (row.source_indices, row.target_indices)
            if side == "source"
            else (row.target_indices, row.source_indices)
        )
        span = row.source_span if side == "source" else row.target_span
        if mine and not other and span is not None:
            yield position, row


@register(
    "AUD501",
    "omission",
    "accuracy/omission",
    Severity.MAJOR,
    "A source sentence has no counterpart in the translation: the sentence aligner linked it to nothing.",
    "source: « Avec AFP. Le Parlement doit voter dimanche. » / target: 'With AFP.' (second sentence missing)",
    needs_source=True,
)
def omissions(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    for position, row in _unlinked(ctx.segments, "source"):
        count = len(row.source_indices)
        what = "sentence" if count == 1 else f"{count} sentences"
        flag = rule.flag(
            ctx,
            None,
            f"source {what} not translated: « {_clip(row.source_text)} »",
            source_span=row.source_span,
            segment=row.index,
            severity=_severity(row.source_text),
        )
        after = _insertion_point(ctx.segments, position, "target")
        if after is not None:
            flag.suggestion = f"translate it (it belongs at character {after[0]} of the target)"
        yield flag
    for member in uncovered_members(ctx, "source"):
        row, segment = member.row, member.segment
        flag = rule.flag(
            ctx,
            None,
            f"source sentence not translated: « {_clip(segment.text)} » (the target of its {row.link} link "
            f"renders the other sentences; similarity {member.similarity:.2f})",
            source_span=segment.span,
            segment=row.index,
            severity=_severity(segment.text),
        )
        if row.target_span is not None:
            flag.suggestion = f"translate it (it belongs in the target's characters {row.target_span[0]}-{row.target_span[1]})"
        yield flag


@register(
    "AUD502",
    "addition",
    "accuracy/addition",
    Severity.MAJOR,
    "A target sentence renders nothing in the source: the sentence aligner linked it to nothing.",
    "source: « Le président a parlé. » / target: 'The president spoke. The weather was fine.'",
    needs_source=True,
)
def additions(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    for position, row in _unlinked(ctx.segments, "target"):
        count = len(row.target_indices)
        what = "sentence has" if count == 1 else f"{count} sentences have"
        yield rule.flag(
            ctx,
            row.target_span,
            f"target {what} no counterpart in the source",
            source_span=_insertion_point(ctx.segments, position, "source"),
            segment=row.index,
            severity=_severity(row.target_text),
        )
    for member in uncovered_members(ctx, "target"):
        row, segment = member.row, member.segment
        yield rule.flag(
            ctx,
            segment.span,
            f"target sentence has no counterpart in the source (the source of its {row.link} link is "
            f"rendered by the other sentences; similarity {member.similarity:.2f})",
            source_span=row.source_span,
            segment=row.index,
            severity=_severity(segment.text),
        )


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
