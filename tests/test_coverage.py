"""Lexical coverage (auditor/scoring/coverage.py): source words the translation has nothing for, and their term
in the fidelity score."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from auditor.lm.model import ScoredText
from auditor.scoring import mapping
from auditor.scoring.coverage import uncovered_per_pair
from auditor.scoring.evidence import PairEvidence, gather_evidence

SOURCE = "Elle a garé sa voiture rouge devant la vieille église."
FULL = "She parked her red car in front of the old church."
DROPPED = "She parked her car in front of the old church."


def test_a_dropped_adjective_is_the_one_uncovered_word():
    found = uncovered_per_pair([FULL, DROPPED, FULL], [SOURCE, SOURCE, None], "fr", "en")
    assert found == [[], ["rouge"], None]


def test_either_direction_of_the_table_serves_and_a_pair_without_one_gets_none():
    english = "She parked her red car."
    found = uncovered_per_pair(
        ["Elle a garé sa voiture rouge.", "Elle a garé sa voiture."], [english] * 2, "en", "fr"
    )
    assert found == [[], ["red"]]
    assert uncovered_per_pair([FULL], [SOURCE], "de", "en") == [None]


def test_each_uncovered_word_lowers_the_raw_fidelity_by_the_documented_weight():
    prior = ScoredText([(0, 3)], np.array([-3.0]), -1.0)
    given = ScoredText([(0, 3)], np.array([-1.0]), -0.5)
    evidence = PairEvidence(prior, given, None, [])
    two_missing = dataclasses.replace(evidence, uncovered=["rouge", "vieille"])
    no_table = dataclasses.replace(evidence, uncovered=None)
    base = mapping.fidelity_raw(evidence)
    assert base is not None
    assert mapping.fidelity_raw(two_missing) == pytest.approx(base - 2 * mapping.UNCOVERED_WEIGHT)
    assert mapping.fidelity_raw(no_table) == pytest.approx(base)
    assert mapping.segment_scores(two_missing).fidelity < mapping.segment_scores(evidence).fidelity


def test_model_evidence_carries_the_uncovered_words(lm):
    with_source = gather_evidence(lm, [FULL, DROPPED], [SOURCE, SOURCE], src_lang="fr", tgt_lang="en")
    assert [e.uncovered for e in with_source] == [[], ["rouge"]]
    target_only = gather_evidence(lm, [DROPPED], None, src_lang=None, tgt_lang="en")
    assert target_only[0].uncovered is None
