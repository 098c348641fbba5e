"""Speed: scored target tokens per second, batched (the auditor's scorer, in its default dtype) against a naive
per-sentence loop (full-vocabulary log-softmax at every position, one sentence at a time) in float32, the
baseline the spine issue measured its probes with, and the same naive loop in the scorer's dtype, so that
batching and dtype can be told apart; achieved GFLOP/s against torch matmul GFLOP/s (float32 and bfloat16)
measured in the same run; and the seed audit's wall time, cold (new process, model load included) and warm
(same process, model loaded).

Usage: python -m benchmarks.speed [--items N]
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import torch

from auditor.lm.model import LanguageModel, load_model
from benchmarks import data

ROOT = Path(__file__).resolve().parents[1]


def matmul_gflops(n: int = 2048, repeats: int = 5, dtype: torch.dtype = torch.float32) -> float:
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def model_flops(lm: LanguageModel, processed_tokens: int, scored_tokens: int) -> float:
    """Dense FLOPs: 2 x non-embedding parameters per processed token, 2 x hidden x vocab per scored token."""
    config = lm.model.config
    embed = lm.model.get_input_embeddings().weight.numel()
    body = sum(p.numel() for p in lm.model.parameters()) - embed
    return 2.0 * body * processed_tokens + 2.0 * config.hidden_size * config.vocab_size * scored_tokens


def naive_loop(lm: LanguageModel, prefixes: list[str], texts: list[str]) -> tuple[float, int]:
    """What a first probe does: one sequence at a time, logits and log-softmax over every position."""
    scored = 0
    start = time.perf_counter()
    with torch.inference_mode():
        for prefix, text in zip(prefixes, texts, strict=True):
            prefix_ids = lm.tokenizer(prefix).input_ids
            ids = prefix_ids + lm.tokenizer(" " + text, add_special_tokens=False).input_ids
            logits = lm.model(torch.tensor([ids])).logits[0]
            logprobs = torch.log_softmax(logits.float(), dim=-1)
            targets = torch.tensor(ids[len(prefix_ids) :])
            logprobs[len(prefix_ids) - 1 : -1].gather(1, targets[:, None])
            scored += len(targets)
    return time.perf_counter() - start, scored


def requests(lm: LanguageModel, items: list[data.MinimalPair]) -> tuple[list[str], list[str]]:
    prefixes, texts = [], []
    for it in items:
        for hyp in (it.good, it.bad):
            prefixes += [lm.prompt.without_source("en"), lm.prompt.with_source(it.source, "fr", "en")]
            texts += [hyp, hyp]
            prefixes.append(lm.prompt.with_source(hyp, "en", "fr"))
            texts.append(it.source)
    return prefixes, texts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--items", type=int, default=2, help="DEMETR items per perturbation (x35, x2 hypotheses)"
    )
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {torch.get_num_threads()} torch threads, "
        f"torch {torch.__version__}"
    )
    peak = matmul_gflops()
    peak_bf16 = matmul_gflops(dtype=torch.bfloat16)
    print(f"torch matmul 2048^3: fp32 {peak:.1f} GFLOP/s, bf16 {peak_bf16:.1f} GFLOP/s")
    lm = load_model()
    print(f"scorer dtype: {lm.dtype}")
    items = data.demetr(args.items, seed=1)
    prefixes, texts = requests(lm, items)
    lm.score(prefixes[:6], texts[:6])  # warm-up

    # As audits run it: with the quality head's pooled states (the naive loops below do not pool).
    start = time.perf_counter()
    results = lm.score(prefixes, texts, pool_layer=lm.head_layer)
    batched = time.perf_counter() - start
    scored = sum(len(r.logprobs) + 1 for r in results)
    processed = sum(len(lm.tokenizer(p).input_ids) for p in prefixes) + scored
    flops = model_flops(lm, processed, scored)
    reference = peak_bf16 if lm.dtype == "bfloat16" else peak
    print(
        f"{len(texts)} sequences ({len(items)} DEMETR items x 2 hypotheses x 3 passes), {scored} scored tokens"
    )
    print(
        f"  batched scorer ({lm.dtype}) : {scored / batched:8.1f} scored tok/s  {batched:6.1f} s  "
        f"{flops / batched / 1e9:6.1f} GFLOP/s ({100 * flops / batched / 1e9 / reference:.0f}% of "
        f"{lm.dtype} matmul)"
    )
    naive_models = [("float32", load_model(dtype="float32") if lm.dtype != "float32" else lm)]
    if lm.dtype != "float32":
        naive_models.append((lm.dtype, lm))
    for dtype, model in naive_models:
        naive_seconds, naive_scored = naive_loop(model, prefixes, texts)
        print(
            f"  naive loop ({dtype}){' ' * (9 - len(dtype))}: {naive_scored / naive_seconds:8.1f} scored tok/s  "
            f"{naive_seconds:6.1f} s   speed-up of the scorer {naive_seconds / batched * scored / naive_scored:.2f}x"
        )

    fixtures = ROOT / "fixtures"
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "auditor", "audit", str(fixtures / "article.en.txt"), "--source",
         str(fixtures / "article.fr.txt"), "--format", "json"],
        check=True, capture_output=True,
    )  # fmt: skip
    cold = time.perf_counter() - start
    from auditor.pipeline import audit

    target = (fixtures / "article.en.txt").read_text(encoding="utf-8")
    source = (fixtures / "article.fr.txt").read_text(encoding="utf-8")
    start = time.perf_counter()
    audit(target, source, model=lm)
    warm = time.perf_counter() - start
    print(f"seed audit: cold {cold:.1f} s (new process, model load included), warm {warm:.1f} s")


if __name__ == "__main__":
    main()
