"""Score quality: DEMETR-fr pairwise accuracy and WMT13 fr-en segment-level Kendall tau-like.

DEMETR-fr dev (items with pert_check true): a pair counts as right when the good translation's reference-free
overall score is strictly above the perturbed one's. Reported per perturbation, per severity and overall
(non-base), with sentence chrF and BLEU *with the reference* computed in the same run as anchors. The base
"reference" perturbation (the reference as the translation) has no right answer and is reported only.

WMT13 fr-en: for every human pairwise preference (better, worse) on a segment, a metric is concordant when it
scores `better` strictly above `worse`; ties and reversals are discordant. tau = (C - D) / (C + D).

Usage: python -m benchmarks.quality [--demetr N_PER_PERTURBATION|all] [--wmt SEGMENTS|all]
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from sacrebleu.metrics import BLEU, CHRF

from auditor.lm.model import load_model
from auditor.scoring.evidence import gather_evidence
from auditor.scoring.mapping import segment_scores
from benchmarks import data

CHRF_METRIC = CHRF()
BLEU_METRIC = BLEU(effective_order=True)


def sentence_chrf(hyp: str, ref: str) -> float:
    return CHRF_METRIC.sentence_score(hyp, [ref]).score


def sentence_bleu(hyp: str, ref: str) -> float:
    return BLEU_METRIC.sentence_score(hyp, [ref]).score


def demetr(lm, per_perturbation: int | None) -> None:  # type: ignore[no-untyped-def]
    items = data.demetr(per_perturbation)
    targets = [t for it in items for t in (it.good, it.bad)]
    sources = [it.source for it in items for _ in (0, 1)]
    start = time.perf_counter()
    evidence = gather_evidence(lm, targets, list(sources), src_lang="fr", tgt_lang="en")
    seconds = time.perf_counter() - start
    scores = [segment_scores(e).overall for e in evidence]
    wins: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    for k, it in enumerate(items):
        good, bad = scores[2 * k], scores[2 * k + 1]
        key = (it.severity, it.perturbation)
        wins["auditor"][str(key)].append(good > bad)
        wins["chrF+ref"][str(key)].append(
            sentence_chrf(it.good, it.reference) > sentence_chrf(it.bad, it.reference)
        )
        wins["BLEU+ref"][str(key)].append(
            sentence_bleu(it.good, it.reference) > sentence_bleu(it.bad, it.reference)
        )
    print(
        f"\nDEMETR-fr dev: {len(items)} pairs ({per_perturbation or 'all'} per perturbation), {seconds:.0f} s"
    )
    print(f"{'perturbation':42s} {'n':>4s} {'auditor':>8s} {'chrF+ref':>9s} {'BLEU+ref':>9s}")
    keys = sorted(wins["auditor"], key=lambda k: (eval(k)[0] == "base", eval(k)))
    for key in keys:
        severity, name = eval(key)
        row = [sum(wins[m][key]) / len(wins[m][key]) for m in ("auditor", "chrF+ref", "BLEU+ref")]
        print(f"{name:42s} {len(wins['auditor'][key]):4d} {row[0]:8.3f} {row[1]:9.3f} {row[2]:9.3f}")
    for severity in ("minor", "major", "critical", "non-base"):
        row = []
        for metric in ("auditor", "chrF+ref", "BLEU+ref"):
            flat = [
                w for k, v in wins[metric].items() for w in v
                if (eval(k)[0] == severity) or (severity == "non-base" and eval(k)[0] != "base")
            ]  # fmt: skip
            row.append(sum(flat) / max(1, len(flat)))
        n = sum(
            len(v)
            for k, v in wins["auditor"].items()
            if eval(k)[0] == severity or (severity == "non-base" and eval(k)[0] != "base")
        )
        print(f"{'== ' + severity:42s} {n:4d} {row[0]:8.3f} {row[1]:9.3f} {row[2]:9.3f}")


def wmt13(lm, segments: int | None) -> None:  # type: ignore[no-untyped-def]
    judged = data.wmt13(segments)
    targets, sources, keys = [], [], []
    for seg in judged:
        for system, hyp in seg.outputs.items():
            targets.append(hyp)
            sources.append(seg.source)
            keys.append((seg.index, system))
    start = time.perf_counter()
    evidence = gather_evidence(lm, targets, list(sources), src_lang="fr", tgt_lang="en")
    seconds = time.perf_counter() - start
    metrics: dict[str, dict[tuple[int, str], float]] = {
        "auditor overall": {},
        "auditor fidelity": {},
        "auditor fluency": {},
        "chrF+ref": {},
        "BLEU+ref": {},
    }
    refs = {seg.index: seg.reference for seg in judged}
    for key, hyp, ev in zip(keys, targets, evidence, strict=True):
        s = segment_scores(ev)
        metrics["auditor overall"][key] = s.overall
        metrics["auditor fidelity"][key] = s.fidelity or 0.0
        metrics["auditor fluency"][key] = s.fluency
        metrics["chrF+ref"][key] = sentence_chrf(hyp, refs[key[0]])
        metrics["BLEU+ref"][key] = sentence_bleu(hyp, refs[key[0]])
    pairs = [(seg.index, better, worse) for seg in judged for better, worse in seg.preferences]
    print(
        f"\nWMT13 fr-en: {len(judged)} judged segments, {len(targets)} hypotheses, "
        f"{len(pairs)} human pairwise preferences, {seconds:.0f} s"
    )
    for name, values in metrics.items():
        concordant = sum(values[(s, b)] > values[(s, w)] for s, b, w in pairs)
        discordant = len(pairs) - concordant
        print(
            f"  tau-like {name:18s} {(concordant - discordant) / len(pairs):+.3f}   (reference-free)"
            if name.startswith("auditor")
            else f"  tau-like {name:18s} {(concordant - discordant) / len(pairs):+.3f}   (uses the reference)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--demetr", default="all", help="items per perturbation, or 'all'")
    parser.add_argument("--wmt", default="500", help="judged segments (seeded sample), or 'all'")
    parser.add_argument("--model", default="gemma-3-270m")
    args = parser.parse_args()
    lm = load_model(args.model)
    if args.demetr != "0":
        demetr(lm, None if args.demetr == "all" else int(args.demetr))
    if args.wmt != "0":
        wmt13(lm, None if args.wmt == "all" else int(args.wmt))


if __name__ == "__main__":
    main()
