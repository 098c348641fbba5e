"""Build a CheckContext from plain texts without a model: split, align 1-1 (or by the sentence aligner).

The pipeline builds the same context with model scores; this is for running the rules alone (tests,
benchmarks, `audit(..., model=None)` before the pipeline grows its own).
"""

from __future__ import annotations

from auditor.align.sentences import align_sentences
from auditor.checks.registry import CheckContext, RuleConfig, run_checks
from auditor.document import Document, Segment, SentenceLink
from auditor.report import AlignedSegment, Flag
from auditor.segment import split_sentences


def _links(source: list[Segment], target: list[Segment]) -> list[SentenceLink]:
    if len(source) == len(target) and all(
        s.paragraph == t.paragraph for s, t in zip(source, target, strict=True)
    ):
        return [SentenceLink((i,), (i,)) for i in range(len(source))]
    return align_sentences(source, target)


def rows_from_links(
    links: list[SentenceLink], source: list[Segment], target: list[Segment]
) -> list[AlignedSegment]:
    rows = []
    for index, link in enumerate(links):
        src = [source[i] for i in link.source]
        tgt = [target[i] for i in link.target]
        rows.append(
            AlignedSegment(
                index=index,
                link=link.kind,
                source_indices=list(link.source),
                target_indices=list(link.target),
                source_text=" ".join(s.text for s in src),
                target_text=" ".join(t.text for t in tgt),
                source_span=(src[0].start, src[-1].end) if src else None,
                target_span=(tgt[0].start, tgt[-1].end) if tgt else None,
            )
        )
    return rows


def build_context(
    target: str,
    source: str | None = None,
    *,
    tgt_lang: str = "en",
    src_lang: str = "fr",
    one_per_line: bool = False,
) -> CheckContext:
    target_doc = Document(target, tgt_lang, "target")
    target_segments = split_sentences(target_doc, one_per_line=one_per_line)
    if source is None:
        rows = rows_from_links(
            [SentenceLink((), (i,)) for i in range(len(target_segments))], [], target_segments
        )
        return CheckContext(target_doc, None, target_segments, [], rows)
    source_doc = Document(source, src_lang, "source")
    source_segments = split_sentences(source_doc, one_per_line=one_per_line)
    links = _links(source_segments, target_segments)
    rows = rows_from_links(links, source_segments, target_segments)
    return CheckContext(target_doc, source_doc, target_segments, source_segments, rows)


def check_texts(
    target: str,
    source: str | None = None,
    *,
    config: RuleConfig | None = None,
    tgt_lang: str = "en",
    src_lang: str = "fr",
    one_per_line: bool = False,
) -> list[Flag]:
    """Run every registered rule on plain texts (rules only, no model)."""
    import auditor.checks  # noqa: F401  (registers the rule families)

    ctx = build_context(target, source, tgt_lang=tgt_lang, src_lang=src_lang, one_per_line=one_per_line)
    flags = run_checks(ctx, config or RuleConfig())
    return sorted(flags, key=lambda f: (f.target_span or (1 << 60, 0), f.rule))
