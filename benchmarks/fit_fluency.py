"""Fit the fluency score's length calibration (mapping version 6) on human English: newstest2012 references.

    python -m benchmarks.fit_fluency [--per-band 80] [--no-cache]

A seeded sample of up to `--per-band` reference sentences from each word-length band (1-3, 4-6, 7-10, 11-20,
21+ words) is scored by the model without a source (the prior pass only). Then, with m the mean per-token
log-probability (first token at half weight) and n the number of tokens:
- expected(n) = a + b / n, least absolute deviations (grid over b, a the median given b);
- spread(n)² = c + d / n, least squares over the length bands' robust variances (1.4826 x median absolute
  deviation of m - expected(n), squared);
- z = (m - expected(n)) / spread(n); the sigmoid's offset and slope put the median z at 90 and its 5th
  percentile at 60.
It prints the constants beside mapping.py's, and per length band the median reference's fluency under the
shipped mapping and under version 5's fixed centre (the anchor).
"""

from __future__ import annotations

import argparse
import math
import random

import numpy as np

from auditor.scoring import mapping
from benchmarks.data import bench_root
from benchmarks.spans import ROOT, CachedModel

BANDS = [(1, 3), (4, 6), (7, 10), (11, 20), (21, 10_000)]
TOKEN_BANDS = [(1, 3), (4, 6), (7, 10), (11, 15), (16, 25), (26, 40), (41, 10_000)]


def sample(per_band: int, seed: int = 0) -> list[str]:
    path = bench_root() / "wmt-fr-en" / "wmt12" / "newstest2012-ref.en"
    lines = [" ".join(line.split()) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rng = random.Random(seed)
    out: list[str] = []
    for lo, hi in BANDS:
        band = [line for line in lines if lo <= len(line.split()) <= hi]
        out += rng.sample(band, min(per_band, len(band)))
    return out


def fit(means: np.ndarray, lengths: np.ndarray) -> dict[str, float]:
    best = (math.inf, 0.0, 0.0)
    for b in np.linspace(-12.0, 2.0, 281):
        a = float(np.median(means - b / lengths))
        loss = float(np.abs(means - a - b / lengths).sum())
        if loss < best[0]:
            best = (loss, a, float(b))
    _, a, b = best
    residual = means - a - b / lengths
    xs, ys = [], []
    for lo, hi in TOKEN_BANDS:
        k = (lengths >= lo) & (lengths <= hi)
        if k.sum() >= 5:
            r = residual[k]
            xs.append(float(np.mean(1.0 / lengths[k])))
            ys.append((1.4826 * float(np.median(np.abs(r - np.median(r))))) ** 2)
    c, d = np.linalg.lstsq(np.c_[np.ones(len(xs)), xs], np.array(ys), rcond=None)[0]
    z = residual / np.sqrt(c + d / lengths)
    median, p5 = float(np.median(z)), float(np.percentile(z, 5))
    slope = (math.log(9.0) - math.log(1.5)) / (median - p5)
    return {"mean_long": a, "mean_short": b, "var_long": float(c), "var_short": float(d),
            "median": math.log(9.0) - slope * median, "slope": slope}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-band", type=int, default=80)
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--no-cache", action="store_true")
    args = parser.parse_args()
    from auditor.lm.model import load_model

    lm = load_model(args.model)
    if not args.no_cache:
        lm = CachedModel(lm, ROOT / "bench-results" / "fluency-evidence.sqlite", suggestions=False)
    texts = sample(args.per_band)
    scored = lm.score([lm.prompt.without_source("en")] * len(texts), texts, pool_layer=None)
    logprobs = [s.logprobs for s in scored]
    lengths = np.array([len(lp) for lp in logprobs], dtype=float)
    means = np.array([mapping._mean(lp) for lp in logprobs])
    print(f"newstest2012 references: {len(texts)} sentences, model {args.model}")
    fitted = fit(means, lengths)
    shipped = {"mean_long": mapping.FLU_MEAN_LONG, "mean_short": mapping.FLU_MEAN_SHORT,
               "var_long": mapping.FLU_VAR_LONG, "var_short": mapping.FLU_VAR_SHORT,
               "median": mapping.FLU_MEDIAN, "slope": mapping.FLU_SLOPE}  # fmt: skip
    for key, value in fitted.items():
        print(f"  {key:10s} fitted {value:8.3f}   mapping.py {shipped[key]:8.3f}")
    now = np.array([mapping.fluency_score(lp) for lp in logprobs])
    fixed = 100.0 / (1.0 + np.exp(-(means + 5.1) / 0.7))  # version 5's fixed centre: the anchor
    print("  tokens   n  median mean log p  fluency median / 5th pct / share < 60   version 5 median")
    for lo, hi in TOKEN_BANDS:
        k = (lengths >= lo) & (lengths <= hi)
        if k.any():
            print(f"  {lo:>2}-{min(hi, 999):<3} {k.sum():4d}  {np.median(means[k]):17.2f}  "
                  f"{np.median(now[k]):14.1f} / {np.percentile(now[k], 5):5.1f} / {(now[k] < 60).mean():.2f}"
                  f"   {np.median(fixed[k]):16.1f}")  # fmt: skip


if __name__ == "__main__":
    main()
