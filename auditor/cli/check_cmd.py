"""`auditor check FEED`: audit every document of a feed and gate CI on the results.

Exit status: 0 every document passed the gate, 1 at least one failed it, 2 usage or input error.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from auditor.cli import app, fail
from auditor.cli.options import (
    ConfigOption,
    DisableOption,
    ModelOption,
    NoModelOption,
    SeverityOption,
    SrcLangOption,
    TgtLangOption,
)
from auditor.errors import AuditorError
from auditor.io.feed import FeedDocument
from auditor.render.gate import Gate, fmt_score, json_safe, known
from auditor.report import Report, Severity

if TYPE_CHECKING:
    from auditor.checks.registry import RuleConfig


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"


@dataclass
class Checked:
    """One audited document with what the gate and the references said."""

    document: FeedDocument
    report: Report
    seconds: float
    passed: bool
    reasons: list[str]
    metrics: dict[str, Any] | None = None


def gate_reasons(report: Report, gate: Gate) -> list[str]:
    reasons = [f"{f.severity} {f.rule} {f.category}" for f in gate.gating_flags(report)]
    score = gate.score_failure(report)
    if score:
        reasons.append(score)
    return reasons


def _counts(report: Report) -> dict[str, int]:
    return {str(s): sum(1 for f in report.flags if f.severity == s) for s in Severity}


def audit_document(
    doc: FeedDocument,
    model: Any,
    *,
    src_lang: str | None,
    tgt_lang: str | None,
    rules: RuleConfig | None = None,
) -> Report:
    from auditor.pipeline import audit

    return audit(
        doc.target,
        doc.source,
        src_lang=doc.source_lang or src_lang,
        tgt_lang=doc.target_lang or tgt_lang,
        model=model,
        rules=rules,
        target_name=doc.id,
        source_name=f"{doc.id}.source" if doc.source is not None else None,
    )


def load_feed_model(name: str, no_model: bool) -> Any:
    if no_model:
        return None
    from auditor.lm.model import load_model

    return load_model(name)


@app.command()
def check(
    feed: Annotated[
        Path,
        typer.Argument(help="A .jsonl feed, a folder of NAME.src.txt/NAME.tgt.txt pairs, or XLIFF/TMX/PO."),
    ],
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Fail a document with a flag this severe or worse: minor, major, critical, none.",
        ),
    ] = "critical",
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", help="Fail a document whose overall score (0-100) is under this."),
    ] = None,
    output_format: Annotated[
        CheckFormat,
        typer.Option("--format", help="What goes to stdout: text (summary table), json, junit, sarif."),
    ] = CheckFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write an HTML report per document and an index.html into this folder."
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML to this file.")] = None,
    sarif: Annotated[
        Path | None, typer.Option("--sarif", help="Also write SARIF 2.1.0 to this file.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing output files; write into a non-empty folder.")
    ] = False,
    model: ModelOption = "gemma-3-270m",
    no_model: NoModelOption = False,
    src_lang: SrcLangOption = None,
    tgt_lang: TgtLangOption = None,
    disable: DisableOption = None,
    severity: SeverityOption = None,
    config: ConfigOption = None,
) -> None:
    """Audit every document of FEED; exit 0 if all pass the gate, 1 if any fails, 2 on bad input."""
    from auditor.checks.config import rule_config
    from auditor.io.feed import read_feed
    from auditor.io.output import check_output_dir, check_writable

    try:
        gate = Gate.parse(fail_on, fail_under)
    except ValueError as error:
        fail(str(error))
        return
    if no_model and fail_under is not None:
        fail("--fail-under needs model scores; drop --no-model or gate with --fail-on")
        return
    err = _console(stderr=True)
    try:
        if output is not None:
            check_output_dir(output, force=force)
        for path in (junit, sarif):
            if path is not None:
                check_writable(path, force=force)
        rules = rule_config(
            pyproject=config, start=Path.cwd(), disable=disable or (), severity=severity or ()
        )
        documents = read_feed(feed)
        lm = load_feed_model(model, no_model)
        results = _run(documents, lm, gate, err, src_lang=src_lang, tgt_lang=tgt_lang, rules=rules)
    except AuditorError as error:
        fail(str(error))
        return
    corpus = _corpus_metrics(results)
    _write_outputs(results, gate, corpus, output=output, junit=junit, sarif=sarif, feed=feed)
    failed = sum(1 for r in results if not r.passed)
    if output_format is CheckFormat.text:
        _print_summary(results, gate, corpus, _console(stderr=False), output)
    else:
        _print_summary(results, gate, corpus, err, output)
        sys.stdout.write(_formatted(output_format, results, gate, corpus))
        sys.stdout.flush()
    raise typer.Exit(1 if failed else 0)


def _console(*, stderr: bool) -> Any:
    from rich.console import Console

    console = Console(stderr=stderr)
    # In CI logs (no terminal) rich would wrap at 80 columns; a wider table reads better there.
    return console if console.is_terminal else Console(stderr=stderr, width=120)


def _run(
    documents: list[FeedDocument],
    lm: Any,
    gate: Gate,
    console: Any,
    *,
    src_lang: str | None,
    tgt_lang: str | None,
    rules: RuleConfig | None = None,
) -> list[Checked]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from rich.text import Text

    from auditor.scoring.reference import document_scores

    results: list[Checked] = []
    columns = (
        TextColumn("[bold]checking"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[doc]}"),
    )
    # In a CI log (no terminal) rich draws the bar once, at the end: a line per document shows progress.
    lines = not console.is_terminal
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("check", total=len(documents), doc="")
        for number, doc in enumerate(documents, start=1):
            progress.update(task, doc=doc.id[:40])
            started = time.perf_counter()
            try:
                report = audit_document(doc, lm, src_lang=src_lang, tgt_lang=tgt_lang, rules=rules)
            except AuditorError as error:
                raise AuditorError(f"{doc.origin or doc.id}: {error}") from None
            seconds = time.perf_counter() - started
            metrics = (
                document_scores(doc.target, doc.reference, report.target_lang) if doc.reference else None
            )
            reasons = gate_reasons(report, gate)
            results.append(Checked(doc, report, seconds, not reasons, reasons, metrics))
            progress.advance(task)
            if lines:
                status = "pass" if not reasons else "FAIL"
                line = f"[{number}/{len(documents)}] {doc.id} {seconds:.1f}s {status}"
                console.print(Text(line), soft_wrap=True)
        progress.update(task, doc="")
    return results


def _corpus_metrics(results: list[Checked]) -> dict[str, Any] | None:
    from auditor.scoring.reference import corpus_scores

    pairs = [(r.document.target, r.document.reference) for r in results if r.document.reference is not None]
    if not pairs:
        return None
    langs = {r.report.target_lang for r in results}
    return corpus_scores(pairs, langs.pop() if len(langs) == 1 else None)


def _formatted(fmt: CheckFormat, results: list[Checked], gate: Gate, corpus: dict[str, Any] | None) -> str:
    reports = [r.report for r in results]
    if fmt is CheckFormat.junit:
        from auditor.render.junit import render_junit

        return render_junit(reports, gate, durations=[r.seconds for r in results])
    if fmt is CheckFormat.sarif:
        from auditor.render.sarif import render_sarif

        return render_sarif(reports)
    import json

    payload = {
        "schema": "auditor.check/1",
        "gate": {"fail_on": str(gate.fail_on) if gate.fail_on else None, "fail_under": gate.fail_under},
        "passed": all(r.passed for r in results),
        "corpus_metrics": corpus,
        "documents": [
            {
                "id": r.document.id,
                "origin": r.document.origin,
                "passed": r.passed,
                "reasons": r.reasons,
                "seconds": round(r.seconds, 3),
                "reference_metrics": r.metrics,
                "report": r.report.to_json(),
            }
            for r in results
        ],
    }
    return json.dumps(json_safe(payload), ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def _write_outputs(
    results: list[Checked],
    gate: Gate,
    corpus: dict[str, Any] | None,
    *,
    output: Path | None,
    junit: Path | None,
    sarif: Path | None,
    feed: Path,
) -> None:
    from auditor.io.output import write_atomic

    reports = [r.report for r in results]
    if junit is not None:
        from auditor.render.junit import render_junit

        write_atomic(junit, render_junit(reports, gate, durations=[r.seconds for r in results]))
    if sarif is not None:
        from auditor.render.sarif import render_sarif

        write_atomic(sarif, render_sarif(reports))
    if output is not None:
        write_report_folder(output, results, gate, corpus, title=f"Check of {feed.name}")


def write_report_folder(
    folder: Path, results: list[Checked], gate: Gate, corpus: dict[str, Any] | None, *, title: str
) -> None:
    """One HTML report per document and an index.html linking them."""
    from auditor.io.output import safe_file_names, write_atomic
    from auditor.render.html import render_html, render_index

    folder.mkdir(parents=True, exist_ok=True)
    names = safe_file_names([r.document.id for r in results], ".html")
    entries = []
    for result, name in zip(results, names, strict=True):
        doc = result.document
        compare = ("reference", doc.reference) if doc.reference else None
        write_atomic(folder / name, render_html(result.report, compare_with=compare, metrics=result.metrics))
        scores = result.report.scores
        entries.append(
            {
                "id": doc.id,
                "href": name,
                "overall": scores.overall,
                "fluency": scores.fluency,
                "fidelity": scores.fidelity,
                "counts": _counts(result.report),
                "passed": result.passed,
                "reasons": result.reasons,
                "metrics": result.metrics,
            }
        )
    overall = [v for r in results if (v := known(r.report.scores.overall)) is not None]
    summary = {
        "documents": len(results),
        "passed": sum(1 for r in results if r.passed),
        "failed": sum(1 for r in results if not r.passed),
        "gate": gate.describe(),
        "mean_overall": sum(overall) / len(overall) if overall else None,
        "corpus_metrics": corpus,
        "signature": results[0].report.signature if results else "",
    }
    write_atomic(folder / "index.html", render_index(entries, title=title, summary=summary))


SUMMARY_ROWS = 60


def _print_summary(
    results: list[Checked], gate: Gate, corpus: dict[str, Any] | None, console: Any, output: Path | None
) -> None:
    from rich.table import Table
    from rich.text import Text

    with_refs = corpus is not None
    with_scores = any(known(r.report.scores.overall) is not None for r in results)
    table = Table(title=f"auditor check ({gate.describe()})", title_justify="left")
    table.add_column("document", overflow="fold", min_width=12)
    for name in ("overall", "fluency", "fidelity") if with_scores else ():
        table.add_column(name, justify="right")
    for name in ("critical", "major", "minor"):
        table.add_column(name, justify="right")
    if with_refs:
        for name in ("BLEU", "chrF", "TER"):
            table.add_column(name, justify="right")
    table.add_column("gate")
    shown = results if len(results) <= SUMMARY_ROWS else [r for r in results if not r.passed][:SUMMARY_ROWS]
    for r in shown:
        scores = r.report.scores
        counts = _counts(r.report)
        row: list[Any] = [Text(r.document.id)]
        if with_scores:
            row += [fmt_score(scores.overall), fmt_score(scores.fluency), fmt_score(scores.fidelity)]
        row += [
            str(counts["critical"]),
            str(counts["major"]),
            str(counts["minor"]),
        ]
        if with_refs:
            row += [f"{r.metrics[m]:.1f}" if r.metrics else "-" for m in ("BLEU", "chrF", "TER")]
        row.append("[green]pass[/]" if r.passed else "[red]FAIL[/]")
        table.add_row(*row)
    console.print(table)
    if len(shown) < len(results):
        console.print(
            f"({len(results) - len(shown)} more documents not shown; see --output or --format json)"
        )
    failed = sum(1 for r in results if not r.passed)
    seconds = sum(r.seconds for r in results)
    console.print(
        f"{len(results)} documents, {len(results) - failed} passed, {failed} failed "
        f"in {seconds:.1f}s ({len(results) / seconds if seconds else 0:.2f} docs/s)"
    )
    if corpus:
        console.print(f"corpus BLEU {corpus['BLEU']:.2f}  chrF {corpus['chrF']:.2f}  TER {corpus['TER']:.2f}")
        for signature in corpus["signature"].split("; "):
            console.print(Text(f"  {signature}"), soft_wrap=True)
    if output is not None:
        console.print(f"reports: {output / 'index.html'}")
