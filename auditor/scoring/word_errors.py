"""A trained word-level error model: which target words a human would mark, from the audit's own evidence.

For each target word of a segment with a source, `word_features` reads what the audit has already computed:
the model's log-probabilities of the word's tokens with and without the source (and of its neighbours), the
segment's scores, the word alignment (is the word linked, and does the translation table support it against
its linked source words or any word of the source, by direction, and against the linked source words' best
translation), whether the source contains the word itself or a look-alike, the word's shape, and the same for
its neighbours (two either side). Gradient-boosted trees over those features (trained with scikit-learn,
evaluated here in numpy) give p(word is an error); runs of words with p over the file's threshold become
AUD101 flags (major over its major threshold).

The trees are fitted by benchmarks/train_word_errors.py on the dev halves of Bio-MQM (expert MQM spans) and
LIG (post-edit word tags), cross-validated by document; the thresholds are the cross-validated choice recorded
in the file. A file is tied to one set of model weights (its model_sha256) and one language pair; anything
else falls back to the plain log-probability thresholds of model_flags.py. Its digest is in the signature.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.align.lexicon import Lexicon, load_lexicon, normalise, tokenize
from auditor.errors import ModelError
from auditor.report import AlignedSegment, TokenScore
from auditor.scoring.mapping import sigmoid_100

if TYPE_CHECKING:
    from auditor.lm.manifest import Manifest
    from auditor.lm.model import LanguageModel

SCHEMA = "auditor.word-errors/3"  # /3 adds the optional state projection; a /2 file reads as one without
SCHEMA_WITHOUT_STATES = "auditor.word-errors/2"
# The plain log-probability rule's bounds (model_flags.py), also the gate of a word-error file that names none.
GIVEN_MAX = -6.0  # a word with log p given the source under this is suspicious
SEGMENT_BELOW = 90.0  # with a source, only words of segments whose overall score is under this are flagged
_WORD = re.compile(r"\S+")
_FLOOR = -30.0  # log-probabilities are clipped here: beyond it a word is simply unlikely
GIVEN_HINGES = (2.0, 4.0, 6.0, 9.0, 13.0)
FUNCTION_WORDS = 100

FEATURES = (
    "given", "prior", "gain", "token_min", "token_first", "tokens",
    *(f"given_below_{k:g}" for k in GIVEN_HINGES),
    "given_previous", "given_next", "gain_previous", "gain_next",
    "overall", "fidelity", "fluency", "segment_given_mean", "given_vs_segment",
    "linked", "links", "table_linked", "table_any", "in_source", "uncovered_share",
    "digit", "capitalised", "all_caps", "punctuation", "function_word", "length",
    "position", "first", "last", "words", "merged_link",
    "distortion", "jump", "shared_source", "repeated", "given_x_overall", "table_neighbours",
    "table_forward", "table_backward", "table_gap", "best_elsewhere", "known", "cognate",
    "given_previous2", "given_next2", "table_previous", "table_next", "linked_previous", "linked_next",
    "given_rank", "segment_given_min", "length_ratio", "source_unlinked", "gain_window", "low_run",
    "unlinked_run", "given_per_token",
)  # fmt: skip


@dataclass
class WordEvidence:
    start: int  # document characters
    end: int
    prior: float = 0.0
    given: float = 0.0
    token_min: float = 0.0
    token_first: float | None = None
    tokens: int = 0


def word_spans(row: AlignedSegment, text: str) -> list[tuple[int, int]]:
    """The row's whitespace words, as document character spans."""
    if row.target_span is None:
        return []
    return [(m.start(), m.end()) for m in _WORD.finditer(text, *row.target_span)]


def tokens_by_word(
    row: AlignedSegment, text: str, spans: list[tuple[int, int]]
) -> Iterator[tuple[int, TokenScore]]:
    """(index of its word in `spans`, token) for each of the row's tokens that holds a letter or digit:
    quotes and commas around a word are not evidence against the word itself."""
    k = 0
    for token in row.tokens:
        while k < len(spans) and spans[k][1] <= token.start:
            k += 1
        if k == len(spans):
            return
        if any(c.isalnum() for c in text[token.start : token.end]):
            yield k, token


def segment_words(row: AlignedSegment, text: str) -> list[WordEvidence]:
    """The row's whitespace words with their tokens' log-probabilities (punctuation-only tokens left out);
    the row must have a source (every token has `logprob_source`)."""
    spans = word_spans(row, text)
    words = [WordEvidence(start, end) for start, end in spans]
    for k, token in tokens_by_word(row, text, spans):
        word, given = words[k], token.logprob_source if token.logprob_source is not None else token.logprob
        word.prior += token.logprob
        word.given += given
        word.token_min = min(word.token_min, given)
        word.token_first = given if word.token_first is None else word.token_first
        word.tokens += 1
    return words


FLUENCY_V5_CENTER, FLUENCY_V5_SCALE = -5.1, 0.7  # mapping 5's fluency curve, a feature of the trees


def _fluency_v5(row: AlignedSegment) -> float:
    """Mapping 5's fluency of the row, 0-1: sigmoid((mean prior log p + 5.1) / 0.7) over its tokens."""
    if not row.tokens:
        return 0.0
    prior = sum(t.logprob for t in row.tokens) / len(row.tokens)
    return sigmoid_100(prior, FLUENCY_V5_CENTER, FLUENCY_V5_SCALE) / 100


def _clip(value: float) -> float:
    return max(_FLOOR, value)


def _table(lexicon: Lexicon | None, target: str, sources: set[str]) -> float:
    """log10 of the best translation-table probability (either direction) of `target` against `sources`."""
    if lexicon is None or not sources:
        return -4.0
    best = max((max(lexicon.prob(s, target)) for s in sources), default=0.0)
    return math.log10(1e-4 + best)


def _bare(word: str) -> str:
    stripped = word.strip(".,;:!?()[]{}\"'«»“”‘’")
    return normalise(stripped or word)


@dataclass(frozen=True)
class StateProjection:
    """What the trees read of the model's hidden states: each target token's state at `layer` of the
    source-conditioned pass, centred on `mean` and projected on `components` (principal components of the
    dev words' states, fitted without their labels); a word gets its tokens' mean, one feature a component."""

    layer: int
    mean: np.ndarray  # (hidden,)
    components: np.ndarray  # (k, hidden)

    def project(self, states: np.ndarray) -> np.ndarray:
        states = np.asarray(states, dtype=np.float64)
        if states.ndim != 2 or states.shape[1] != len(self.mean):
            raise ModelError(
                f"the word-error model's state projection is {len(self.mean)} wide; the model's states are "
                f"{states.shape[-1]}"
            )
        return (states - self.mean) @ self.components.T

    def token_states(self, states: np.ndarray) -> list[tuple[float, ...]]:
        """Each token's projected state as its TokenScore carries it (4 decimals)."""
        return [tuple(float(v) for v in row) for row in self.project(states).round(4)]

    @property
    def size(self) -> int:
        return int(self.components.shape[0])

    def to_json(self) -> dict[str, Any]:
        # full precision: the trees were fitted on exactly these projections
        return {
            "layer": self.layer,
            "mean": [float(v) for v in self.mean],
            "components": [[float(v) for v in c] for c in self.components],
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> StateProjection:
        mean = np.asarray(data["mean"], dtype=np.float64)
        components = np.asarray(data["components"], dtype=np.float64)
        if mean.ndim != 1 or components.ndim != 2 or components.shape[1] != len(mean):
            raise ValueError("its state projection's shapes do not match")
        if not (np.isfinite(mean).all() and np.isfinite(components).all()):
            raise ValueError("its state projection holds a value that is not finite")
        layer = data["layer"]
        if type(layer) is not int or layer < 0:
            raise ValueError("its state projection's layer is not a whole number from 0")
        return StateProjection(layer, mean, components)


def word_means(row: AlignedSegment, text: str, words: list[WordEvidence], values: np.ndarray) -> np.ndarray:
    """Each word's mean of `values` (a row per token of `row.tokens`) over its lettered tokens; NaN for a
    word without one."""
    index = {id(t): k for k, t in enumerate(row.tokens)}
    sums, counts = np.zeros((len(words), values.shape[1])), np.zeros(len(words))
    for k, token in tokens_by_word(row, text, [(w.start, w.end) for w in words]):
        sums[k] += values[index[id(token)]]
        counts[k] += 1
    with np.errstate(invalid="ignore"):
        return sums / counts[:, None]


def word_states(row: AlignedSegment, text: str, words: list[WordEvidence], size: int) -> np.ndarray:
    """Each word's mean projected state over its lettered tokens (zeros, the dev mean, where none has one or
    the row was scored without states)."""
    if not row.tokens or any(t.state is None or len(t.state) != size for t in row.tokens):
        return np.zeros((len(words), size))
    return np.nan_to_num(word_means(row, text, words, np.array([t.state for t in row.tokens])), nan=0.0)


def word_features(
    row: AlignedSegment,
    text: str,
    source_text: str,
    lexicon: Lexicon | None,
    states: StateProjection | None = None,
) -> tuple[list[WordEvidence], np.ndarray]:
    """The row's words and one feature vector per word (FEATURES order, then the `states` projection's
    components). `text`: the target document, `source_text`: the source document (word links hold
    document offsets)."""
    words = segment_words(row, text)
    if not words:
        return words, np.zeros((0, len(FEATURES) + (states.size if states is not None else 0)))
    source_tokens = set(tokenize(row.source_text, lexicon.source_lang if lexicon else None))
    source_words = {w for w in source_tokens if w[:1].isalnum()}
    function_words: set[str] = set()
    if lexicon is not None and lexicon.forward_hmm is not None:
        null = lexicon.forward_hmm.null
        function_words = set(sorted(null, key=lambda w: -null[w])[:FUNCTION_WORDS])
    uncovered = _uncovered(row, lexicon)
    scores = row.scores
    overall = scores.overall / 100 if scores else 0.5
    fidelity = scores.fidelity / 100 if scores and scores.fidelity is not None else overall
    # the trees were fitted on mapping 5's fluency (a fixed sigmoid of the mean prior log p), which mapping 6
    # re-calibrated for length; the feature keeps the curve they were fitted on
    fluency = _fluency_v5(row) if scores else 0.5
    givens = [_clip(w.given) for w in words]
    gains = [max(-20.0, min(20.0, w.given - w.prior)) for w in words]
    scored = [g for g, w in zip(givens, words, strict=True) if w.tokens]
    segment_mean = sum(scored) / len(scored) if scored else 0.0
    n = len(words)
    assert row.source_span is not None
    source_starts = [row.source_span[0] + m.start() for m in _WORD.finditer(row.source_text)]
    m_source = max(1, len(source_starts) - 1)
    links = [[s for s, t in row.word_links if t[0] < w.end and w.start < t[1]] for w in words]
    positions = [[bisect_right(source_starts, s[0]) - 1 for s in spans] for spans in links]
    shared: dict[int, int] = {}
    for found in positions:
        for k in set(found):
            shared[k] = shared.get(k, 0) + 1
    bares = [_bare(text[w.start : w.end]) for w in words]
    supports = [
        _table(lexicon, bare, {normalise(source_text[a:b]) for a, b in found})
        for bare, found in zip(bares, links, strict=True)
    ]
    rows = []
    last_position = None
    for i, w in enumerate(words):
        raw = text[w.start : w.end]
        bare = bares[i]
        linked = {normalise(source_text[a:b]) for a, b in links[i]}
        where = positions[i]
        distortion = abs(sum(where) / len(where) / m_source - i / max(1, n - 1)) if where else 0.0
        jump = 0.0
        if where and last_position is not None:
            jump = math.log1p(abs(min(where) - last_position - 1))
        if where:
            last_position = max(where)
        letters = [c for c in raw if c.isalpha()]
        given = givens[i]
        rows.append(
            [
                given, _clip(w.prior), gains[i], max(-20.0, w.token_min),
                max(-20.0, w.token_first) if w.token_first is not None else 0.0, float(w.tokens),
                *(max(0.0, -given - k) for k in GIVEN_HINGES),
                givens[i - 1] if i > 0 else 0.0, givens[i + 1] if i + 1 < n else 0.0,
                gains[i - 1] if i > 0 else 0.0, gains[i + 1] if i + 1 < n else 0.0,
                overall, fidelity, fluency, segment_mean, given - segment_mean,
                float(bool(linked)), float(len(linked)), supports[i],
                _table(lexicon, bare, source_words), float(bare in source_tokens), uncovered,
                float(any(c.isdigit() for c in raw)), float(bool(letters) and letters[0].isupper()),
                float(len(letters) > 1 and all(c.isupper() for c in letters)), float(not w.tokens),
                float(bare in function_words), math.log(1 + len(raw)),
                i / max(1, n - 1), float(i == 0), float(i == n - 1), math.log(n),
                float(row.link not in ("1-1", "target-only")),
                distortion, jump, float(max((shared[k] for k in where), default=0)),
                float(w.tokens > 0 and bares.count(bare) > 1), given * overall,
                min(supports[i - 1] if i > 0 else 0.0, supports[i + 1] if i + 1 < n else 0.0),
            ]
        )  # fmt: skip
    extra = _context_features(row, text, source_text, lexicon, words, givens, gains, bares, links, supports)
    parts = [np.asarray(rows, dtype=np.float64), extra]
    if states is not None:
        parts.append(word_states(row, text, words, states.size))
    return words, np.hstack(parts)


def _log_table(p: float) -> float:
    return math.log10(1e-4 + p)


def _plain(word: str) -> str:
    """Without accents: a French word and its English cognate often differ only there."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def _runs(flags: list[bool]) -> list[float]:
    """For each position, the length of the run of True it is in (0 where False)."""
    out = [0.0] * len(flags)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(flags) and flags[j + 1]:
            j += 1
        for k in range(i, j + 1):
            out[k] = float(j - i + 1)
        i = j + 1
    return out


def _context_features(
    row: AlignedSegment, text: str, source_text: str, lexicon: Lexicon | None, words: list[WordEvidence],
    givens: list[float], gains: list[float], bares: list[str], links: list[list[tuple[int, int]]],
    supports: list[float],
) -> np.ndarray:  # fmt: skip
    """The features after `table_neighbours`: the translation table by direction and against the linked
    source words' best translation, the word's neighbourhood (±2), its rank in the segment, and how much of
    the source the word links leave out."""
    n = len(words)
    targets = set(bares)
    source_words = [normalise(m.group()) for m in _WORD.finditer(row.source_text)]
    source_link_starts = {s[0] for s, _ in row.word_links}
    source_unlinked = 1.0 - len(source_link_starts) / max(1, len(source_words))
    scored = sorted(g for g, w in zip(givens, words, strict=True) if w.tokens)
    segment_min = scored[0] if scored else 0.0
    length_ratio = math.log((n + 1) / (len(source_words) + 1))
    stems = {_plain(w)[:5] for w in source_words if len(w) >= 5}
    low = _runs([g < -6.0 and w.tokens > 0 for g, w in zip(givens, words, strict=True)])
    unlinked = _runs([not spans for spans in links])
    rows = []
    for i, w in enumerate(words):
        bare = bares[i]
        sources = {normalise(source_text[a:b]) for a, b in links[i]}
        forward = backward = best = 0.0
        best_elsewhere = 0.0
        if lexicon is not None:
            for s in sources:
                f, b = lexicon.prob(s, bare)
                forward, backward = max(forward, f), max(backward, b)
                options = lexicon.forward.get(s, {})
                if options:
                    top, p_top = max(options.items(), key=lambda kv: kv[1])
                    best = max(best, p_top)
                    if top != bare and top in targets:
                        best_elsewhere = 1.0
        known = float(lexicon is not None and bare in lexicon.backward)
        cognate = float(len(bare) >= 5 and _plain(bare)[:5] in stems)
        rank = sum(g < givens[i] for g in scored) / max(1, len(scored) - 1) if w.tokens else 1.0
        window = [gains[k] for k in range(max(0, i - 1), min(n, i + 2))]
        rows.append(
            [
                _log_table(forward), _log_table(backward),
                _log_table(best) - _log_table(forward) if sources else 0.0, best_elsewhere, known, cognate,
                givens[i - 2] if i > 1 else 0.0, givens[i + 2] if i + 2 < n else 0.0,
                supports[i - 1] if i > 0 else 0.0, supports[i + 1] if i + 1 < n else 0.0,
                float(bool(links[i - 1])) if i > 0 else 1.0, float(bool(links[i + 1])) if i + 1 < n else 1.0,
                rank, segment_min, length_ratio, source_unlinked, min(window), low[i], unlinked[i],
                givens[i] / max(1, w.tokens),
            ]
        )  # fmt: skip
    return np.asarray(rows, dtype=np.float64).reshape(n, -1)


def _uncovered(row: AlignedSegment, lexicon: Lexicon | None) -> float:
    if lexicon is None or not row.source_text:
        return 0.0
    from auditor.scoring.coverage import CoverageCheck

    missing = CoverageCheck(lexicon).uncovered(row.source_text, row.target_text)
    return len(missing) / max(1, len(row.source_text.split()))


@dataclass(frozen=True)
class Trees:
    """A gradient-boosted tree ensemble over FEATURES (exported from scikit-learn's
    HistGradientBoostingClassifier): z = baseline + the leaf value each tree gives, p = sigmoid(z). A node
    sends a row left when its feature is <= the node's threshold; a leaf has left = -1."""

    baseline: float
    roots: np.ndarray  # each tree's first node
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray

    def raw(self, x: np.ndarray) -> np.ndarray:
        z = np.full(len(x), self.baseline)
        rows = np.arange(len(x))
        for root in self.roots:
            node = np.full(len(x), root)
            inner = self.left[node] >= 0
            while inner.any():
                go_left = x[rows, self.feature[node]] <= self.threshold[node]
                node = np.where(inner, np.where(go_left, self.left[node], self.right[node]), node)
                inner = self.left[node] >= 0
            z += self.value[node]
        return z

    @staticmethod
    def from_sklearn(model: Any) -> Trees:
        """A fitted binary HistGradientBoostingClassifier's trees (its predictors' node arrays)."""
        parts: dict[str, list[Any]] = {k: [] for k in ("feature", "threshold", "left", "right", "value")}
        roots, offset = [], 0
        for (predictor,) in model._predictors:
            nodes = predictor.nodes
            leaf = nodes["is_leaf"].astype(bool)
            roots.append(offset)
            parts["feature"].append(np.where(leaf, 0, nodes["feature_idx"]))
            parts["threshold"].append(np.where(leaf, 0.0, nodes["num_threshold"]))
            parts["left"].append(np.where(leaf, -1, nodes["left"].astype(np.int64) + offset))
            parts["right"].append(np.where(leaf, -1, nodes["right"].astype(np.int64) + offset))
            parts["value"].append(np.where(leaf, nodes["value"], 0.0))
            offset += len(nodes)
        baseline = float(np.ravel(model._baseline_prediction)[0])
        return Trees(
            baseline, np.asarray(roots, dtype=np.int64),
            *(np.concatenate(parts[k]) for k in ("feature", "threshold", "left", "right", "value")),
        )  # fmt: skip

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": float(self.baseline),
            "roots": [int(v) for v in self.roots],
            "feature": [int(v) for v in self.feature],
            "threshold": [float(v) for v in self.threshold],
            "left": [int(v) for v in self.left],
            "right": [int(v) for v in self.right],
            "value": [float(v) for v in self.value],
        }

    @staticmethod
    def from_json(data: dict[str, Any], n_features: int) -> Trees:
        ints = {k: np.asarray(data[k], dtype=np.int64) for k in ("roots", "feature", "left", "right")}
        floats = {k: np.asarray(data[k], dtype=np.float64) for k in ("threshold", "value")}
        n = len(ints["feature"])
        if any(len(a) != n for a in (*floats.values(), ints["left"], ints["right"])):
            raise ValueError("the trees' node arrays differ in length")
        nodes = np.concatenate([ints["roots"], ints["left"], ints["right"]])
        if ((nodes < -1) | (nodes >= n)).any() or (
            (ints["feature"] < 0) | (ints["feature"] >= n_features)
        ).any():
            raise ValueError("a tree points outside its nodes or features")
        if not np.isfinite(floats["threshold"]).all() or not np.isfinite(floats["value"]).all():
            raise ValueError("a tree holds a value that is not finite")
        return Trees(
            float(data["baseline"]), ints["roots"], ints["feature"], floats["threshold"], ints["left"],
            ints["right"], floats["value"],
        )  # fmt: skip


@dataclass(frozen=True)
class WordErrorModel:
    pair: tuple[str, str]
    trees: Trees
    threshold: float  # p over this: flagged
    major_threshold: float  # a run whose best p is over this: major
    digest: str  # sha256 of the file, first 12 hex digits: part of every signature
    # Beside the trees, a word with log p given the source under `given_max` is flagged too (-inf: the trees
    # alone); either only in segments whose overall score is under `segment_below`. Chosen with the threshold.
    given_max: float = GIVEN_MAX
    segment_below: float = SEGMENT_BELOW
    states: StateProjection | None = None  # the hidden states the trees read after FEATURES, if any

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.trees.raw(features)))


def word_errors_json(
    pair: tuple[str, str], trees: Trees, threshold: float, major_threshold: float, model_sha256: str,
    given_max: float = GIVEN_MAX, segment_below: float = SEGMENT_BELOW,
    states: StateProjection | None = None, **about: Any,
) -> str:  # fmt: skip
    """`given_max` -inf is written as null (JSON has no infinity): the trees alone."""
    body = {
        "schema": SCHEMA,
        "model_sha256": model_sha256,
        "pair": list(pair),
        **about,
        "features": list(FEATURES),
        "threshold": threshold,
        "major_threshold": major_threshold,
        "given_max": None if math.isinf(given_max) else given_max,
        "segment_below": segment_below,
        "states": states.to_json() if states is not None else None,
        "trees": trees.to_json(),
    }
    return json.dumps(body, separators=(",", ":")) + "\n"


def read_word_errors(path: Path) -> tuple[WordErrorModel, str]:
    """The model and the model sha256 it was trained for."""
    try:
        raw = path.read_bytes()
        data = json.loads(raw)
        if data.get("schema") not in (SCHEMA, SCHEMA_WITHOUT_STATES):
            raise ValueError(f"schema is {data.get('schema')!r}, not {SCHEMA}")
        if list(data["features"]) != list(FEATURES):
            raise ValueError("its features are not this version's")
        source, target = data["pair"]
        given_max = data.get("given_max", GIVEN_MAX)
        states = StateProjection.from_json(data["states"]) if data.get("states") is not None else None
        model = WordErrorModel(
            (str(source), str(target)),
            Trees.from_json(data["trees"], len(FEATURES) + (states.size if states is not None else 0)),
            float(data["threshold"]), float(data["major_threshold"]), hashlib.sha256(raw).hexdigest()[:12],
            -math.inf if given_max is None else float(given_max),
            float(data.get("segment_below", SEGMENT_BELOW)), states,
        )  # fmt: skip
        if not all(map(math.isfinite, (model.threshold, model.segment_below, max(model.given_max, 0.0)))):
            raise ValueError("its threshold or gate is not a number (given_max may be null, nothing else)")
    except (OSError, ValueError, KeyError, TypeError, OverflowError) as error:
        raise ModelError(f"cannot read word-error model {path}: {error}") from None
    return model, str(data.get("model_sha256", ""))


_LOADED: dict[tuple[Path, str], WordErrorModel | None] = {}


def load_word_errors(manifest: Manifest, model_identity: str) -> WordErrorModel | None:
    """The manifest's word-error model, when it was trained on exactly these weights (read once)."""
    if manifest.word_errors is None or manifest.path is None:
        return None
    path = manifest.path.parent / manifest.word_errors
    key = (path, model_identity)
    if key not in _LOADED:
        model, trained_for = read_word_errors(path)
        _LOADED[key] = model if trained_for == model_identity else None
    return _LOADED[key]


def word_error_model(lm: LanguageModel) -> WordErrorModel | None:
    return load_word_errors(lm.manifest, lm.identity)


def lexicon_for(model: WordErrorModel) -> Lexicon | None:
    return load_lexicon(*model.pair)
