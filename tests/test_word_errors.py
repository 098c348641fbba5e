"""The word-error model: its file, its features, its flags, and its place in the audit and the signature."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from auditor.align.lexicon import load_lexicon
from auditor.document import Document
from auditor.errors import ModelError
from auditor.lm.manifest import find_manifest
from auditor.report import AlignedSegment, Scores, Severity, TokenScore
from auditor.scoring.model_flags import error_flags, model_flags
from auditor.scoring.word_errors import (
    FEATURES,
    StateProjection,
    Trees,
    WordErrorModel,
    load_word_errors,
    read_word_errors,
    word_errors_json,
    word_features,
)

N = len(FEATURES)
NONE = np.zeros(0, dtype=np.int64)


def _constant(z: float) -> Trees:
    """An ensemble of no trees: every word gets sigmoid(z)."""
    return Trees(z, NONE, NONE, np.zeros(0), NONE, NONE, np.zeros(0))


def _stump() -> Trees:
    """One tree: feature 0 ("given") <= -5 -> +2, else -1; baseline -1."""
    return Trees(
        -1.0, np.array([0]), np.array([0, 0, 0]), np.array([-5.0, 0.0, 0.0]), np.array([1, -1, -1]),
        np.array([2, -1, -1]), np.array([0.0, 2.0, -1.0]),
    )  # fmt: skip


def _file(tmp_path, **changes):
    text = word_errors_json(("fr", "en"), _stump(), 0.4, 0.8, "abc")
    data = {**json.loads(text), **changes}
    path = tmp_path / "m.errors.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_file_round_trips_and_is_tied_to_its_model(tmp_path):
    path = _file(tmp_path)
    model, trained_for = read_word_errors(path)
    assert trained_for == "abc" and model.pair == ("fr", "en") and len(model.digest) == 12
    assert (model.threshold, model.major_threshold) == (0.4, 0.8)
    x = np.zeros((2, N))
    x[0, 0] = -7.0  # given -7: the stump's left leaf, z = -1 + 2
    assert model.probabilities(x) == pytest.approx([1 / (1 + np.exp(-1.0)), 1 / (1 + np.exp(2.0))])
    manifest = dataclasses.replace(
        find_manifest("gemma-3-270m"), path=tmp_path / "m.toml", word_errors=path.name
    )
    assert load_word_errors(manifest, "abc") is not None
    assert load_word_errors(manifest, "other weights") is None


def test_file_carries_the_gate_chosen_with_its_threshold(tmp_path):
    import math

    from auditor.scoring.word_errors import GIVEN_MAX, SEGMENT_BELOW

    # a file that names no gate keeps the plain rule's (-6 given the source, segments under 90)
    older = {
        k: v
        for k, v in json.loads(_file(tmp_path).read_text()).items()
        if k not in ("given_max", "segment_below")
    }
    (tmp_path / "old.json").write_text(json.dumps(older), encoding="utf-8")
    model, _ = read_word_errors(tmp_path / "old.json")
    assert (model.given_max, model.segment_below) == (GIVEN_MAX, SEGMENT_BELOW)
    # the trees alone: JSON has no infinity, so null stands for it
    text = word_errors_json(("fr", "en"), _stump(), 0.4, 0.8, "abc", -math.inf, 85.0)
    assert '"given_max":null' in text
    (tmp_path / "new.json").write_text(text, encoding="utf-8")
    model, _ = read_word_errors(tmp_path / "new.json")
    assert model.given_max == -math.inf and model.segment_below == 85.0
    for bad in ({"given_max": float("nan")}, {"segment_below": None}, {"threshold": float("inf")}):
        with pytest.raises(ModelError):
            read_word_errors(_file(tmp_path, **bad))
    source, target, row = _row()
    words, _ = word_features(row, target.text, source.text, None)
    # "sleeps." is under -6 given the source: flagged by the plain gate, not by the trees alone at p 0.1
    probabilities = np.full(len(words), 0.1)
    plain = WordErrorModel(("fr", "en"), _constant(0.0), 0.5, 0.9, "d")
    assert [f.text for f in error_flags(row, target, words, probabilities, plain)] == ["sleeps"]
    alone = dataclasses.replace(plain, given_max=-math.inf)
    assert error_flags(row, target, words, probabilities, alone) == []
    # the segment gate: the row, scored 60, is under 90 but not under 50
    probabilities[2] = 0.95
    assert [f.text for f in error_flags(row, target, words, probabilities, alone)] == ["cat"]
    closed = dataclasses.replace(alone, segment_below=50.0)
    assert error_flags(row, target, words, probabilities, closed) == []


@pytest.mark.parametrize(
    "changes",
    [
        {"schema": "auditor.word-errors/1"},
        {"features": ["given"]},
        {"threshold": None},
        {"trees": {**_stump().to_json(), "left": [1, -1]}},
        {"trees": {**_stump().to_json(), "right": [7, -1, -1]}},
        {"trees": {**_stump().to_json(), "feature": [N, 0, 0]}},
    ],
)
def test_broken_file_is_a_one_line_model_error(tmp_path, changes):
    with pytest.raises(ModelError, match="cannot read word-error model"):
        read_word_errors(_file(tmp_path, **changes))


def _row() -> tuple[Document, Document, AlignedSegment]:
    source = Document("Le chat noir dort.", "fr")
    target = Document("The black cat sleeps.", "en")
    tokens = [  # (start, end, prior, given): "The", " black", " cat", " sle", "eps", "."
        TokenScore(0, 3, -3.0, -1.0), TokenScore(3, 9, -6.0, -0.5), TokenScore(9, 13, -5.0, -0.2),
        TokenScore(13, 17, -7.0, -4.0), TokenScore(17, 20, -1.0, -3.0), TokenScore(20, 21, -0.5, -0.1),
    ]  # fmt: skip
    row = AlignedSegment(
        0, "1-1", [0], [0], source.text, target.text, (0, len(source.text)), (0, len(target.text)),
        Scores(fluency=70.0, overall=60.0, fidelity=50.0), tokens,
        [((8, 12), (4, 9)), ((3, 7), (10, 13))],  # noir-black, chat-cat
    )  # fmt: skip
    return source, target, row


def test_features_read_the_tokens_links_and_table():
    source, target, row = _row()
    words, x = word_features(row, target.text, source.text, load_lexicon("fr", "en"))
    assert [target.text[w.start : w.end] for w in words] == ["The", "black", "cat", "sleeps."]
    assert x.shape == (4, N)
    f = dict(zip(FEATURES, x[3], strict=True))
    assert f["given"] == pytest.approx(-7.0) and f["prior"] == pytest.approx(-8.0) and f["tokens"] == 2
    assert f["token_min"] == pytest.approx(-4.0) and f["given_below_6"] == pytest.approx(1.0)
    assert f["linked"] == 0.0 and f["last"] == 1.0 and f["overall"] == pytest.approx(0.6)
    black = dict(zip(FEATURES, x[1], strict=True))
    assert (
        black["linked"] == 1.0
        and black["table_linked"] > -2
        and black["given_previous"] == pytest.approx(-1.0)
    )


def test_runs_over_either_threshold_become_flags():
    source, target, row = _row()
    words, _ = word_features(row, target.text, source.text, None)
    model = WordErrorModel(("fr", "en"), _constant(0.0), 0.5, 0.9, "d")
    # "sleeps." has log p -7 given the source in a segment scored 60: the log-probability rule flags it
    flags = error_flags(row, target, words, np.array([0.1, 0.6, 0.95, 0.2]), model)
    assert [(f.text, f.severity, f.rule) for f in flags] == [("black cat sleeps", Severity.MAJOR, "AUD101")]
    flags = error_flags(row, target, words, np.array([0.6, 0.1, 0.1, 0.3]), model)
    assert [(f.text, f.severity) for f in flags] == [("The", Severity.MINOR), ("sleeps", Severity.MINOR)]
    assert flags[0].confidence == 0.6 and "p = 0.60" in flags[0].message
    # a good segment keeps its words, whatever the model's p
    good = dataclasses.replace(row, scores=Scores(fluency=95.0, overall=95.0, fidelity=95.0))
    assert error_flags(good, target, words, np.array([0.1, 0.1, 0.1, 0.3]), model) == []
    assert error_flags(good, target, words, np.array([0.1, 0.99, 0.1, 0.3]), model) == []
    # with the model: every source-side row goes through it
    low = WordErrorModel(("fr", "en"), _constant(-5.0), 0.5, 0.9, "d")
    assert [f.text for f in model_flags([row], target, errors=low, source=source)] == ["sleeps"]


def test_shipped_model_is_tied_to_the_embedded_weights_and_signed():
    from auditor.pipeline import default_signature

    manifest = find_manifest("gemma-3-270m")
    assert manifest is not None and manifest.word_errors is not None and manifest.path is not None
    model, trained_for = read_word_errors(manifest.path.parent / manifest.word_errors)
    assert trained_for == manifest.sha256
    assert 0 < model.threshold < model.major_threshold <= 1.01
    assert f"|errors:{model.digest}|" in default_signature()


def test_seed_audit_flags_through_the_word_error_model(lm, seed_report, seed_texts):
    from auditor.scoring.word_errors import word_error_model

    model = word_error_model(lm)
    assert model is not None and f"|errors:{model.digest}|" in seed_report.signature
    # the shipped file's gate is the trees alone in segments under 90 (its threshold flags nothing in the
    # seed, whose errors the rules find); at a low threshold the same rows give the model's own flags
    assert all("word-error model" in f.message for f in seed_report.flags if f.rule == "AUD101")
    source, target = (Document(text, lang) for text, lang in zip(seed_texts, ("fr", "en"), strict=True))
    eager = dataclasses.replace(model, threshold=0.05)
    made = model_flags(seed_report.segments, target, errors=eager, source=source)
    assert made and all(f.rule == "AUD101" and "word-error model" in f.message for f in made)
    assert all(seed_report.segments[f.segment].scores.overall < model.segment_below for f in made)


def test_trees_give_scikit_learns_probabilities():
    from sklearn.ensemble import HistGradientBoostingClassifier

    rng = np.random.default_rng(0)
    x = rng.normal(size=(600, N))
    x[:, 5] = rng.integers(0, 3, size=600)  # a few repeated values: rows fall exactly on thresholds
    y = (x[:, 0] + x[:, 5] * x[:, 1] + rng.normal(scale=0.5, size=600)) > 0.5
    model = HistGradientBoostingClassifier(max_iter=30, max_leaf_nodes=7, random_state=0).fit(x, y)
    trees = Trees.from_sklearn(model)
    assert len(trees.roots) == 30
    ours = WordErrorModel(("fr", "en"), trees, 0.5, 0.9, "d").probabilities(x)
    assert ours == pytest.approx(model.predict_proba(x)[:, 1], abs=1e-9)
    again = Trees.from_json(json.loads(json.dumps(trees.to_json())), N)
    assert WordErrorModel(("fr", "en"), again, 0.5, 0.9, "d").probabilities(x) == pytest.approx(ours)


def _projection() -> StateProjection:
    """Layer 3 of a 4-wide model, two components: the state's first coordinate, and the sum of the rest."""
    return StateProjection(3, np.array([1.0, 0.0, 0.0, 0.0]), np.array([[1.0, 0, 0, 0], [0, 1.0, 1.0, 1.0]]))


def test_state_projection_travels_in_the_file_and_feeds_the_trees(tmp_path):
    projection = _projection()
    assert projection.project(np.array([[3.0, 1.0, 1.0, 1.0]])).tolist() == [[2.0, 3.0]]
    # one tree on the first state component (feature N): a word whose state is over 0.5 gets z = 3 - 1
    trees = Trees(
        -1.0, np.array([0]), np.array([N, 0, 0]), np.array([0.5, 0.0, 0.0]), np.array([1, -1, -1]),
        np.array([2, -1, -1]), np.array([0.0, -2.0, 3.0]),
    )  # fmt: skip
    path = tmp_path / "states.json"
    path.write_text(word_errors_json(("fr", "en"), trees, 0.5, 0.9, "abc", states=projection), "utf-8")
    model, _ = read_word_errors(path)
    assert model.states is not None and model.states.layer == 3 and model.states.size == 2
    np.testing.assert_allclose(model.states.components, projection.components)
    # its trees may read features past FEATURES; a file without the projection may not
    bad = tmp_path / "bad.json"
    bad.write_text(word_errors_json(("fr", "en"), trees, 0.5, 0.9, "abc"), "utf-8")
    with pytest.raises(ModelError, match="outside its nodes or features"):
        read_word_errors(bad)
    broken = json.loads(path.read_text())
    broken["states"]["components"] = [[1.0, 0.0]]
    bad.write_text(json.dumps(broken), "utf-8")
    with pytest.raises(ModelError, match="shapes"):
        read_word_errors(bad)
    whole = {**broken["states"], "components": [[1.0, 0, 0, 0]]}
    for states in (
        {**whole, "layer": -1}, {**whole, "layer": 9.5}, {**whole, "layer": True}, {**whole, "layer": float("inf")},
        {**whole, "mean": [10**400, 0, 0, 0]}, [1, 2], {"layer": 3},
    ):  # fmt: skip
        bad.write_text(json.dumps({**broken, "states": states}), "utf-8")
        with pytest.raises(ModelError, match="cannot read word-error model"):
            read_word_errors(bad)
    with pytest.raises(ModelError, match="4 wide"):
        projection.project(np.zeros((2, 5)))  # states of another model's width
    # a word's state features are its lettered tokens' mean; "sleeps." reads " sle" and "eps", not "."
    source, target, row = _row()
    states = [(0.0, 0.0), (1.0, 2.0), (0.0, 0.0), (2.0, 4.0), (0.0, 2.0), (9.0, 9.0)]
    row.tokens = [dataclasses.replace(t, state=s) for t, s in zip(row.tokens, states, strict=True)]
    _, x = word_features(row, target.text, source.text, None, model.states)
    assert x.shape == (4, N + 2)
    assert x[:, N:].tolist() == [[0.0, 0.0], [1.0, 2.0], [0.0, 0.0], [1.0, 3.0]]
    low, high = 1 / (1 + np.exp(3.0)), 1 / (1 + np.exp(-2.0))  # z = -1 - 2 and -1 + 3
    assert model.probabilities(x) == pytest.approx([low, high, low, high])
    # a row scored without states (an older cache) reads the dev mean, zero
    row.tokens = [dataclasses.replace(t, state=None) for t in row.tokens]
    assert (
        word_features(row, target.text, source.text, None, model.states)[1][:, N:].tolist() == [[0.0] * 2] * 4
    )


def test_token_states_round_trip_through_the_caches_form():
    plain = TokenScore(0, 3, -1.5, -0.5)
    with_state = dataclasses.replace(plain, state=(0.25, -1.0))
    assert plain.as_row() == [0, 3, -1.5, -0.5] and TokenScore.from_row(plain.as_row()) == plain
    assert TokenScore.from_row(json.loads(json.dumps(with_state.as_row()))) == with_state


def test_pipeline_tokens_carry_the_shipped_projection(lm, seed_report):
    from auditor.scoring.word_errors import word_error_model

    model = word_error_model(lm)
    assert model is not None and model.states is not None
    sourced = [row for row in seed_report.segments if row.source_text and row.tokens]
    assert sourced and all(
        t.state is not None and len(t.state) == model.states.size for row in sourced for t in row.tokens
    )
    # the projection is of real hidden states: not all equal, and centred near the dev words' mean
    values = np.array([t.state for row in sourced for t in row.tokens])
    assert values.std(axis=0).min() > 0.01 and np.isfinite(values).all()
