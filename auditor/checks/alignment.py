"""Alignment rules: a source sentence the translation left out (AUD501), a target sentence with no source
(AUD502). They read the sentence alignment's null links ("1-0" and "0-1" rows, or "2-0" where neighbours merged).
"""

from __future__ import annotations

from collections.abc import Iterator

from auditor.align.anchors import words
from auditor.checks.registry import CheckContext, Rule, register
from auditor.report import AlignedSegment, Flag, Severity

# A dropped or added sentence this short ("Avec AFP", a button label) is minor: it is usually boilerplate.
_SHORT_WORDS = 4


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


def _clip(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
