"""The quality head: file round trip, tie to the model's weights, and its term in the overall score."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from auditor.errors import ModelError
from auditor.lm.manifest import find_manifest
from auditor.lm.model import ScoredText
from auditor.pipeline import signature
from auditor.scoring import mapping
from auditor.scoring.evidence import PairEvidence
from auditor.scoring.head import head_json, load_head, read_head, write_head


def _evidence(pooled: np.ndarray | None) -> PairEvidence:
    prior = ScoredText([(0, 3), (3, 7)], np.array([-4.0, -3.0]), -1.0)
    given = ScoredText([(0, 3), (3, 7)], np.array([-2.0, -1.0]), -0.5, pooled)
    back = ScoredText([(0, 2)], np.array([-1.5]), -0.5)
    return PairEvidence(prior, given, back)


def test_head_file_round_trips_and_is_tied_to_its_model(tmp_path):
    path = tmp_path / "m.head.json"
    write_head(path, head_json(3, np.zeros(2), np.ones(2), np.array([0.5, -1.0]), "abc", l2=0.3))
    head, trained_for = read_head(path)
    assert trained_for == "abc" and head.layer == 3 and len(head.digest) == 12
    assert head.term(np.array([2.0, 1.0])) == pytest.approx(0.0)
    assert head.term(np.array([2.0, 0.0])) == pytest.approx(1.0)
    manifest = dataclasses.replace(
        find_manifest("gemma-3-270m"), path=tmp_path / "m.toml", quality_head=path.name
    )
    assert load_head(manifest, "abc") is not None
    assert load_head(manifest, "other weights") is None
    assert not list(tmp_path.glob("*.tmp"))


def test_broken_head_file_is_a_one_line_model_error(tmp_path):
    path = tmp_path / "bad.head.json"
    path.write_text(
        json.dumps(
            {"schema": "auditor.quality-head/1", "layer": 1, "mean": [0], "scale": [1, 1], "weights": [1]}
        )
    )
    with pytest.raises(ModelError, match="differ in length"):
        read_head(path)


def test_head_moves_only_the_overall_score(tmp_path):
    path = tmp_path / "h.head.json"
    write_head(path, head_json(1, np.zeros(2), np.ones(2), np.array([1.0, 0.0]), "x"))
    head, _ = read_head(path)
    up, down = _evidence(np.array([1.0, 0.0])), _evidence(np.array([-1.0, 0.0]))
    better, worse = mapping.segment_scores(up, head), mapping.segment_scores(down, head)
    assert better.overall > worse.overall
    assert (better.fidelity, better.fluency) == (worse.fidelity, worse.fluency)
    assert mapping.overall_raw(up, head) - mapping.overall_raw(up) == pytest.approx(1.0)
    assert mapping.segment_scores(_evidence(None), head) == mapping.segment_scores(_evidence(None))


def test_embedded_model_carries_its_head(lm):
    head = lm.quality_head
    assert head is not None and 0 < head.layer <= lm.model.config.num_hidden_layers
    assert f"head:{head.digest}" in signature(lm)
