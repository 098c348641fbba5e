"""Build models/lexicon/fr-en.tsv: IBM Model 1 translation probabilities in both directions.

Training text (French/English sentence pairs, read from ../shared/bench):
- ParaCrawl human-evaluation samples (paracrawl-en-fr), pairs judged valid, free or machine translations
  (CC BY-SA 4.0);
- DIABLA dialogues (diabla-fr-en/dev.jsonl), French utterances and their English translations (CC BY-SA 4.0);
- WMT newstest 2012-2014 French sources and English references (wmt-fr-en; public shared-task release,
  research use);
- the Hansards trial and test-dev sentences, text only (never their gold alignments; Berkeley aligner
  distribution notice: research and education use), as unsupervised aligners are trained on the text they align.
The table inherits CC BY-SA 4.0 (models/lexicon/README.md). Run: python -m benchmarks.build_lexicon
"""

from __future__ import annotations

import csv
import json
import sys
import time
from pathlib import Path

from auditor.align.lexicon import LEXICON_DIR, frequent, tokenize, train_ibm1

BENCH = Path(__file__).resolve().parents[1].parent / "shared" / "bench"
MAX_TOKENS = 80
KEEP_PER_WORD = 8
MIN_PROB = 0.02


def _paracrawl() -> list[tuple[str, str]]:
    pairs = []
    for path in sorted((BENCH / "paracrawl-en-fr").glob("*/sorted.en-fr")):
        csv.field_size_limit(1 << 24)
        with path.open(encoding="utf-8", errors="replace") as handle:
            for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
                if len(row) < 6:
                    continue
                label = row[7] if len(row) == 9 else row[5]
                if label.strip() in {"V", "F", "MT"}:
                    pairs.append((row[3], row[2]))
    return pairs


def _diabla() -> list[tuple[str, str]]:
    pairs = []
    path = BENCH / "diabla-fr-en" / "dev.jsonl"
    if path.is_file():
        for line in path.open(encoding="utf-8"):
            item = json.loads(line)
            fr, en = item.get("source_fr"), item.get("mt_en")
            if fr and en:
                pairs.append((fr, en))
    return pairs


def _wmt() -> list[tuple[str, str]]:
    pairs = []
    for src, ref in [
        ("wmt12/newstest2012-src.fr", "wmt12/newstest2012-ref.en"),
        ("wmt13/newstest2013-src.fr", "wmt13/newstest2013-ref.en"),
        ("wmt14/newstest2014-fren-src.fr", "wmt14/newstest2014-fren-ref.en"),
    ]:
        a, b = BENCH / "wmt-fr-en" / src, BENCH / "wmt-fr-en" / ref
        if a.is_file() and b.is_file():
            pairs += list(
                zip(
                    a.read_text(encoding="utf-8").splitlines(),
                    b.read_text(encoding="utf-8").splitlines(),
                    strict=False,
                )
            )
    return pairs


def _hansards_text() -> list[tuple[list[str], list[str]]]:
    out = []
    for name in ("trial.jsonl", "test-dev.jsonl"):
        path = BENCH / "hansards-en-fr" / name
        if path.is_file():
            for line in path.open(encoding="utf-8"):
                item = json.loads(line)
                out.append(([w.lower() for w in item["fr_tokens"]], [w.lower() for w in item["en_tokens"]]))
    return out


def main() -> None:
    start = time.time()
    raw = _paracrawl() + _diabla() + _wmt()
    pairs = [(tokenize(fr, "fr"), tokenize(en, "en")) for fr, en in raw]
    pairs = [(f, e) for f, e in pairs if f and e and len(f) <= MAX_TOKENS and len(e) <= MAX_TOKENS]
    pairs += _hansards_text()
    print(f"{len(pairs)} sentence pairs", file=sys.stderr)
    fr_en = train_ibm1(pairs)
    en_fr = train_ibm1([(e, f) for f, e in pairs])
    fr_count, en_count = frequent(pairs)
    rows: dict[tuple[str, str], list[float]] = {}
    for (f, e), p in fr_en.items():
        if f != "<null>" and p >= MIN_PROB:
            rows.setdefault((f, e), [0.0, 0.0])[0] = p
    for (e, f), p in en_fr.items():
        if e != "<null>" and p >= MIN_PROB:
            rows.setdefault((f, e), [0.0, 0.0])[1] = p
    by_fr: dict[str, list[tuple[str, str]]] = {}
    for fr_word, en_word in rows:
        by_fr.setdefault(fr_word, []).append((fr_word, en_word))
    kept = []
    for keys in by_fr.values():
        keys.sort(key=lambda k: -max(rows[k]))
        for key in keys[:KEEP_PER_WORD]:
            # a pair seen once proves little: keep it only when both directions agree
            if min(fr_count[key[0]], en_count[key[1]]) < 2 and min(rows[key]) < 0.3:
                continue
            kept.append(key)
    LEXICON_DIR.mkdir(parents=True, exist_ok=True)
    out = LEXICON_DIR / "fr-en.tsv"
    with out.open("w", encoding="utf-8") as handle:
        for f, e in sorted(kept):
            p_ef, p_fe = rows[(f, e)]
            handle.write(f"{f}\t{e}\t{p_ef:.4f}\t{p_fe:.4f}\n")
    print(
        f"wrote {out} ({len(kept)} pairs, {out.stat().st_size / 1e6:.1f} MB) in {time.time() - start:.0f} s"
    )


if __name__ == "__main__":
    main()
