"""How model evidence becomes 0-100 scores. Bump VERSION whenever a constant or formula changes.

Per segment, with per-token log-probabilities (natural log) under the model, averaged with the first token
at half weight (it has no context in its own text, and in a short segment it would dominate the mean):
- given  = mean log p(target token | source, target prefix)          (the translation, given its source)
- back   = mean log p(source token | target, source prefix)          (the source, given the translation:
           a source word the translation dropped is hard to predict, so this sees omissions)
- end    = log p(end of line | source, whole target)                 (is the translation complete?)
- prior  = mean log p(target token | target prefix)                  (fluency, no source)
- uncovered = how many of the source's content words have no likely translation anywhere in the target
           (coverage.py, from the shipped translation table; 0 terms without one)

    fidelity_raw = given + 0.3 * back + 0.3 * end - 0.15 * uncovered
    overall_raw  = fidelity_raw + 0.2 * prior (+ head · z, see below)
    fluency      = 100 * sigmoid(ln 9 + 0.873 * (prior - expected(n)) / spread(n))   (n target tokens)
        expected(n) = -3.76 - 9.65 / n,   spread(n) = sqrt(0.349 + 7.251 / n)
    fidelity     = 100 * sigmoid((fidelity_raw + 3.31) / 0.65)
    overall      = 100 * sigmoid((overall_raw + 4.17) / 0.74)        (with a source, no quality head)
    overall      = 100 * sigmoid((overall_raw - HEAD_CENTER) / HEAD_SCALE)   (with the model's quality head)
    overall      = fluency                                                (target only)

The first-token weight and the back, end and prior weights were chosen jointly on DEMETR-fr dev (ranking a
good translation above a perturbed one) and a 500-segment WMT13 fr-en sample (human pairwise rankings) by
grid search (version 3: DEMETR non-base 0.985, WMT13 tau 0.244; version 2, plain means with 0.5/0.2/0.2:
0.986 and 0.233), and checked on DiaBLa chat, which was not tuned on (perfect>poor pairs 0.627 against
0.590).

Version 4 adds the model's quality head when its manifest has one (auditor/scoring/head.py): a learnt term
w · z over the standardised mean hidden state z of the translation's tokens at one layer of the
source-conditioned pass, fitted on WMT12 fr-en human judgments only (benchmarks/train_head.py). Any other
model scores without it.

Version 5 adds the uncovered-word term. Its weight (0.15) and coverage.py's constants were chosen as the best
WMT12 tau (with the version 4 head) among the settings that put DEMETR-fr dev non-base accuracy at 0.99 or
more, over weights 0.1-0.3, 20-200 function words, probability floors 0.005-0.1 and prefixes of 4-5 letters
or none; WMT13 was printed beside them but not used to choose.
The head was then re-fitted for the new formula. Version 4 -> 5: DEMETR 0.986 -> 0.991 (most of the gain on
dropped adjectives, adverbs and phrases), WMT12 formula-alone tau 0.314 -> 0.312 and head CV tau 0.360 ->
0.363, WMT13 0.291 -> 0.293 on the 500-segment sample (0.299 on all 80,741 judged pairs), DiaBLa unchanged or
better.

Version 6 calibrates fluency for length. A text's first words have no context, so correct English scores a
lower mean log-probability the shorter it is: on newstest2012's human references (385 sentences, a seeded
sample of up to 80 per length band, `python -m benchmarks.fit_fluency`) the median mean is -8.2 for 1-3
tokens, -6.2 for 4-6, -4.6 for 11-15 and -3.8 past 40, and version 5's fixed centre gave a short correct
sentence a fluency near 0 (median 1.1 for 1-3 tokens, 17.7 for 4-6, 86.5 past 40). expected(n) is the
least-absolute-deviations fit of that mean on 1/n, spread(n) the fit of the squared robust spread (1.4826 x
median absolute deviation, per band) on 1/n, and the two constants put the median reference at 90 and its
5th percentile at 60, as the rule below does: the median reference of every length band now scores 88-92.
Within one length the order is version 5's; fidelity and overall do not change.

Centres and scales put the median good DEMETR translation near 90 and its 5th percentile near 60
(`python -m benchmarks.quality` prints the centre and scale that rule gives); an empty translation scores 0.
Documents average segments weighted by target length; an omitted source sentence counts as fidelity 0.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from auditor.errors import ModelError
from auditor.report import Scores
from auditor.scoring.evidence import PairEvidence
from auditor.scoring.head import QualityHead

VERSION = "6"

FIRST_TOKEN_WEIGHT = 0.5
END_WEIGHT = 0.3
BACK_WEIGHT = 0.3
PRIOR_IN_OVERALL = 0.2
UNCOVERED_WEIGHT = 0.15  # per source content word with no likely translation in the target (version 5)
FLU_MEAN_LONG, FLU_MEAN_SHORT = -3.76, -9.65  # expected(n) = LONG + SHORT / n (version 6)
FLU_VAR_LONG, FLU_VAR_SHORT = 0.349, 7.251  # spread(n)² = LONG + SHORT / n
FLU_MEDIAN, FLU_SLOPE = math.log(9.0), 0.873  # the median reference -> 90, its 5th percentile -> 60
FID_CENTER, FID_SCALE = -3.31, 0.65
ALL_CENTER, ALL_SCALE = -4.17, 0.74
HEAD_CENTER, HEAD_SCALE = -4.68, 1.03
EMPTY_MEAN = -20.0  # mean log-probability of a text with no tokens


def sigmoid_100(value: float, center: float, scale: float) -> float:
    """100·σ((value - center) / scale); a non-finite value is a model error, never a score (a clamp would
    turn NaN into 100)."""
    if not math.isfinite(value):
        raise ModelError(
            f"non-finite model evidence ({value}) cannot be scored: check `auditor models verify`"
        )
    z = (value - center) / scale
    return 100.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def _mean(logprobs: Any) -> float:
    if not len(logprobs):
        return EMPTY_MEAN
    values = np.asarray(logprobs, dtype=np.float64)
    return float(
        (values.sum() - (1.0 - FIRST_TOKEN_WEIGHT) * values[0]) / (len(values) - 1.0 + FIRST_TOKEN_WEIGHT)
    )


def fidelity_raw(evidence: PairEvidence) -> float | None:
    given = evidence.given_source
    if given is None:
        return None
    value = _mean(given.logprobs) + END_WEIGHT * given.end_logprob
    if evidence.back is not None:
        value += BACK_WEIGHT * _mean(evidence.back.logprobs)
    if evidence.uncovered is not None:
        value -= UNCOVERED_WEIGHT * len(evidence.uncovered)
    return value


def _head_term(evidence: PairEvidence, head: QualityHead | None) -> float | None:
    """The head's term, when there is a head and the evidence carries its pooled state."""
    pooled = evidence.given_source.pooled if evidence.given_source is not None else None
    return head.term(pooled) if head is not None and pooled is not None else None


def overall_raw(evidence: PairEvidence, head: QualityHead | None = None) -> float | None:
    """The value the overall score is a sigmoid of, when there is a source."""
    raw = fidelity_raw(evidence)
    if raw is None:
        return None
    return raw + PRIOR_IN_OVERALL * _mean(evidence.prior.logprobs) + (_head_term(evidence, head) or 0.0)


def fluency_score(logprobs: Any) -> float:
    """0-100 from the target's per-token log p without the source, against what correct English of the same
    number of tokens gets (version 6); no tokens: 0."""
    n = len(logprobs)
    if not n:
        return 0.0
    z = (_mean(logprobs) - (FLU_MEAN_LONG + FLU_MEAN_SHORT / n)) / math.sqrt(FLU_VAR_LONG + FLU_VAR_SHORT / n)
    return sigmoid_100(FLU_MEDIAN + FLU_SLOPE * z, 0.0, 1.0)


def segment_scores(evidence: PairEvidence, head: QualityHead | None = None) -> Scores:
    """`head`: the model's trained quality head (LanguageModel.quality_head); None for the formula alone."""
    prior = _mean(evidence.prior.logprobs)
    fluency = fluency_score(evidence.prior.logprobs)
    raw = fidelity_raw(evidence)
    if raw is None:
        return Scores(fluency=round(fluency, 2), overall=round(fluency, 2), fidelity=None)
    fidelity = sigmoid_100(raw, FID_CENTER, FID_SCALE)
    term = _head_term(evidence, head)
    if term is None:
        combined = sigmoid_100(raw + PRIOR_IN_OVERALL * prior, ALL_CENTER, ALL_SCALE)
    else:
        combined = sigmoid_100(raw + PRIOR_IN_OVERALL * prior + term, HEAD_CENTER, HEAD_SCALE)
    return Scores(fluency=round(fluency, 2), overall=round(combined, 2), fidelity=round(fidelity, 2))
