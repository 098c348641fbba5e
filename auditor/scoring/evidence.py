"""Model evidence for (source, target) pairs, gathered in one batched pass over all requests."""

from __future__ import annotations

from dataclasses import dataclass

from auditor.lm.model import LanguageModel, ScoredText
from auditor.scoring.coverage import uncovered_per_pair


@dataclass
class PairEvidence:
    """`given_source`: log p(target | source); `prior`: log p(target); `back`: log p(source | target);
    `uncovered`: the source's content words with no likely translation in the target (coverage.py; None
    without a source or a translation table for the pair)."""

    prior: ScoredText
    given_source: ScoredText | None = None
    back: ScoredText | None = None
    uncovered: list[str] | None = None


def gather_evidence(
    lm: LanguageModel,
    targets: list[str],
    sources: list[str | None] | None,
    *,
    src_lang: str | None,
    tgt_lang: str | None,
    back_translation: bool = True,
    batch_tokens: int = 2048,
    pool_layer: int | None = -1,
    states_layer: int | None = None,
) -> list[PairEvidence]:
    """`pool_layer` -1: the layer the model's quality head reads, if it has one; None: no pooled states.
    `states_layer`: every token's hidden state at that layer too (the word-error model's projection reads
    the source-conditioned pass's)."""
    if pool_layer == -1:
        pool_layer = lm.head_layer
    prompt = lm.prompt
    prefixes: list[str] = []
    texts: list[str] = []
    slots: list[tuple[int, str]] = []
    for i, target in enumerate(targets):
        prefixes.append(prompt.without_source(tgt_lang))
        texts.append(target)
        slots.append((i, "prior"))
        source = sources[i] if sources else None
        if source is None:
            continue
        prefixes.append(prompt.with_source(source, src_lang, tgt_lang))
        texts.append(target)
        slots.append((i, "given_source"))
        if back_translation:
            prefixes.append(prompt.with_source(target, tgt_lang, src_lang))
            texts.append(" ".join(source.split()))
            slots.append((i, "back"))
    scored = lm.score(
        prefixes, texts, batch_tokens=batch_tokens, pool_layer=pool_layer, states_layer=states_layer,
        states_of={k for k, (_, kind) in enumerate(slots) if kind == "given_source"},
    )  # fmt: skip
    found: list[dict[str, ScoredText]] = [{} for _ in targets]
    for (i, kind), result in zip(slots, scored, strict=True):
        found[i][kind] = result
    uncovered = uncovered_per_pair(targets, sources or [None] * len(targets), src_lang, tgt_lang)
    return [
        PairEvidence(f["prior"], f.get("given_source"), f.get("back"), missing)
        for f, missing in zip(found, uncovered, strict=True)
    ]
