"""Score report rows (and plain segment lists) with the model: token log-probabilities and 0-100 scores."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Protocol

from auditor.document import Document
from auditor.lm.model import LanguageModel
from auditor.report import AlignedSegment, Scores, TokenScore
from auditor.scoring import mapping
from auditor.scoring.evidence import gather_evidence

if TYPE_CHECKING:
    from auditor.scoring.word_errors import StateProjection


def _flat(text: str) -> str:
    # Same length, so token offsets stay valid in the document.
    return text.replace("\n", " ").replace("\t", " ")


SegmentPair = tuple[str | None, str, str | None, str]  # source language, target language, source, target


class ScoreCache(Protocol):
    """Scores and tokens (spans relative to the segment) of segments scored before (auditor/feed/cache.py)."""

    def load(
        self, src_lang: str | None, tgt_lang: str, source: str | None, target: str
    ) -> tuple[Scores, list[TokenScore]] | None: ...

    def save(self, items: list[tuple[SegmentPair, Scores, list[TokenScore]]]) -> None: ...


def score_rows(
    lm: LanguageModel,
    rows: list[AlignedSegment],
    target: Document,
    source: Document | None,
    cache: ScoreCache | None = None,
    states: StateProjection | None = None,
) -> None:
    """Fill `scores` and `tokens` of every row that has target text (omissions keep None); with `cache`,
    only the rows it does not know are scored, and those are added to it. With `states` (the word-error
    model's), each token of a row with a source carries its projected hidden state."""
    src_lang = source.lang if source else None
    pairs = {
        id(r): (src_lang, target.lang, r.source_text or None if source else None, _flat(r.target_text))
        for r in rows
    }
    scored = []
    for row in (r for r in rows if r.target_span):
        hit = cache.load(*pairs[id(row)]) if cache is not None else None
        if hit is None:
            scored.append(row)
            continue
        assert row.target_span is not None
        row.scores, offset = hit[0], row.target_span[0]
        row.tokens = [replace(t, start=offset + t.start, end=offset + t.end) for t in hit[1]]
    if not scored:
        return
    targets = [_flat(r.target_text) for r in scored]
    sources: list[str | None] | None = None
    if source is not None:
        sources = [r.source_text or None for r in scored]
    evidence = gather_evidence(
        lm, targets, sources, src_lang=source.lang if source else None, tgt_lang=target.lang,
        states_layer=states.layer if states is not None and source is not None else None,
    )  # fmt: skip
    for row, ev in zip(scored, evidence, strict=True):
        assert row.target_span is not None
        offset = row.target_span[0]
        given = ev.given_source.logprobs if ev.given_source is not None else None
        projected = None
        if states is not None and ev.given_source is not None and ev.given_source.states is not None:
            projected = states.token_states(ev.given_source.states)
        row.tokens = [
            TokenScore(
                offset + start,
                offset + end,
                round(float(ev.prior.logprobs[k]), 4),
                round(float(given[k]), 4) if given is not None else None,
                projected[k] if projected is not None else None,
            )
            for k, (start, end) in enumerate(ev.prior.spans)
        ]
        row.scores = mapping.segment_scores(ev, lm.quality_head)
    if cache is not None:
        cache.save([(pairs[id(r)], r.scores, _relative(r)) for r in scored if r.scores is not None])


def _relative(row: AlignedSegment) -> list[TokenScore]:
    assert row.target_span is not None
    offset = row.target_span[0]
    return [replace(t, start=t.start - offset, end=t.end - offset) for t in row.tokens]


def score_pairs(
    targets: list[str],
    sources: list[str] | None = None,
    *,
    model: str | LanguageModel | None = "gemma-3-270m",
    src_lang: str | None = "fr",
    tgt_lang: str | None = "en",
) -> list[Scores]:
    """Scores for parallel lists of segments (one translation per source), as `auditor score` prints."""
    from auditor.lm.model import load_model

    lm = model if isinstance(model, LanguageModel) else load_model(model)
    evidence = gather_evidence(
        lm, [_flat(t) for t in targets], [_flat(s) for s in sources] if sources else None,
        src_lang=src_lang, tgt_lang=tgt_lang,
    )  # fmt: skip
    return [mapping.segment_scores(ev, lm.quality_head) for ev in evidence]
