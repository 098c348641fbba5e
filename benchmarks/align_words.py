"""Word alignment error rate on the English-French Hansards (WPT 2003 gold, Och & Ney's sure/possible links).

Data: ../shared/bench/hansards-en-fr/test-dev.jsonl (224 pairs; trial.jsonl, 37 pairs, is for tuning).
Source = French tokens, target = English tokens; gold pairs are [en, fr] and are flipped.
AER = 1 - (|A & S| + |A & P|) / (|A| + |S|), with P = sure + possible_only, counts summed over the set.
Published anchors (full 447-pair test set): fast_align 10.5, eflomal 8.2, SimAlign mBERT 5.6,
awesome-align fine-tuned 4.1.

Run: python -m benchmarks.align_words [--split trial] [--model]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from auditor.align.lexicon import load_lexicon
from auditor.align.words import (
    DEFAULT_WORD_PARAMS,
    MODEL_LAYER,
    MODEL_PARAMS,
    WordParams,
    aer,
    aer_from_counts,
    align_words,
    word_similarity,
)

ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "bench" / "hansards-en-fr"


def load(split: str) -> list[dict]:
    return [json.loads(line) for line in (ROOT / f"{split}.jsonl").open(encoding="utf-8")]


def evaluate(
    items: list[dict], params: WordParams, lm: object | None = None, layer: int = MODEL_LAYER
) -> float:
    lexicon = load_lexicon("fr", "en")
    totals = [0, 0, 0, 0]
    for item in items:
        src, tgt = item["fr_tokens"], item["en_tokens"]
        sim = word_similarity(lm, src, tgt, layer) if lm is not None else None
        links = align_words(src, tgt, lexicon, params=params, similarity=sim)
        sure = {(f, e) for e, f in item["sure"]}
        possible = {(f, e) for e, f in item["possible_only"]}
        counts = aer(links, sure, possible)
        totals = [x + y for x, y in zip(totals, counts, strict=True)]
    return 100 * aer_from_counts(totals)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="test-dev", choices=["test-dev", "trial"])
    parser.add_argument("--model", action="store_true", help="add the language model's word similarity")
    args = parser.parse_args()
    if not ROOT.is_dir():
        print(f"error: {ROOT} not found", file=sys.stderr)
        sys.exit(2)
    items = load(args.split)
    start = time.perf_counter()
    print(f"Hansards {args.split} ({len(items)} pairs)")
    print(
        f"  lexicon + identity + distortion, intersection+growth: AER {evaluate(items, DEFAULT_WORD_PARAMS):.1f}"
    )
    if args.model:
        from auditor.align.embed import load_embedding_model

        lm = load_embedding_model()
        print(f"  + Gemma layer {MODEL_LAYER} similarity: AER {evaluate(items, MODEL_PARAMS, lm):.1f}")
    print(
        f"  ({time.perf_counter() - start:.0f} s; anchors on the full test set: fast_align 10.5, eflomal 8.2)"
    )


if __name__ == "__main__":
    main()
