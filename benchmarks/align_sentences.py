"""Sentence alignment on TransRead (LIMSI gold alignments of French/English literary bitexts), given segmentation.

Data: ../shared/bench/transread-fr-en, six novels (Alice, Emma, La Faute de l'abbé Mouret, Les Confessions,
Les Travailleurs de la mer, Vingt mille lieues sous les mers). Sentences are the gold `<s>` elements of the
cut_*_{fr,en}.xml files (tokens joined by spaces); source = French, target = English. The aligner is also told
which `<p>` each sentence sits in (the document's own structure, as the audit pipeline tells it the text's
lines); Alice and Vingt mille lieues have paragraphs, the other four one `<p>` for the whole text.
`--no-paragraphs` leaves that out. No parameter depends on the novel. The evidence is, as in the audit
pipeline, length, anchors, the lexicon and the embedded sentence encoder (use-m3); `--no-encoder` leaves the
encoder out, `--model` adds the language model's sentence embeddings.

Measure (vecalign's score.py, score_multiple, which Bertalign's evaluation uses too): a link is a pair (source
indices, target indices). Strict: a predicted link is a true positive when the gold has exactly the same link.
Lax: a predicted link also counts when some of its source sentences are linked in the gold to some of its
target sentences. Precision = true positives / predicted links, null links (1-0, 0-1) included. Recall = the
same count taken the other way round, over links that are not null on either side (gold non-null links found
among the predicted non-null ones / gold non-null links). F1 is their harmonic mean. Counts are summed over
the six novels (micro-average over all links); per-novel figures are printed too. The last column is strict F1
with null links counted in recall as well (a stricter variant, which this benchmark reported until
2026-11-25 under vecalign's name). Speed (sentences per second, source plus
target, one CPU thread) and peak memory (tracemalloc: Python objects and numpy arrays) are measured on the
longest novel: the encoder's own throughput (every run of 1-5 sentences the aligner asks it for, from a cold
memo), the aligner's with the encoder's rows at hand, and the aligner's with the language model's embeddings
beside them.

Run: python -m benchmarks.align_sentences [--no-encoder] [--model] [--no-paragraphs] [--novel NAME]
(with the model, its sentence embeddings are cached under ~/.cache/auditor/bench-align: minutes per novel on a
CPU the first time)
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
import tracemalloc
import xml.etree.ElementTree as ET
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from auditor.align.sentences import Encoder, Evidence, Similarity, align_texts
from benchmarks.data import bench_root

Link = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass
class Novel:
    name: str
    source: list[str]  # French
    target: list[str]  # English
    gold: list[Link]
    source_paragraphs: list[int]  # the <p> each sentence sits in (one <p> for the novels that have none)
    target_paragraphs: list[int]


def _sentences(path: Path) -> tuple[list[str], dict[str, int], list[int]]:
    """The document's sentences (tokens joined by spaces), their ids' positions, and their paragraphs."""
    tree = ET.parse(path)
    texts: list[str] = []
    ids: dict[str, int] = {}
    paragraphs: list[int] = []
    for number, p in enumerate(tree.getroot().iter("p")):
        for s in p.iter("s"):
            ids[s.attrib["id"]] = len(texts)
            texts.append(" ".join((w.text or "").strip() for w in s.iter("w")).strip())
            paragraphs.append(number)
    return texts, ids, paragraphs


def load_novels(root: Path | None = None) -> list[Novel]:
    root = root or bench_root() / "transread-fr-en"
    novels = []
    for folder in sorted(root.glob("*_EN-FR")):
        name = folder.name.removesuffix("_EN-FR")
        en, en_ids, en_par = _sentences(folder / f"cut_{name}_en.xml")
        fr, fr_ids, fr_par = _sentences(folder / f"cut_{name}_fr.xml")
        text = (folder / f"{name}_sent_align_en-fr.xml").read_text(encoding="utf-8")
        gold: list[Link] = []
        seen = set()
        for xt in re.findall(r'xtargets="([^"]*)"', text):
            left, right = xt.split(";")
            e = tuple(sorted(en_ids[x] for x in left.split()))
            f = tuple(sorted(fr_ids[x] for x in right.split()))
            if (f, e) not in seen and (e or f):
                seen.add((f, e))
                gold.append((f, e))
        novels.append(Novel(name, fr, en, gold, fr_par, en_par))
    return novels


def _counts(gold: list[Link], test: list[Link]) -> tuple[int, int, int, int]:
    """(strict tp, strict fp, lax tp, lax fp) of `test` against `gold` (vecalign's _precision)."""
    gold_set = set(gold)
    src_to_tgt: dict[int, set[int]] = defaultdict(set)
    for src, tgt in gold:
        for s in src:
            src_to_tgt[s].update(tgt)
    tps = fps = tpl = fpl = 0
    for src, tgt in set(test):
        if (src, tgt) in gold_set:
            tps += 1
            tpl += 1
        else:
            fps += 1
            targets = set().union(*(src_to_tgt[s] for s in src)) if src else set()
            if targets & set(tgt):
                tpl += 1
            else:
                fpl += 1
    return tps, fps, tpl, fpl


@dataclass
class Score:
    strict: tuple[float, float, float]
    lax: tuple[float, float, float]


def _not_null(links: list[Link]) -> list[Link]:
    return [(src, tgt) for src, tgt in links if src and tgt]


def score(golds: list[list[Link]], tests: list[list[Link]], null_recall: bool = False) -> Score:
    """vecalign's score_multiple; `null_recall` counts null links in recall too."""
    p = [0, 0, 0, 0]
    r = [0, 0, 0, 0]
    for gold, test in zip(golds, tests, strict=True):
        p = [x + y for x, y in zip(p, _counts(gold, test), strict=True)]
        counted = _counts(test, gold) if null_recall else _counts(_not_null(test), _not_null(gold))
        r = [x + y for x, y in zip(r, counted, strict=True)]

    def prf(tp: int, fp: int, tp_r: int, fn: int) -> tuple[float, float, float]:
        prec = tp / (tp + fp) if tp + fp else 0.0
        rec = tp_r / (tp_r + fn) if tp_r + fn else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        return prec, rec, f1

    return Score(prf(p[0], p[1], r[0], r[1]), prf(p[2], p[3], r[2], r[3]))


CACHE = Path.home() / ".cache" / "auditor" / "bench-align"
_LM: list[object] = []


def model_evidence(novel: Novel) -> Evidence:
    """Sentence embeddings of both sides (cached on disk: a CPU needs minutes per novel)."""
    from auditor.align.embed import DEFAULT_LAYER, embed_texts, load_embedding_model

    digest = hashlib.sha256("\n".join([*novel.source, "\x0c", *novel.target]).encode()).hexdigest()[:16]
    path = CACHE / f"{novel.name}-L{DEFAULT_LAYER}-{digest}.npz"
    if path.is_file():
        data = np.load(path)
        return Evidence(data["source"], data["target"])
    if not _LM:
        _LM.append(load_embedding_model())
    source, target = embed_texts(_LM[0], novel.source), embed_texts(_LM[0], novel.target)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.savez(path, source=source, target=target)
    return Evidence(source, target)


def align_novel(
    novel: Novel, evidence: Similarity, paragraphs: bool, encoder: Encoder | None = None
) -> list[Link]:
    links = align_texts(
        novel.source,
        novel.target,
        similarity=evidence,
        encoder=encoder,
        source_lang="fr",
        target_lang="en",
        source_paragraphs=novel.source_paragraphs if paragraphs else None,
        target_paragraphs=novel.target_paragraphs if paragraphs else None,
    )
    return [(lk.source, lk.target) for lk in links]


def _row(name: str, golds: list[list[Link]], tests: list[list[Link]], speed: str) -> str:
    s = score(golds, tests)
    sp, sr, sf = s.strict
    lp, lr, lf = s.lax
    with_nulls = score(golds, tests, null_recall=True).strict[2]
    links = sum(len(g) for g in golds)
    return (
        f"{name[:28]:28s} {links:5d}  {sp:.3f} {sr:.3f} {sf:.3f}   {lp:.3f} {lr:.3f} {lf:.3f} {speed:>7s}"
        f"   {with_nulls:.3f}"
    )


def run(use_model: bool, only: str | None = None, paragraphs: bool = True, use_encoder: bool = True) -> int:
    if not (bench_root() / "transread-fr-en").is_dir():
        print(f"error: {bench_root() / 'transread-fr-en'} not found", file=sys.stderr)
        return 2
    from auditor.encoder import load_encoder

    encoder = load_encoder() if use_encoder else None
    novels = [n for n in load_novels() if not only or only.lower() in n.name.lower()]
    golds, tests = [], []
    print(
        f"{'novel':28s} {'links':>5s}  {'strict P/R/F1':17s}   {'lax P/R/F1':17s} {'sent/s':>7s}"
        "   strict F1, null links in recall too"
    )
    for novel in novels:
        evidence: Similarity = model_evidence(novel) if use_model else None
        start = time.perf_counter()
        test = align_novel(novel, evidence, paragraphs, encoder)
        speed = (len(novel.source) + len(novel.target)) / max(time.perf_counter() - start, 1e-9)
        print(_row(novel.name, [novel.gold], [test], f"{speed:.0f}"))
        golds.append(novel.gold)
        tests.append(test)
    evidence_name = "length+anchors+lexical" + ("+encoder" if use_encoder else "")
    evidence_name += ("+model" if use_model else "") + ("+paragraphs" if paragraphs else "")
    print(_row("micro-average", golds, tests, ""))
    print(f"evidence: {evidence_name} (sent/s above include encoding each novel's sentence runs)")
    longest = max(novels, key=lambda nv: len(nv.source) + len(nv.target))
    sents = len(longest.source) + len(longest.target)
    fresh = None
    if use_encoder:
        from auditor.encoder.backends import UseEncoder
        from auditor.encoder.manifest import find_encoder_manifest

        manifest = find_encoder_manifest("use-m3")
        assert manifest is not None
        fresh = UseEncoder(manifest)
        fresh.encode(["warm-up"])
        start = time.perf_counter()
        align_novel(longest, None, paragraphs, fresh)
        cold = time.perf_counter() - start
        texts = len(fresh._memo) - 1
        print(
            f"encoder use-m3 on {longest.name}: {texts} texts (runs of 1-3 sentences; longer runs sum their parts) encoded and aligned in "
            f"{cold:.2f} s ({sents / cold:.0f} sentences/s end to end)"
        )
    variants: list[tuple[str, Similarity]] = [("without the LM", None)]
    if use_model:
        variants.append(("with the LM's embeddings (precomputed)", model_evidence(longest)))
    for label, evidence in variants:
        start = time.perf_counter()
        align_novel(longest, evidence, paragraphs, fresh)
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        align_novel(longest, evidence, paragraphs, fresh)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            f"longest novel {longest.name}, {label}: {sents} sentences aligned in {elapsed:.2f} s "
            f"({sents / elapsed:.0f} sentences/s, one CPU thread, encoder rows memoised); peak memory the "
            f"aligner allocates (tracemalloc, Python and numpy) {peak / 2**20:.1f} MiB"
        )
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="store_true", help="add the language model's sentence embeddings")
    parser.add_argument("--no-encoder", action="store_true", help="leave the sentence encoder out")
    parser.add_argument("--novel", help="only novels whose name contains this")
    parser.add_argument("--no-paragraphs", action="store_true", help="ignore the <p> structure of the texts")
    args = parser.parse_args()
    code = run(args.model, args.novel, not args.no_paragraphs, not args.no_encoder)
    if code:
        sys.exit(code)


if __name__ == "__main__":
    main()
