"""The 0-100 scale with the real model: short correct sentences are not near 0 (mapping version 6)."""

from __future__ import annotations

import numpy as np

from auditor.scoring import mapping
from auditor.scoring.segments import score_pairs

SHORT = [
    ("Le chat dort.", "The cat sleeps."),
    ("Il pleut.", "It rains."),
    ("Je suis fatigué.", "I am tired."),
    ("Merci beaucoup.", "Thank you very much."),
    ("La réunion est reportée à lundi.", "The meeting has been postponed to Monday."),
]


def test_short_correct_sentences_are_fluent_and_scrambled_ones_are_not(lm):
    sources = [s for s, _ in SHORT] + ["Le chat dort.", "Il pleut."]
    targets = [t for _, t in SHORT] + ["Cat the sleeps.", "It rain is."]
    scores = score_pairs(targets, sources, model=lm)
    for (_, target), score in zip(SHORT, scores, strict=False):
        assert score.fluency >= 70, (target, score)
    assert scores[5].fluency < scores[0].fluency - 15, scores
    assert scores[6].fluency < scores[1].fluency, scores
    assert all(s.overall < 50 for s in scores[5:]), scores


def test_fluency_expects_less_of_short_texts_than_of_long_ones():
    # The same mean log-probability is a better score in 3 tokens than in 40; no tokens is 0.
    assert mapping.fluency_score(np.full(3, -6.0)) > 80 > mapping.fluency_score(np.full(40, -6.0))
    assert mapping.fluency_score(np.zeros(0)) == 0.0
    assert mapping.fluency_score(np.full(30, -1.0)) > 99
