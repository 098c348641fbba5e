"""A stacked segment score on Bio-MQM dev, cross-validated by document: measured, not shipped (see README).

    python -m benchmarks.train_stack [--limit 50] [--seeds 3]

Each of the first `--limit` Bio-MQM dev (document, system) pairs (the seeded order of benchmarks.spans, so a
prefix of its cache) is audited as benchmarks.spans does, from the cached model evidence only
(bench-results/cache; the run stops at the first document the cache does not hold, and generates no
suggestions). For each line (a Bio-MQM segment) it collects what the audit computes, length-weighted over the
line's rows: the overall, fidelity and fluency scores (as logits), the mean log-probabilities given the source,
of the back translation and without the source, log p(end), the uncovered source words, the quality head's
term, the sentence encoder's cosine of source and target, the log length ratio, the log word count, and the
MQM points (minor 1, major 5, critical 10) per 100 words of the line's flags, split into the word-error
model's (AUD101: fitted on Bio-MQM dev, so in-sample here) and the rules'.

Kendall tau-b against the MQM score (minor 1, major 5, critical 10, negated; benchmarks.spans), with sentence
chrF with the reference as the anchor, for: each feature alone, two formulas with no fitted weight, and
linear stacks fitted as pairwise logistic rankers (scikit-learn, dev only) in 5 folds by doc_id (every
system of a document in one fold), for `--seeds` fold assignments. Also what the overall score's bands mean
in MQM terms (points per 100 words, share of error-free segments).
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
import sacrebleu

from auditor.checks import RuleConfig
from auditor.encoder import DEFAULT_ENCODER, load_encoder
from auditor.lm.model import LanguageModel, load_model
from auditor.report import Severity
from auditor.scoring import mapping
from auditor.scoring.evidence import gather_evidence
from benchmarks import spans
from benchmarks.data import bench_root

POINTS = {Severity.MINOR: 1, Severity.MAJOR: 5, Severity.CRITICAL: 10}
FEATURES = ["overall", "fidelity", "fluency", "given", "back", "prior", "end", "uncovered", "head", "cosine",
            "length_ratio", "log_words", "pen_model", "pen_rules"]  # fmt: skip


def tau(a: np.ndarray, b: np.ndarray) -> float:
    return spans.kendall_tau_b([float(v) for v in a], [float(v) for v in b])


def _logit(score: float) -> float:
    p = min(max(score / 100.0, 1e-4), 1 - 1e-4)
    return float(np.log(p / (1 - p)))


def line_features(lm: LanguageModel, encoder: Any, doc: list[dict[str, Any]]) -> list[list[float] | None]:
    targets, sources = [spans._flat(r["target"]) for r in doc], [spans._flat(r["source"]) for r in doc]
    report = spans.audit_report(lm, targets, sources, RuleConfig())
    rows = [r for r in report.segments if r.target_span and r.scores and r.source_text]
    evidence = gather_evidence(
        lm, [r.target_text.replace("\n", " ").replace("\t", " ") for r in rows], [r.source_text for r in rows],
        src_lang="fr", tgt_lang="en",
    )  # fmt: skip
    cosines = np.sum(
        encoder.encode([r.source_text for r in rows]) * encoder.encode([r.target_text for r in rows]), 1
    )
    model_pts: dict[int, int] = {}
    rule_pts: dict[int, int] = {}
    for flag in report.flags:
        if flag.segment is not None:
            into = model_pts if flag.rule == "AUD101" else rule_pts
            into[flag.segment] = into.get(flag.segment, 0) + POINTS[flag.severity]
    lines = spans._offsets(report.target_text.split("\n"))
    parts: list[list[tuple[int, list[float], int, int, int]]] = [[] for _ in doc]
    for row, ev, cosine in zip(rows, evidence, cosines, strict=True):
        assert row.target_span is not None and row.scores is not None and ev.given_source is not None
        values = [
            _logit(row.scores.overall), _logit(row.scores.fidelity or 0.0), _logit(row.scores.fluency),
            mapping._mean(ev.given_source.logprobs), mapping._mean(ev.back.logprobs) if ev.back else 0.0,
            mapping._mean(ev.prior.logprobs), ev.given_source.end_logprob, float(len(ev.uncovered or [])),
            mapping._head_term(ev, lm.quality_head) or 0.0, float(cosine),
            float(np.log((len(row.target_text) + 1) / (len(row.source_text) + 1))),
        ]  # fmt: skip
        for i, line in enumerate(lines):
            cut = spans._cut(row.target_span, line)
            if cut:
                words = len(row.target_text.split())
                parts[i].append(
                    (cut[1] - cut[0], values, words, model_pts.get(row.index, 0), rule_pts.get(row.index, 0))
                )
    out: list[list[float] | None] = []
    for line_parts, target in zip(parts, targets, strict=True):
        if not line_parts:
            out.append(None)
            continue
        weights = np.array([p[0] for p in line_parts], float)
        mean = list(np.average(np.array([p[1] for p in line_parts]), axis=0, weights=weights))
        words = max(1, len(target.split()))
        model_points, rule_points = sum(p[3] for p in line_parts), sum(p[4] for p in line_parts)
        out.append([*mean, float(np.log1p(words)), 100 * model_points / words, 100 * rule_points / words])
    return out


def pairwise_cv(x: np.ndarray, mqm: np.ndarray, docs: np.ndarray, seed: int, folds: int = 5) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    names = sorted(set(docs))
    order = np.random.RandomState(seed).permutation(len(names))
    fold_of = {names[j]: k % folds for k, j in enumerate(order)}
    fold = np.array([fold_of[d] for d in docs])
    pred = np.zeros(len(mqm))
    for k in range(folds):
        train, test = np.where(fold != k)[0], fold == k
        mu, sd = x[train].mean(0), x[train].std(0) + 1e-9
        z = (x[train] - mu) / sd
        i, j = np.triu_indices(len(train), 1)
        keep = mqm[train][i] != mqm[train][j]
        diff = z[i[keep]] - z[j[keep]]
        label = (mqm[train][i[keep]] > mqm[train][j[keep]]).astype(int)
        ranker = LogisticRegression(fit_intercept=False, max_iter=1000)
        ranker.fit(np.r_[diff, -diff], np.r_[label, 1 - label])
        pred[test] = ((x[test] - mu) / sd) @ ranker.coef_[0]
    return pred


STACKS = {
    "overall": ["overall"],
    "overall + cosine (issue 15's adequacy input)": ["overall", "cosine"],
    "fidelity + cosine": ["fidelity", "cosine"],
    "fidelity + log words": ["fidelity", "log_words"],
    "fidelity + cosine + log words": ["fidelity", "cosine", "log_words"],
    "log words": ["log_words"],
    "overall + log words": ["overall", "log_words"],
    "evidence + head + cosine + coverage + length ratio (no word count)":
        ["given", "back", "prior", "end", "uncovered", "head", "cosine", "length_ratio"],
    "the same + log words": ["given", "back", "prior", "end", "uncovered", "head", "cosine", "length_ratio", "log_words"],
    "the same + rules' flag penalty": ["given", "back", "prior", "end", "uncovered", "head", "cosine", "length_ratio",
                                       "log_words", "pen_rules"],
    "overall + cosine + length ratio + log words + all flags (AUD101 in-sample)":
        ["overall", "cosine", "length_ratio", "log_words", "pen_model", "pen_rules"],
}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--limit", type=int, default=50, help="Bio-MQM (document, system) pairs, a cached prefix"
    )
    parser.add_argument("--seeds", type=int, default=3, help="fold assignments")
    parser.add_argument("--model", default="gemma-3-270m")
    args = parser.parse_args()
    lm = spans.CachedModel(
        load_model(args.model), spans.CACHE / "model-evidence.sqlite", suggestions=False, read_only=True
    )
    encoder = load_encoder(DEFAULT_ENCODER)
    docs = spans._documents(spans._read(bench_root() / "biomqm-fr-en" / "dev.jsonl"), args.limit)
    feats, mqm, chrf, doc_ids, words = [], [], [], [], []
    done = 0
    for doc in docs:
        try:
            per_line = line_features(lm, encoder, doc)
        except LookupError:
            break
        done += 1
        for row, f in zip(doc, per_line, strict=True):
            if f is None:
                continue
            feats.append(f)
            mqm.append(spans._mqm(row))
            chrf.append(sacrebleu.sentence_chrf(row["target"], [row["reference"]]).score)
            doc_ids.append(row["doc_id"])
            words.append(len(row["target"].split()))
    x, y, ref, w = np.array(feats), np.array(mqm), np.array(chrf), np.array(words, float)
    print(f"Bio-MQM fr-en dev: {done} of {len(docs)} documents in the cache, {len(y)} segments, "
          f"{len(set(doc_ids))} doc_ids; Kendall tau-b against MQM (minor 1, major 5, critical 10)")  # fmt: skip
    print(f"  anchor: sentence chrF with the reference {tau(ref, y):.3f}; chrF x words "
          f"(words x (1 - chrF/100) as expected points) {tau(-w * (1 - ref / 100), y):.3f}")  # fmt: skip
    col = {name: i for i, name in enumerate(FEATURES)}
    print("  each feature alone: " + ", ".join(f"{n} {tau(x[:, i], y):+.3f}" for n, i in col.items()))
    overall = 100 / (1 + np.exp(-x[:, col["overall"]]))
    print(
        f"  no fitted weight: words x (1 - overall/100) as expected points {tau(-w * (1 - overall / 100), y):.3f}"
    )
    print(f"  per-word MQM (points / words): overall {tau(overall, y / w):.3f}, chrF {tau(ref, y / w):.3f}, "
          f"cosine {tau(x[:, col['cosine']], y / w):+.3f}")  # fmt: skip
    print(f"  stacks, pairwise logistic rankers, 5 folds by doc_id, seeds 0-{args.seeds - 1}:")
    for name, cols in STACKS.items():
        idx = [col[c] for c in cols]
        taus = [tau(pairwise_cv(x[:, idx], y, np.array(doc_ids), s), y) for s in range(args.seeds)]
        print(f"    {name}: {' '.join(f'{t:.3f}' for t in taus)} (mean {np.mean(taus):.3f})")
    print("  the overall score's bands in MQM terms: segments, MQM points per 100 words, error-free, major+")
    for lo, hi in [(90, 101), (80, 90), (60, 80), (0, 60)]:
        k = (overall >= lo) & (overall < hi)
        if k.any():
            print(f"    {lo}-{min(hi, 100)}: {k.sum():4d}  {-100 * y[k].sum() / w[k].sum():6.2f}  "
                  f"{(y[k] == 0).mean():.2f}  {(y[k] <= -5).mean():.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
