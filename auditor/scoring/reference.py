"""Reference-based scores with sacreBLEU (BLEU, chrF, TER), per document and for a corpus, with signatures.

A document is compared line by line when it and its reference have the same number of non-empty lines
(the usual case for a feed of segment-aligned text); otherwise as one segment. Document BLEU uses
effective order (short documents would otherwise score 0); corpus BLEU uses sacreBLEU's defaults.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

METRICS = ("BLEU", "chrF", "TER")


def reference_segments(hypothesis: str, reference: str) -> tuple[list[str], list[str]]:
    hyp_lines = [line.strip() for line in hypothesis.split("\n") if line.strip()]
    ref_lines = [line.strip() for line in reference.split("\n") if line.strip()]
    if len(hyp_lines) == len(ref_lines) and hyp_lines:
        return hyp_lines, ref_lines
    return [" ".join(hyp_lines)], [" ".join(ref_lines)]


def _metrics(target_lang: str | None, *, effective_order: bool) -> dict[str, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    bleu = BLEU(effective_order=effective_order, trg_lang=target_lang or "")
    return {"BLEU": bleu, "chrF": CHRF(), "TER": TER()}


def _score(
    hyps: list[str], refs: list[str], target_lang: str | None, effective_order: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    signatures = []
    for name, metric in _metrics(target_lang, effective_order=effective_order).items():
        out[name] = round(float(metric.corpus_score(hyps, [refs]).score), 2)
        signatures.append(f"{name} {metric.get_signature()}")
    out["signature"] = "; ".join(signatures)
    return out


def document_scores(hypothesis: str, reference: str, target_lang: str | None = None) -> dict[str, Any]:
    """{"BLEU", "chrF", "TER", "signature"} for one document against its reference."""
    hyps, refs = reference_segments(hypothesis, reference)
    return _score(hyps, refs, target_lang, effective_order=True)


def corpus_scores(pairs: Sequence[tuple[str, str]], target_lang: str | None = None) -> dict[str, Any] | None:
    """Corpus scores over (hypothesis, reference) documents; None when there are none."""
    hyps: list[str] = []
    refs: list[str] = []
    for hypothesis, reference in pairs:
        h, r = reference_segments(hypothesis, reference)
        hyps.extend(h)
        refs.extend(r)
    if not hyps:
        return None
    return _score(hyps, refs, target_lang, effective_order=False)
