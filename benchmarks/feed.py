"""`auditor check` on a WMT feed at CI scale: first run, unchanged rerun, rerun after 10 edits, --jobs 2,
--backend ray, and peak memory against feed size.

Data: ../shared/bench/wmt-fr-en (newstest2012 and newstest2013 fr-en: source, reference, system outputs,
one segment a line; the plain-text release has no document boundaries). A document is 5-10 consecutive
source lines (the length drawn with a fixed seed) with one system's output for them and the reference; the
documents alternate between the two years and cycle through the systems. Every run is `auditor check` in a
subprocess, as CI runs it, with its own result cache folder (AUDITOR_RESULT_CACHE) and `-o` reports.

Printed, with the anchors computed in the same run:
- with the model (`--model-docs` documents): the first run, the unchanged second run (speed-up, documents
  reused), the run after editing one target line in each of 10 documents (segments re-scored, which must be
  exactly the 10 edited ones), `--jobs 2` and `--backend ray` (local Ray, 2 CPUs) first runs: wall time and
  whether their results.jsonl are byte-identical to the one-job run;
- peak RSS of a `--docs`-document run against a 50-document run (rules only with `--rss-rules`, the default:
  with the model the big run does not fit a short benchmark on a shared 2-core machine).

Run: python -m benchmarks.feed [--docs 1000] [--model-docs 20] [--skip-jobs] [--skip-ray] [--rss-model]
     [--skip-model | --skip-rss]
(README numbers: --model-docs 4 --skip-rss and --skip-model --docs 1000, OMP_NUM_THREADS=1, on a 2-core machine
shared with other jobs.)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.data import bench_root

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench-results" / "feed"
EDITS = 10


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def build_feed(path: Path, docs: int, seed: int = 12) -> int:
    """Write `docs` documents to `path` (JSONL); returns the number of source lines in them."""
    years: list[dict[str, Any]] = []
    for year in ("12", "13"):
        wmt = bench_root() / "wmt-fr-en" / f"wmt{year}"
        outputs = sorted((wmt / "system-outputs").iterdir())
        years.append(
            {
                "name": f"newstest20{year}",
                "src": _lines(wmt / f"newstest20{year}-src.fr"),
                "ref": _lines(wmt / f"newstest20{year}-ref.en"),
                "systems": [(p.name.split(".fr-en.")[-1], _lines(p)) for p in outputs],
                "at": 0,
            }
        )
    rng = random.Random(seed)
    total = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for d in range(docs):
            corpus = years[d % 2]
            size = rng.randint(5, 10)
            start = corpus["at"] % (len(corpus["src"]) - 11)
            corpus["at"] = start + size
            system, hyp = corpus["systems"][(d // 2) % len(corpus["systems"])]
            part = slice(start, start + size)
            row = {
                "id": f"{corpus['name']}-{start + 1:04d}-{start + size:04d}-{system}",
                "source": "\n".join(corpus["src"][part]) + "\n",
                "target": "\n".join(hyp[part]) + "\n",
                "reference": "\n".join(corpus["ref"][part]) + "\n",
                "source_lang": "fr",
                "target_lang": "en",
            }
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            total += size
    return total


def edit_feed(source: Path, target: Path, edits: int) -> list[str]:
    """Copy the feed, changing one word in one target line of each of `edits` documents spread over it."""
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    step = max(1, len(rows) // edits)
    edited: list[str] = []
    for row in rows[::step]:
        if len(edited) == edits:
            break
        lines = row["target"].split("\n")
        k = next((i for i, line in enumerate(lines) if " the " in line), None)
        if k is None:
            continue
        lines[k] = lines[k].replace(" the ", " this ", 1)
        row["target"] = "\n".join(lines)
        edited.append(row["id"])
    target.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return edited


def run_check(feed: Path, label: str, cache: Path, *extra: str) -> dict[str, Any]:
    reports = OUT / f"reports-{label}"
    if reports.exists():
        shutil.rmtree(reports)
    command = [
        sys.executable, "-c", "from auditor.cli import main; main()",
        "check", str(feed), "--fail-on", "none", "-o", str(reports), "--format", "json", *extra,
    ]  # fmt: skip
    env = {
        **os.environ,
        "AUDITOR_RESULT_CACHE": str(cache),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "2"),
    }
    started = time.perf_counter()
    with (OUT / f"check-{label}.json").open("w") as stdout, (OUT / f"check-{label}.log").open("w") as stderr:
        process = subprocess.Popen(command, stdout=stdout, stderr=stderr, env=env, cwd=ROOT)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        log = (OUT / f"check-{label}.log").read_text(encoding="utf-8")[-2000:]
        raise SystemExit(f"error: [{label}] auditor check exited {code}:\n{log}")
    info = subprocess.run(
        [sys.executable, "-c", "from auditor.cli import main; main()", "cache", "info", "--json"],
        capture_output=True, text=True, env=env, cwd=ROOT, check=True,
    )  # fmt: skip
    last = json.loads(info.stdout)["last_run"]
    results = (reports / "results.jsonl").read_bytes()
    documents = results.count(b"\n")
    return {
        "label": label,
        "wall": wall,
        "documents": documents,
        "docs_per_s": documents / wall,
        "rss_mib": usage.ru_maxrss / 1024,
        "results": results,
        **{k: last[k] for k in ("documents_hit", "documents_missed", "segments_hit", "segments_scored")},
    }


def show(r: dict[str, Any]) -> None:
    print(
        f"[{r['label']}] wall {r['wall']:.1f} s, {r['documents']} documents = {r['docs_per_s']:.2f} docs/s; "
        f"segments scored {r['segments_scored']}, segment cache hits {r['segments_hit']}; documents reused "
        f"{r['documents_hit']}, audited {r['documents_missed']}; peak RSS {r['rss_mib']:.0f} MiB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--docs", type=int, default=1000, help="documents of the big feed (memory runs)")
    parser.add_argument("--model-docs", type=int, default=20, help="documents of the with-model runs")
    parser.add_argument("--skip-ray", action="store_true")
    parser.add_argument("--skip-jobs", action="store_true")
    parser.add_argument("--rss-model", action="store_true", help="the memory runs with the model too")
    parser.add_argument("--skip-model", action="store_true", help="only the memory runs")
    parser.add_argument("--skip-rss", action="store_true", help="only the with-model runs")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    caches = OUT / "caches"
    if caches.exists():
        shutil.rmtree(caches)

    if not args.skip_model:
        model_runs(args, caches)
    if not args.skip_rss:
        memory_runs(args, caches)


def model_runs(args: argparse.Namespace, caches: Path) -> None:
    feed = OUT / f"wmt-feed-{args.model_docs}.jsonl"
    lines = build_feed(feed, args.model_docs)
    print(f"feed: {feed} ({args.model_docs} documents, {lines} source lines, WMT12+WMT13 fr-en)", flush=True)
    first = run_check(feed, "first", caches / "main")
    show(first)
    second = run_check(feed, "unchanged", caches / "main")
    show(second)
    print(
        f"unchanged rerun: {first['wall'] / second['wall']:.1f}x faster than the first run "
        f"(must be >= 20x); {second['documents_hit']} of {second['documents']} documents reused, "
        f"results byte-identical: {second['results'] == first['results']}",
        flush=True,
    )
    edited_feed = OUT / f"wmt-feed-{args.model_docs}-edited.jsonl"
    edited = edit_feed(feed, edited_feed, EDITS)
    third = run_check(edited_feed, "edited", caches / "main")
    show(third)
    print(
        f"after editing one target line in each of {len(edited)} documents: {third['segments_scored']} "
        f"segments re-scored (expected exactly {len(edited)}), {third['documents_missed']} documents audited, "
        f"{third['documents_hit']} reused",
        flush=True,
    )
    if not args.skip_jobs:
        jobs = run_check(feed, "jobs2", caches / "jobs2", "--jobs", "2")
        show(jobs)
        print(f"--jobs 2 first run: {jobs['wall']:.1f} s against {first['wall']:.1f} s for one job; "
              f"results.jsonl byte-identical to --jobs 1: {jobs['results'] == first['results']}", flush=True)  # fmt: skip
    if not args.skip_ray:
        ray = run_check(feed, "ray", caches / "ray", "--backend", "ray", "--jobs", "2")
        show(ray)
        print(f"--backend ray (local, 2 CPUs) first run: {ray['wall']:.1f} s; results.jsonl byte-identical "
              f"to --jobs 1: {ray['results'] == first['results']}", flush=True)  # fmt: skip


def memory_runs(args: argparse.Namespace, caches: Path) -> None:
    mode = [] if args.rss_model else ["--no-model"]
    what = "with the model" if args.rss_model else "rules only (--no-model)"
    big_feed, small_feed = OUT / f"wmt-feed-{args.docs}.jsonl", OUT / "wmt-feed-50.jsonl"
    build_feed(big_feed, args.docs)
    build_feed(small_feed, 50)
    small = run_check(small_feed, "rss-50", caches / "rss-50", *mode)
    show(small)
    big = run_check(big_feed, f"rss-{args.docs}", caches / "rss-big", *mode)
    show(big)
    print(
        f"peak RSS, {what}: {args.docs} documents {big['rss_mib']:.0f} MiB, 50 documents "
        f"{small['rss_mib']:.0f} MiB = {big['rss_mib'] / small['rss_mib']:.2f}x (must be <= 1.5x)",
        flush=True,
    )


if __name__ == "__main__":
    main()
