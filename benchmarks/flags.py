"""Rule flags against gold spans (the seed article) and on clean text (WMT13 fr-en human references).

Seed: a gold span is found when a predicted flag overlaps it; a predicted flag is correct when it overlaps a
gold span. Clean text: 200 WMT13 newstest segments with the human reference as the translation, aligned line
by line; every flag there is a false alarm, reported as major-or-worse flags per 100 sentences.

    python -m benchmarks.flags [--segments 200] [--model NAME | --no-model]

By default the whole audit runs, the model's AUD1xx flags included, as a user gets it; --no-model runs the
rules alone.

DiaBLa (skip with `--no-diabla`): French chat utterances machine-translated to English, each judged perfect, medium or poor
by its English reader; every dialogue is audited as one document (one utterance per line), and flags are
counted per 100 utterances of each judgment. A useful checker flags "poor" far more often than "perfect".
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter, defaultdict

from auditor.checks import RuleConfig
from auditor.checks.context import check_texts
from auditor.checks.text import overlaps
from auditor.report import Flag, Severity
from benchmarks import data
from benchmarks.data import bench_root


def place_gold(text: str, rows: list[dict[str, str]]) -> list[tuple[tuple[int, int], dict[str, str]]]:
    """Each gold span at its first occurrence not already taken by an earlier gold span."""
    placed: list[tuple[tuple[int, int], dict[str, str]]] = []
    for row in rows:
        start = text.find(row["span"])
        while start >= 0 and any(overlaps((start, start + len(row["span"])), s) for s, _ in placed):
            start = text.find(row["span"], start + 1)
        if start < 0:
            raise SystemExit(f"error: gold span not found in the article: {row['span']!r}")
        placed.append(((start, start + len(row["span"])), row))
    return placed


def score_spans(flags: list[Flag], gold: list[tuple[tuple[int, int], dict[str, str]]]) -> dict[str, object]:
    spans = [f for f in flags if f.target_span is not None]
    found = [any(overlaps(span, f.target_span) for f in spans) for span, _ in gold]
    correct = [any(overlaps(f.target_span, span) for span, _ in gold) for f in spans]
    by_gold: dict[str, list[bool]] = defaultdict(list)
    for (_, row), hit in zip(gold, found, strict=True):
        by_gold[row["category"]].append(hit)
    by_pred: dict[str, list[bool]] = defaultdict(list)
    for flag, ok in zip(spans, correct, strict=True):
        by_pred[flag.category].append(ok)
    return {
        "recall": sum(found) / len(found),
        "precision": sum(correct) / len(correct) if correct else 0.0,
        "found": sum(found),
        "gold": len(found),
        "flags": len(correct),
        "correct": sum(correct),
        "recall_by_category": {k: (sum(v), len(v)) for k, v in sorted(by_gold.items())},
        "precision_by_category": {k: (sum(v), len(v)) for k, v in sorted(by_pred.items())},
        "missed": [row["span"] for (_, row), hit in zip(gold, found, strict=True) if not hit],
        "false": [f"{f.rule} {f.text[:60]!r}" for f, ok in zip(spans, correct, strict=True) if not ok],
    }


def protected_hits(text: str, flags: list[Flag]) -> list[str]:
    """Flags on what the seed README says is correct: its numbers, the English tweet, "With AFP"."""
    protected = ["52 sites", "1,000 meters", "5 p.m. (2 p.m. GMT)", "5,200", "3,000 to 3,500", "With AFP"]
    spans = [(text.find(p), text.find(p) + len(p)) for p in protected if p in text]
    tweet = text.find(".... targeted")
    tweet_end = text.find("January 4, 2020", tweet) + len("January 4, 2020")
    spans.append((tweet, tweet_end))
    return [f"{f.rule} {f.text[:50]!r}" for f in flags if any(overlaps(f.target_span, s) for s in spans)]


def _run(
    target: str, source: str | None, model: object | None, rules: RuleConfig | None = None
) -> list[Flag]:
    if model is None:
        return check_texts(target, source, config=rules)
    from auditor.pipeline import audit

    return audit(target, source, src_lang="fr", tgt_lang="en", model=model, rules=rules).flags  # type: ignore[arg-type]


def _label(model: object | None) -> str:
    return f"model {getattr(model, 'name', model)}" if model else "rules only"


def seed(model: object | None, rules: RuleConfig | None = None) -> None:
    target = (bench_root().parent / "seed" / "article.en.txt").read_text(encoding="utf-8")
    source = (bench_root().parent / "seed" / "article.fr.txt").read_text(encoding="utf-8")
    rows = [
        json.loads(line)
        for line in (bench_root().parent / "seed" / "gold_flags.jsonl")
        .read_text(encoding="utf-8")
        .splitlines()
    ]
    gold = place_gold(target, rows)
    for label, src in (("with source", source), ("target only", None)):
        flags = _run(target, src, model, rules)
        result = score_spans(flags, gold)
        print(f"seed ({label}): recall {result['recall']:.2f} ({result['found']}/{result['gold']}), "
              f"precision {result['precision']:.2f} ({result['correct']}/{result['flags']})")  # fmt: skip
        recall_by = result["recall_by_category"]
        precision_by = result["precision_by_category"]
        assert isinstance(recall_by, dict) and isinstance(precision_by, dict)
        print("  recall by gold category:    " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in recall_by.items()))
        print(
            "  precision by flag category: " + ", ".join(f"{k} {a}/{b}" for k, (a, b) in precision_by.items())
        )
        print(f"  missed: {result['missed']}")
        print(f"  false alarms: {result['false']}")
        print(f"  flags on the seed's correct numbers, tweet or 'With AFP': {protected_hits(target, flags)}")


def clean(segments: int, model: object | None) -> None:
    folder = bench_root() / "wmt-fr-en" / "wmt13"
    src = (folder / "newstest2013-src.fr").read_text(encoding="utf-8").splitlines()[:segments]
    ref = (folder / "newstest2013-ref.en").read_text(encoding="utf-8").splitlines()[:segments]
    started = time.perf_counter()
    if model is None:
        flags = check_texts("\n".join(ref), "\n".join(src), one_per_line=True)
    else:
        flags = _run("\n".join(ref), "\n".join(src), model)
    seconds = time.perf_counter() - started
    serious = [f for f in flags if f.severity >= Severity.MAJOR]
    per_rule = Counter(f.rule for f in serious)
    all_rules = Counter(f.rule for f in flags)
    how = _label(model)
    print(f"clean WMT13 fr-en references ({segments} segments, {how}):"
          f" {100 * len(serious) / segments:.1f} major-or-worse flags per 100 sentences"
          f" ({len(serious)} flags; {len(flags)} of any severity; {seconds:.1f}s)")  # fmt: skip
    print(f"  major-or-worse by rule: {dict(sorted(per_rule.items()))}")
    print(f"  any severity by rule: {dict(sorted(all_rules.items()))}")
    for f in serious:
        print(f"    {f.rule} {f.severity} {f.text[:70]!r} | {f.message[:80]}")


def alignment_clean(segments: int) -> None:
    """Omission and addition flags (AUD501/AUD502) on clean source/reference pairs, through the audit pipeline
    (its sentence splitting, the aligner and the encoder's per-sentence checks; the rules only, no LM)."""
    from auditor.pipeline import audit

    folder = bench_root() / "wmt-fr-en" / "wmt13"
    src = (folder / "newstest2013-src.fr").read_text(encoding="utf-8").splitlines()[:segments]
    ref = (folder / "newstest2013-ref.en").read_text(encoding="utf-8").splitlines()[:segments]
    started = time.perf_counter()
    report = audit("\n".join(ref), "\n".join(src), src_lang="fr", tgt_lang="en", model=None)
    seconds = time.perf_counter() - started
    found = [f for f in report.flags if f.rule in ("AUD501", "AUD502")]
    kinds = Counter(row.link for row in report.segments)
    print(f"clean WMT13 fr-en references ({segments} segments, aligned by the pipeline with the encoder, "
          f"{seconds:.1f}s): {len(found)} omission/addition flags; links {dict(kinds.most_common())}")  # fmt: skip
    for f in found:
        print(f"    {f.rule} {f.severity} {(f.text or f.source_text or '')[:70]!r} | {f.message[:90]}")


def diabla(model: object | None) -> None:
    by_dialogue: dict[str, list[data.JudgedUtterance]] = defaultdict(list)
    for utterance in data.diabla():
        by_dialogue[utterance.dialogue].append(utterance)
    flagged: dict[str, list[tuple[int, int]]] = {j: [] for j in data.JUDGMENTS}  # (major+, any) per utterance
    rules: dict[str, Counter[str]] = {j: Counter() for j in data.JUDGMENTS}  # major-or-worse flags by rule
    started = time.perf_counter()
    for utterances in by_dialogue.values():
        target = "\n".join(u.translation for u in utterances)
        flags = _run(target, "\n".join(u.source for u in utterances), model)
        start = 0
        for u in utterances:
            line = (start, start + len(u.translation))
            mine = [f for f in flags if overlaps(f.target_span, line)]
            flagged[u.judgment].append((sum(f.severity >= Severity.MAJOR for f in mine), len(mine)))
            rules[u.judgment].update(f.rule for f in mine if f.severity >= Severity.MAJOR)
            start = line[1] + 1
    seconds = time.perf_counter() - started
    how = _label(model)
    total = sum(len(v) for v in flagged.values())
    print(
        f"DiaBLa fr-en dev ({total} judged MT utterances in {len(by_dialogue)} dialogues, {how}, {seconds:.1f}s):"
    )
    for judgment, counts in flagged.items():
        n = max(1, len(counts))
        serious = sum(c[0] for c in counts)
        any_flag = sum(c[1] for c in counts)
        with_serious = sum(c[0] > 0 for c in counts)
        print(f"  {judgment:8s} {len(counts):5d} utterances: {100 * serious / n:5.1f} major-or-worse flags per 100,"
              f" {100 * any_flag / n:5.1f} of any severity; {100 * with_serious / n:4.1f}% with a major-or-worse")  # fmt: skip
        print(f"           major-or-worse by rule: {dict(sorted(rules[judgment].items()))}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--model", default="gemma-3-270m", help="the model (a name or path)")
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--no-diabla", action="store_true", help="skip the DiaBLa judged-MT counts")
    args = parser.parse_args()
    model = None
    if not args.no_model:
        from auditor.lm.model import load_model

        model = load_model(args.model)
    seed(model)
    clean(args.segments, model)
    alignment_clean(args.segments)
    if not args.no_diabla:
        diabla(model)


if __name__ == "__main__":
    main()
