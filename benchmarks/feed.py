"""`auditor check` over a 50-document feed built from WMT13 newstest fr-en: wall time and documents/s.

Data: ../shared/bench/wmt-fr-en/wmt13 (newstest2013 source, reference and system outputs, one segment a
line). The plain-text release has no document boundaries, so a "document" is a run of consecutive lines
(`--lines` per document, 6 by default, starting at line 1); the target is one system's output for those
lines. The feed (JSONL with references) is written to bench-results/, then `auditor check` runs on it as a
user would (a subprocess, with its progress bar on stderr), writing HTML reports, JUnit and SARIF.

Anchors from the same run: the number of documents and segments, the gate result (exit status), corpus
BLEU/chrF/TER with their signature (from the check's JSON output), and the rules-only run for comparison
when the model run is asked for (`--both`).

Run: python -m benchmarks.feed [--docs 50] [--lines 6] [--system online-B] [--no-model] [--both]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.data import bench_root

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-results" / "feed"


def build_feed(path: Path, docs: int, lines: int, system: str) -> tuple[int, str]:
    wmt = bench_root() / "wmt-fr-en" / "wmt13"
    outputs = sorted((wmt / "system-outputs").iterdir())
    chosen = [p for p in outputs if system in p.name]
    if not chosen:
        raise SystemExit(f"error: no system output matches {system!r}: {[p.name for p in outputs]}")
    sys_file = chosen[0]
    src = (wmt / "newstest2013-src.fr").read_text(encoding="utf-8").split("\n")
    ref = (wmt / "newstest2013-ref.en").read_text(encoding="utf-8").split("\n")
    hyp = sys_file.read_text(encoding="utf-8").split("\n")
    needed = docs * lines
    if min(len(src), len(ref), len(hyp)) < needed:
        raise SystemExit(f"error: only {min(len(src), len(ref), len(hyp))} lines, {needed} needed")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for d in range(docs):
            part = slice(d * lines, (d + 1) * lines)
            row = {
                "id": f"newstest2013-{d * lines + 1:04d}-{(d + 1) * lines:04d}",
                "source": "\n".join(src[part]) + "\n",
                "target": "\n".join(hyp[part]) + "\n",
                "reference": "\n".join(ref[part]) + "\n",
                "source_lang": "fr",
                "target_lang": "en",
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return needed, sys_file.name


def _mean(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None]  # None: rules only, no model score
    return sum(known) / len(known) if known else None


def run_check(feed: Path, docs: int, *, no_model: bool, label: str) -> dict[str, object]:
    out_dir = OUT / f"reports-{label}"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    json_out = OUT / f"check-{label}.json"
    command = [
        sys.executable, "-c", "from auditor.cli import main; main()",
        "check", str(feed), "--format", "json", "--output", str(out_dir),
        "--junit", str(OUT / f"junit-{label}.xml"), "--sarif", str(OUT / f"results-{label}.sarif"),
        "--fail-on", "critical", "--force",
    ]  # fmt: skip
    if no_model:
        command.append("--no-model")
    started = time.perf_counter()
    with json_out.open("w", encoding="utf-8") as stdout:
        # stderr (progress bar and summary table) goes to the terminal, as a user would see it.
        done = subprocess.run(command, stdout=stdout, check=False)
    wall = time.perf_counter() - started
    if done.returncode == 2:
        raise SystemExit(f"error: auditor check failed on its input (exit 2); see {json_out}")
    payload = json.loads(json_out.read_text(encoding="utf-8"))
    documents = payload["documents"]
    audit_seconds = sum(d["seconds"] for d in documents)
    return {
        "label": label,
        "exit": done.returncode,
        "documents": len(documents),
        "failed": sum(1 for d in documents if not d["passed"]),
        "flags": sum(len(d["report"]["flags"]) for d in documents),
        "wall_s": wall,
        "docs_per_s": len(documents) / wall,
        "audit_s": audit_seconds,
        "audit_docs_per_s": len(documents) / audit_seconds if audit_seconds else float("nan"),
        "corpus": payload["corpus_metrics"],
        "mean_overall": _mean([d["report"]["scores"]["overall"] for d in documents]),
        "reports": out_dir / "index.html",
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=50)
    parser.add_argument("--lines", type=int, default=6, help="consecutive lines per document")
    parser.add_argument("--system", default="online-B", help="substring of a system-output file name")
    parser.add_argument("--no-model", action="store_true", help="rules only")
    parser.add_argument("--both", action="store_true", help="run rules-only and with the model")
    args = parser.parse_args()
    feed = OUT / "wmt13-feed.jsonl"
    segments, system = build_feed(feed, args.docs, args.lines, args.system)
    print(f"feed: {feed} ({args.docs} documents, {segments} segments, system {system})")
    runs = []
    if args.both or args.no_model:
        runs.append(run_check(feed, args.docs, no_model=True, label="rules"))
    if args.both or not args.no_model:
        runs.append(run_check(feed, args.docs, no_model=False, label="model"))
    for r in runs:
        print(
            f"[{r['label']}] exit {r['exit']}: {r['documents']} documents, {r['failed']} failed the gate "
            f"(fail on critical), {r['flags']} flags, mean overall "
            + (f"{r['mean_overall']:.1f}" if r["mean_overall"] is not None else "n/a (rules only)")
        )
        print(
            f"[{r['label']}] wall {r['wall_s']:.1f} s = {r['docs_per_s']:.2f} docs/s end to end "
            f"(process start and model load included); auditing alone {r['audit_s']:.1f} s = "
            f"{r['audit_docs_per_s']:.2f} docs/s"
        )
        corpus = r["corpus"]
        if isinstance(corpus, dict):
            print(
                f"[{r['label']}] corpus BLEU {corpus['BLEU']:.2f} chrF {corpus['chrF']:.2f} "
                f"TER {corpus['TER']:.2f} | {corpus['signature']}"
            )
        print(f"[{r['label']}] reports: {r['reports']}")


if __name__ == "__main__":
    main()
