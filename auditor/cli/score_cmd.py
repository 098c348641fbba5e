"""`auditor score -s SRC -t HYP [-r REF]`: a score line per segment, then the system (like comet-score)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli import app, fail
from auditor.cli.options import ModelOption, SrcLangOption, TgtLangOption


class ScoreFormat(StrEnum):
    tsv = "tsv"
    json = "json"


def _lines(path: Path) -> list[str]:
    from auditor.io.text import read_text_file

    text = read_text_file(path)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@app.command()
def score(
    hypotheses: Annotated[
        Path, typer.Option("--translation", "-t", help="Translations, one segment a line.")
    ],
    sources: Annotated[
        Path | None, typer.Option("--source", "-s", help="Sources, one segment a line.")
    ] = None,
    references: Annotated[
        Path | None, typer.Option("--reference", "-r", help="References, one a line (adds chrF and BLEU).")
    ] = None,
    src_lang: SrcLangOption = "fr",
    tgt_lang: TgtLangOption = "en",
    model: ModelOption = "gemma-3-270m",
    output_format: Annotated[ScoreFormat, typer.Option("--format", "-f")] = ScoreFormat.tsv,
) -> None:
    """Score line-aligned segments: fidelity, fluency, overall (0-100); chrF and BLEU when -r is given."""
    from auditor.pipeline import resolve_model, signature
    from auditor.scoring.segments import score_pairs

    hyps = _lines(hypotheses)
    srcs = _lines(sources) if sources else None
    refs = _lines(references) if references else None
    for name, other in (("--source", srcs), ("--reference", refs)):
        if other is not None and len(other) != len(hyps):
            fail(f"{name} has {len(other)} lines but --translation has {len(hyps)}")
    lm = resolve_model(model)
    results = score_pairs(hyps, srcs, model=lm, src_lang=src_lang, tgt_lang=tgt_lang)
    sig = signature(lm)
    rows = []
    for i, s in enumerate(results):
        row: dict[str, float | int | None] = {
            "segment": i, "fidelity": s.fidelity, "fluency": s.fluency, "overall": s.overall,
        }  # fmt: skip
        rows.append(row)
    system: dict[str, float | str | None] = {}
    n = max(1, len(results))
    for key in ("fidelity", "fluency", "overall"):
        values = [r[key] for r in rows if r[key] is not None]
        system[key] = round(sum(values) / len(values), 2) if values else None  # type: ignore[arg-type]
    if refs is not None:
        import sacrebleu
        from sacrebleu.metrics import BLEU, CHRF

        chrf, bleu = CHRF(), BLEU(effective_order=True)
        for row, hyp, ref in zip(rows, hyps, refs, strict=True):
            row["chrf"] = round(chrf.sentence_score(hyp, [ref]).score, 2)
            row["bleu"] = round(bleu.sentence_score(hyp, [ref]).score, 2)
        corpus_chrf, corpus_bleu = CHRF(), BLEU()
        system["chrf"] = round(corpus_chrf.corpus_score(hyps, [refs]).score, 2)
        system["bleu"] = round(corpus_bleu.corpus_score(hyps, [refs]).score, 2)
        system["chrf_signature"] = str(corpus_chrf.get_signature())
        system["bleu_signature"] = str(corpus_bleu.get_signature())
        del sacrebleu
    system["segments"] = n
    system["signature"] = sig
    if output_format is ScoreFormat.json:
        typer.echo(json.dumps({"segments": rows, "system": system}, ensure_ascii=False, indent=2))
        return
    keys = [k for k in rows[0] if k != "segment"] if rows else []
    typer.echo("\t".join(["segment", *keys]))
    for row in rows:
        typer.echo("\t".join(str(row[k]) if row[k] is not None else "-" for k in ["segment", *keys]))
    summary = "\t".join(f"{k}={system[k]}" for k in keys if k in system)
    typer.echo(f"system\t{summary}\tsegments={n}")
    typer.echo(f"signature\t{sig}")
    if refs is not None:
        typer.echo(f"chrF signature\t{system['chrf_signature']}")
        typer.echo(f"BLEU signature\t{system['bleu_signature']}")
