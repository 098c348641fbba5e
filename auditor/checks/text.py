"""Small text helpers shared by the rule families: words, lines, overlaps, aligned-pair lookups."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from auditor.checks.registry import CheckContext
from auditor.report import AlignedSegment
from auditor.segment import split_lines

WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
SPACES = "\u00a0\u202f\u2009\u2007 "


def fold(text: str) -> str:
    """Lowercase without accents, for loose comparisons ("Téhéran" ~ "tehran")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    return [m.group(0) for m in WORD.finditer(text)]


def overlaps(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    return a is not None and b is not None and a[0] < b[1] and b[0] < a[1]


@dataclass(frozen=True)
class Line:
    """One non-blank line of a document, trimmed, with its offsets."""

    start: int
    end: int
    text: str


def lines(text: str) -> list[Line]:
    return [Line(s, e, text[s:e]) for s, e, _ in split_lines(text)]


@dataclass(frozen=True)
class Pair:
    """An aligned pair with both sides present: the texts and their offsets in their documents."""

    row: AlignedSegment
    source_start: int
    source_end: int
    target_start: int
    target_end: int
    source_text: str
    target_text: str


def pairs(ctx: CheckContext) -> Iterator[Pair]:
    """Aligned rows that have both a source and a target side, with document offsets."""
    if ctx.source is None:
        return
    for row in ctx.segments:
        if not row.source_indices or not row.target_indices:
            continue
        src = [ctx.source_segments[i] for i in row.source_indices]
        tgt = [ctx.target_segments[i] for i in row.target_indices]
        s0, s1 = src[0].start, src[-1].end
        t0, t1 = tgt[0].start, tgt[-1].end
        yield Pair(row, s0, s1, t0, t1, ctx.source.text[s0:s1], ctx.target.text[t0:t1])


def source_for_target(ctx: CheckContext) -> dict[int, Pair]:
    """Target segment index -> its aligned pair (absent for unaligned target segments)."""
    table: dict[int, Pair] = {}
    for pair in pairs(ctx):
        for index in pair.row.target_indices:
            table[index] = pair
    return table


def target_segment_at(ctx: CheckContext, offset: int) -> int | None:
    for segment in ctx.target_segments:
        if segment.start <= offset < segment.end:
            return segment.index
    return None


def is_lang(ctx: CheckContext, lang: str) -> bool:
    return ctx.target.lang.split("-")[0].lower() == lang


def source_is(ctx: CheckContext, lang: str) -> bool:
    return ctx.source is not None and ctx.source.lang.split("-")[0].lower() == lang
