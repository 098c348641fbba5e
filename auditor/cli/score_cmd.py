"""`auditor score -s SRC -t HYP [-r REF]`: a score line per segment, then the system (like comet-score)."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from auditor.cli import app, fail, interruptible
from auditor.cli.options import MaxCharsOption, ModelOption, SrcLangOption, TgtLangOption, check_languages
from auditor.io.text import DEFAULT_MAX_CHARS


class ScoreFormat(StrEnum):
    tsv = "tsv"
    json = "json"


def _lines(path: Path, max_chars: int | None) -> list[str]:
    from auditor.io.text import check_length, read_text_file

    text = read_text_file(path)
    check_length(text, str(path), max_chars)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


@app.command()
def score(
    hypotheses: Annotated[
        Path, typer.Option("--translation", "-t", help="Translations, one segment a line (- for stdin).")
    ],
    sources: Annotated[
        Path | None, typer.Option("--source", "-s", help="Sources, one segment a line.")
    ] = None,
    references: Annotated[
        Path | None, typer.Option("--reference", "-r", help="References, one a line (adds chrF and BLEU).")
    ] = None,
    src_lang: SrcLangOption = None,
    tgt_lang: TgtLangOption = None,
    model: ModelOption = "gemma-3-270m",
    output_format: Annotated[ScoreFormat, typer.Option("--format", "-f")] = ScoreFormat.tsv,
    max_chars: MaxCharsOption = DEFAULT_MAX_CHARS,
) -> None:
    """Score line-aligned segments: fidelity, fluency, overall (0-100); chrF and BLEU when -r is given."""
    from auditor.io.output import is_stdio
    from auditor.pipeline import detect_pair, resolve_model, signature
    from auditor.scoring.segments import score_pairs

    check_languages(src_lang, tgt_lang)
    if sum(1 for p in (hypotheses, sources, references) if is_stdio(p)) > 1:
        fail("only one input can be - (stdin)")
    hyps = _lines(hypotheses, max_chars)
    srcs = _lines(sources, max_chars) if sources else None
    refs = _lines(references, max_chars) if references else None
    for name, other in (("--source", srcs), ("--reference", refs)):
        if other is not None and len(other) != len(hyps):
            fail(f"{name} has {len(other)} lines but --translation has {len(hyps)}")
    src_lang, tgt_lang = detect_pair(hyps, srcs, src_lang, tgt_lang)
    with interruptible("nothing was scored"):
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
        system["languages"] = {"source": src_lang, "target": tgt_lang}  # type: ignore[assignment]
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
