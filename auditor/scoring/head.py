"""A trained quality head: a linear ranker over the model's hidden state of the translation.

The evidence terms of the score mapping (log-probabilities) cannot see everything a human judge weighs. The
head adds one learnt term to the overall score: w · z, where z is the mean hidden state of the translation's
tokens at one layer of the source-conditioned pass, standardised with the training set's mean and standard
deviation. It is fitted by benchmarks/train_head.py as an L2-regularised pairwise logistic ranker on WMT12 fr-en
human pairwise judgments, with the mapping's raw overall score as an unpenalised input, so that w is in units
of that score. A head is tied to one set of weights (its model_sha256); any other model scores without one.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from auditor.errors import ModelError

if TYPE_CHECKING:
    from auditor.lm.manifest import Manifest

SCHEMA = "auditor.quality-head/1"


@dataclass(frozen=True)
class QualityHead:
    layer: int  # hidden_states index: 0 = embeddings, k = after block k
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    digest: str  # sha256 of the file, first 12 hex digits: part of every score signature

    def term(self, pooled: np.ndarray) -> float:
        return float(((pooled - self.mean) / self.scale) @ self.weights)


def head_json(
    layer: int, mean: np.ndarray, scale: np.ndarray, weights: np.ndarray, model_sha256: str, **about: Any
) -> str:
    def floats(values: np.ndarray) -> list[float]:
        return [float(f"{v:.6g}") for v in values]

    body = {
        "schema": SCHEMA,
        "model_sha256": model_sha256,
        "layer": layer,
        **about,
        "mean": floats(mean),
        "scale": floats(scale),
        "weights": floats(weights),
    }
    return json.dumps(body, indent=1) + "\n"


def write_head(path: Path, text: str) -> None:
    """Atomically: a temporary file in the same folder, then a rename."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private; a head is a shared model file
    os.replace(temporary, path)


def read_linear_file(
    path: Path, schema: str, size: int | None = None
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray, str]:
    """A standardised linear model's JSON file (a quality head, a word-error model): its fields, mean, scale
    and weights (of `size` each, when given) and the file's digest. Raises OSError, ValueError or KeyError."""
    raw = path.read_bytes()
    data = json.loads(raw)
    if data.get("schema") != schema:
        raise ValueError(f"schema is {data.get('schema')!r}, not {schema}")
    mean, scale, weights = (np.asarray(data[k], dtype=np.float64) for k in ("mean", "scale", "weights"))
    if not mean.shape == scale.shape == weights.shape or (size is not None and mean.shape != (size,)):
        raise ValueError("mean, scale and weights differ in length")
    return data, mean, scale, weights, hashlib.sha256(raw).hexdigest()[:12]


def read_head(path: Path) -> tuple[QualityHead, str]:
    """The head and the model sha256 it was trained for."""
    try:
        data, mean, scale, weights, digest = read_linear_file(path, SCHEMA)
        head = QualityHead(int(data["layer"]), mean, scale, weights, digest)
    except (OSError, ValueError, KeyError) as error:
        raise ModelError(f"cannot read quality head {path}: {error}") from None
    return head, str(data.get("model_sha256", ""))


def load_head(manifest: Manifest, model_identity: str) -> QualityHead | None:
    if manifest.quality_head is None or manifest.path is None:
        return None
    head, trained_for = read_head(manifest.path.parent / manifest.quality_head)
    return head if trained_for == model_identity else None
