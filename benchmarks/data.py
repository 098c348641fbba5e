"""Loaders for the shared benchmark data (../shared/bench), and the tau over WMT human preferences; benchmarks
only, never tests."""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np


def bench_root() -> Path:
    override = os.environ.get("AUDITOR_BENCH_DATA")
    root = Path(override) if override else Path(__file__).resolve().parents[1].parent / "shared" / "bench"
    if not root.is_dir():
        raise SystemExit(f"error: benchmark data not found at {root} (set AUDITOR_BENCH_DATA)")
    return root


@dataclass
class MinimalPair:
    source: str
    reference: str
    good: str
    bad: str
    perturbation: str
    severity: str


def demetr(per_perturbation: int | None = None, seed: int = 0) -> list[MinimalPair]:
    """DEMETR-fr dev items with pert_check true; optionally a seeded sample per perturbation."""
    path = bench_root() / "demetr-fr" / "dev.jsonl"
    groups: dict[str, list[MinimalPair]] = defaultdict(list)
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if not row.get("pert_check"):
            continue
        groups[row["pert_name"]].append(
            MinimalPair(
                row["source"].strip(), row["reference"].strip(), row["good"].strip(), row["bad"].strip(),
                row["pert_name"], row["severity"],
            )
        )  # fmt: skip
    items: list[MinimalPair] = []
    rng = random.Random(seed)
    for name in sorted(groups):
        group = groups[name]
        if per_perturbation is not None and len(group) > per_perturbation:
            group = rng.sample(group, per_perturbation)
        items.extend(group)
    return items


@dataclass
class JudgedSegment:
    index: int  # 1-based, as in the judgments file
    source: str
    reference: str
    outputs: dict[str, str]  # system file -> hypothesis
    preferences: list[tuple[str, str]]  # (better system, worse system)


@dataclass
class JudgedRows:
    """Judged segments flattened: one row per (segment, system) output, each preference a pair of rows."""

    keys: list[tuple[int, str]]  # (segment index, system)
    targets: list[str]
    sources: list[str]
    references: list[str]
    pairs: np.ndarray  # (better row, worse row), one per human preference


def judged_rows(segments: list[JudgedSegment]) -> JudgedRows:
    keys, targets, sources, references = [], [], [], []
    for seg in segments:
        for system, hypothesis in seg.outputs.items():
            keys.append((seg.index, system))
            targets.append(hypothesis)
            sources.append(seg.source)
            references.append(seg.reference)
    row = {k: i for i, k in enumerate(keys)}
    pairs = np.array([(row[(s.index, b)], row[(s.index, w)]) for s in segments for b, w in s.preferences])
    return JudgedRows(keys, targets, sources, references, pairs.reshape(-1, 2))


def tau(scores: np.ndarray, pairs: np.ndarray) -> float:
    """Kendall tau-like: (concordant - discordant) / pairs, where a tie counts as discordant."""
    concordant = int((scores[pairs[:, 0]] > scores[pairs[:, 1]]).sum())
    return (2 * concordant - len(pairs)) / len(pairs)


def wmt13(segments: int | None = None, seed: int = 0) -> list[JudgedSegment]:
    """WMT13 fr-en judged segments; a seeded random sample of `segments` of them when given."""
    return wmt_judged(2013, segments, seed)


def wmt_judged(year: int, segments: int | None = None, seed: int = 0) -> list[JudgedSegment]:
    """WMT fr-en judged segments of `year` (2012 or 2013); a seeded sample of `segments` when given."""
    root = bench_root() / "wmt-fr-en" / f"wmt{year % 100}"
    sources = (root / f"newstest{year}-src.fr").read_text(encoding="utf-8").split("\n")
    references = (root / f"newstest{year}-ref.en").read_text(encoding="utf-8").split("\n")
    prefs: dict[int, list[tuple[str, str]]] = defaultdict(list)
    lines = (root / "pairwise_judgments.tsv").read_text(encoding="utf-8").splitlines()[1:]
    for line in lines:
        number, better, worse = line.split("\t")
        prefs[int(number)].append((better, worse))
    chosen = sorted(prefs)
    if segments is not None and segments < len(chosen):
        chosen = sorted(random.Random(seed).sample(chosen, segments))
    systems = sorted({s for seg in chosen for pair in prefs[seg] for s in pair})
    outputs = {s: (root / "system-outputs" / s).read_text(encoding="utf-8").split("\n") for s in systems}
    result = []
    for seg in chosen:
        used = {s for pair in prefs[seg] for s in pair}
        result.append(
            JudgedSegment(
                seg, sources[seg - 1].strip(), references[seg - 1].strip(),
                {s: outputs[s][seg - 1].strip() for s in sorted(used)}, prefs[seg],
            )
        )  # fmt: skip
    return result


@dataclass
class JudgedUtterance:
    source: str
    translation: str  # the MT the English-speaking participant read
    reference: str
    judgment: str  # perfect | medium | poor
    dialogue: str


JUDGMENTS = ("perfect", "medium", "poor")


def diabla() -> list[JudgedUtterance]:
    """DiaBLa dev: French chat utterances, their English MT and the reader's judgment (judged ones only)."""
    path = bench_root() / "diabla-fr-en" / "dev.jsonl"
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return [
        JudgedUtterance(
            " ".join(r["source_fr"].split()),
            " ".join(r["mt_en"].split()),
            r["reference_en"],
            r["judgment"],
            r["dialogue_file"],
        )
        for r in rows
        if r.get("judgment") in JUDGMENTS and r["source_fr"].strip() and r["mt_en"].strip()
    ]
