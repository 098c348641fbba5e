"""How model evidence becomes 0-100 scores. Bump VERSION whenever a constant or formula changes.

Per segment, with mean per-token log-probabilities (natural log) under the model:
- given  = mean log p(target token | source, target prefix)          (the translation, given its source)
- back   = mean log p(source token | target, source prefix)          (the source, given the translation:
           a source word the translation dropped is hard to predict, so this sees omissions)
- end    = log p(end of line | source, whole target)                 (is the translation complete?)
- prior  = mean log p(target token | target prefix)                  (fluency, no source)

    fidelity_raw = given + 0.5 * back + 0.2 * end
    fluency      = 100 * sigmoid((prior + 5.0) / 0.7)
    fidelity     = 100 * sigmoid((fidelity_raw + 3.3) / 0.7)
    overall      = 100 * sigmoid((fidelity_raw + 0.2 * prior + 4.1) / 0.7)      (with a source)
    overall      = fluency                                                      (target only)

Weights were chosen on DEMETR-fr dev (ranking a good translation above a perturbed one) and a 500-segment
WMT13 fr-en sample (human pairwise rankings), jointly, by grid search over the back, end and prior weights
(version 2: DEMETR non-base 0.986 and WMT13 tau 0.234, against 0.986 and 0.210 for version 1); centres and
scales put the median good DEMETR translation near 90, its 5th percentile near 60, and an
unrelated or empty translation below 1 (see benchmarks/quality.py). Documents average segments weighted by
target length; an omitted source sentence counts as fidelity 0.
"""

from __future__ import annotations

import math
from typing import Any

from auditor.report import Scores
from auditor.scoring.evidence import PairEvidence

VERSION = "2"

END_WEIGHT = 0.2
BACK_WEIGHT = 0.5
PRIOR_IN_OVERALL = 0.2
FLU_CENTER, FLU_SCALE = -5.0, 0.7
FID_CENTER, FID_SCALE = -3.3, 0.7
ALL_CENTER, ALL_SCALE = -4.1, 0.7
EMPTY_MEAN = -20.0  # mean log-probability of a text with no tokens


def sigmoid_100(value: float, center: float, scale: float) -> float:
    z = (value - center) / scale
    return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _mean(logprobs: Any) -> float:
    return float(logprobs.mean()) if len(logprobs) else EMPTY_MEAN


def fidelity_raw(evidence: PairEvidence) -> float | None:
    given = evidence.given_source
    if given is None:
        return None
    value = _mean(given.logprobs) + END_WEIGHT * given.end_logprob
    if evidence.back is not None:
        value += BACK_WEIGHT * _mean(evidence.back.logprobs)
    return value


def segment_scores(evidence: PairEvidence) -> Scores:
    prior = _mean(evidence.prior.logprobs)
    fluency = sigmoid_100(prior, FLU_CENTER, FLU_SCALE)
    raw = fidelity_raw(evidence)
    if raw is None:
        return Scores(fluency=round(fluency, 2), overall=round(fluency, 2), fidelity=None)
    fidelity = sigmoid_100(raw, FID_CENTER, FID_SCALE)
    combined = sigmoid_100(raw + PRIOR_IN_OVERALL * prior, ALL_CENTER, ALL_SCALE)
    return Scores(fluency=round(fluency, 2), overall=round(combined, 2), fidelity=round(fidelity, 2))
