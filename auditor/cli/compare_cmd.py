"""`auditor compare A B --source SRC`: which of two translations of one source is better.

Both are audited against the source; their segments are paired through the source sentences they
translate, and the difference of their overall scores is tested with paired bootstrap resampling, the way
sacreBLEU's `--paired-bs` does (1000 resamples, fixed seed; p-value as in its `_compute_p_value`).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer

from auditor.cli import app, fail, interruptible
from auditor.errors import AuditorError, InputError
from auditor.report import Report


@dataclass
class Bootstrap:
    """Paired bootstrap of mean(B) - mean(A) over paired segment scores."""

    n: int
    mean_a: float
    mean_b: float
    delta: float
    ci_low: float
    ci_high: float
    ci_a: float
    ci_b: float
    p_value: float
    samples: int
    seed: int


def paired_bootstrap(a: list[float], b: list[float], *, samples: int = 1000, seed: int = 12345) -> Bootstrap:
    """sacreBLEU's paired bootstrap on segment scores (the metric is the mean score).

    The same resampled indices serve both systems. p-value: the share of resamples whose centred
    |B - A| difference exceeds the observed |B - A| (with +1 smoothing), as sacreBLEU computes it.
    CIs: 95% half-widths around the bootstrap means (sacreBLEU's `estimate_ci`); `ci_low`/`ci_high`
    bound the difference with the 2.5th and 97.5th percentiles.
    """
    if len(a) != len(b) or not a:
        raise ValueError("paired bootstrap needs two equal, non-empty lists of scores")
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(x), size=(samples, len(x)), replace=True)
    means_a, means_b = x[idx].mean(axis=1), y[idx].mean(axis=1)
    observed = abs(float(y.mean() - x.mean()))
    sample_diffs = np.abs(means_b - means_a)
    stats = sample_diffs - sample_diffs.mean()
    p_value = (int(np.sum(stats > observed)) + 1) / (samples + 1)
    if not np.any(x != y):
        p_value = 1.0  # identical scores: sacreBLEU's formula would give 1/(samples+1) here
    deltas = np.sort(means_b - means_a)

    def half_width(values: np.ndarray) -> float:
        values = np.sort(values)
        lower = len(values) // 40
        return float(0.5 * (values[len(values) - lower - 1] - values[lower]))

    return Bootstrap(
        n=len(x),
        mean_a=float(x.mean()),
        mean_b=float(y.mean()),
        delta=float(y.mean() - x.mean()),
        ci_low=float(np.percentile(deltas, 2.5)),
        ci_high=float(np.percentile(deltas, 97.5)),
        ci_a=half_width(means_a),
        ci_b=half_width(means_b),
        p_value=p_value,
        samples=samples,
        seed=seed,
    )


def scores_by_source(report: Report) -> dict[int, float]:
    """Overall score of the segment translating each source sentence (a 2-1 link gives both its score)."""
    out: dict[int, float] = {}
    for segment in report.segments:
        if segment.scores is None or not segment.target_indices:
            continue
        for index in segment.source_indices:
            out[index] = segment.scores.overall
    return out


def pair_segments(a: Report, b: Report) -> list[tuple[int, float, float]]:
    """(source sentence, score in A, score in B) for every source sentence both translate."""
    sa, sb = scores_by_source(a), scores_by_source(b)
    return [(i, sa[i], sb[i]) for i in sorted(set(sa) & set(sb))]


class CompareFormat(StrEnum):
    text = "text"
    json = "json"


def _source_sentence(report: Report, index: int) -> str:
    for segment in report.segments:
        if index in segment.source_indices:
            return segment.source_text
    return ""


@app.command()
def compare(
    a: Annotated[Path, typer.Argument(help="Translation A (UTF-8 text).")],
    b: Annotated[Path, typer.Argument(help="Translation B (UTF-8 text).")],
    source: Annotated[Path, typer.Option("--source", "-s", help="The source both translate.")],
    reference: Annotated[
        Path | None, typer.Option("--reference", "-r", help="A reference: adds BLEU/chrF/TER.")
    ] = None,
    output_format: Annotated[
        CompareFormat, typer.Option("--format", help="text or json.")
    ] = CompareFormat.text,
    html: Annotated[
        Path | None, typer.Option("--html", help="Write B's HTML report with a word diff against A.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing --html file.")] = False,
    samples: Annotated[int, typer.Option("--samples", min=100, help="Bootstrap resamples.")] = 1000,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed of the resampling (sacreBLEU's default).")
    ] = 12345,
    model: Annotated[
        str, typer.Option("--model", help="Language model (a manifest name or a folder).")
    ] = "gemma-3-270m",
    src_lang: Annotated[
        str | None, typer.Option("--src-lang", help="Source language (detected if omitted).")
    ] = None,
    tgt_lang: Annotated[
        str | None, typer.Option("--tgt-lang", help="Target language (detected if omitted).")
    ] = None,
) -> None:
    """Which of translations A and B of SOURCE is better, per segment and overall, with significance."""
    from auditor.cli.options import check_languages
    from auditor.io.output import preflight, write_atomic
    from auditor.io.text import read_text_file

    try:
        check_languages(src_lang, tgt_lang)
        preflight([html], force=force)
        if sum(1 for p in (a, b, source, reference) if str(p) == "-") > 1:
            raise InputError("only one input can be - (stdin)")
        src_text = read_text_file(source)
        a_text, b_text = read_text_file(a), read_text_file(b)
        ref_text = read_text_file(reference) if reference is not None else None
        from auditor.lm.model import load_model
        from auditor.pipeline import audit

        with interruptible("nothing was compared"):
            lm = load_model(model)
            report_a, report_b = (
                audit(text, src_text, src_lang=src_lang, tgt_lang=tgt_lang, model=lm, target_name=str(name),
                      source_name=str(source))
                for text, name in ((a_text, a), (b_text, b))
            )  # fmt: skip
    except AuditorError as error:
        fail(str(error))
        return
    pairs = pair_segments(report_a, report_b)
    if not pairs:
        fail("no source sentence has a scored translation in both A and B")
        return
    result = paired_bootstrap([p[1] for p in pairs], [p[2] for p in pairs], samples=samples, seed=seed)
    metrics = None
    if ref_text is not None:
        from auditor.scoring.reference import document_scores

        metrics = {
            "A": document_scores(a_text, ref_text, report_a.target_lang),
            "B": document_scores(b_text, ref_text, report_b.target_lang),
        }
    if html is not None:
        from auditor.render.html import render_html

        write_atomic(
            html,
            render_html(report_b, compare_with=("translation A", a_text), metrics=metrics and metrics["B"]),
        )
    verdict = _verdict(result)
    if output_format is CompareFormat.json:
        payload = {
            "schema": "auditor.compare/1",
            "a": {"file": str(a), "scores": report_a.to_json()["scores"], "flags": len(report_a.flags)},
            "b": {"file": str(b), "scores": report_b.to_json()["scores"], "flags": len(report_b.flags)},
            "segments": [{"source_index": i, "a": sa, "b": sb, "difference": sb - sa} for i, sa, sb in pairs],
            "bootstrap": result.__dict__,
            "verdict": verdict,
            "reference_metrics": metrics,
            "signature": report_a.signature,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return
    _print_text(report_a, report_b, pairs, result, verdict, metrics, str(a), str(b))


def _verdict(result: Bootstrap, alpha: float = 0.05) -> str:
    if result.p_value >= alpha or result.delta == 0:
        return f"no significant difference (p = {result.p_value:.4f})"
    better = "B" if result.delta > 0 else "A"
    return f"{better} is better (p = {result.p_value:.4f})"


def _print_text(
    report_a: Report,
    report_b: Report,
    pairs: list[tuple[int, float, float]],
    result: Bootstrap,
    verdict: str,
    metrics: dict[str, Any] | None,
    name_a: str,
    name_b: str,
) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if not console.is_terminal:
        console = Console(width=120)  # rich would wrap a log at 80 columns
    table = Table(title="Per source sentence (overall score)", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("source", overflow="fold", ratio=2)
    table.add_column("A", justify="right")
    table.add_column("B", justify="right")
    table.add_column("B-A", justify="right")
    table.add_column("better")
    for index, sa, sb in pairs:
        diff = sb - sa
        better = "B" if diff > 1 else "A" if diff < -1 else "="
        table.add_row(
            str(index + 1),
            Text(_source_sentence(report_a, index)[:90]),
            f"{sa:.1f}",
            f"{sb:.1f}",
            f"{diff:+.1f}",
            better,
        )
    console.print(table, markup=False)
    console.print(
        f"A = {name_a}: document overall {report_a.scores.overall:.1f}, {len(report_a.flags)} flags",
        markup=False,
    )
    console.print(
        f"B = {name_b}: document overall {report_b.scores.overall:.1f}, {len(report_b.flags)} flags",
        markup=False,
    )
    console.print(
        f"paired bootstrap over {result.n} segments ({result.samples} resamples, seed {result.seed}):\n"
        f"  mean A {result.mean_a:.2f} (± {result.ci_a:.2f})"
        f"   mean B {result.mean_b:.2f} (± {result.ci_b:.2f})\n"
        f"  B - A = {result.delta:+.2f}, 95% CI [{result.ci_low:+.2f}, {result.ci_high:+.2f}]\n"
        f"  {verdict}",
        markup=False,
    )
    if metrics:
        for side in ("A", "B"):
            m = metrics[side]
            console.print(
                f"{side} vs reference: BLEU {m['BLEU']:.2f}  chrF {m['chrF']:.2f}  TER {m['TER']:.2f}",
                markup=False,
            )
        for signature in metrics["A"]["signature"].split("; "):
            console.print(f"  {signature}", markup=False, soft_wrap=True)
    console.print(f"signature: {report_a.signature}", markup=False, soft_wrap=True)
