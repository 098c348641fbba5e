"""`auditor audit TARGET [--source SRC]`: audit one translation."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from auditor.cli import app, fail
from auditor.cli.options import (
    ConfigOption,
    DisableOption,
    EncoderOption,
    ForceOption,
    ModelOption,
    NoModelOption,
    OutputOption,
    SeverityOption,
    SrcLangOption,
    TgtLangOption,
)

if TYPE_CHECKING:
    from auditor.render.gate import Gate
    from auditor.report import Report


class AuditFormat(StrEnum):
    text = "text"
    json = "json"
    html = "html"
    junit = "junit"
    sarif = "sarif"


@app.command()
def audit(
    target: Annotated[Path, typer.Argument(help="The translation (UTF-8 text).")],
    source: Annotated[Path | None, typer.Option("--source", "-s", help="Its source text (UTF-8).")] = None,
    src_lang: SrcLangOption = None,
    tgt_lang: TgtLangOption = None,
    model: ModelOption = "gemma-3-270m",
    no_model: NoModelOption = False,
    encoder: EncoderOption = "use-m3",
    output_format: Annotated[
        AuditFormat, typer.Option("--format", "-f", help="Output format.")
    ] = AuditFormat.text,
    output: OutputOption = None,
    force: ForceOption = False,
    disable: DisableOption = None,
    severity: SeverityOption = None,
    config: ConfigOption = None,
    fail_on: Annotated[
        str | None,
        typer.Option("--fail-on", help="Exit 1 if a flag is this severe or worse: minor|major|critical."),
    ] = None,
    fail_under: Annotated[
        float | None, typer.Option("--fail-under", help="Exit 1 if overall < this (0-100).")
    ] = None,
) -> None:
    """Audit a translation: segment, align, score with the model, flag, report."""
    from auditor.checks.config import rule_config
    from auditor.io.output import check_writable, write_atomic
    from auditor.io.text import read_text_file
    from auditor.pipeline import audit as run_audit
    from auditor.render.gate import Gate

    try:
        gate = Gate.parse(fail_on, fail_under)
    except ValueError as error:
        fail(str(error))
    if output is not None:
        check_writable(output, force=force)
    target_text = read_text_file(target)
    source_text = read_text_file(source) if source is not None else None
    rules = rule_config(pyproject=config, start=Path.cwd(), disable=disable or (), severity=severity or ())
    report = run_audit(
        target_text,
        source_text,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        model=None if no_model else model,
        encoder=encoder,
        rules=rules,
        target_name=str(target),
        source_name=str(source) if source is not None else None,
    )
    if output_format is AuditFormat.text:
        from auditor.render.text import render_text

        console = Console(record=True, width=160, file=io.StringIO()) if output else Console()
        render_text(report, console)
        if output is not None:
            write_atomic(output, console.export_text())
    else:
        rendered = _render(report, output_format, gate)
        if output is None:
            typer.echo(rendered, nl=False)
        else:
            write_atomic(output, rendered)
    if gate.gating_flags(report) or gate.score_failure(report):
        raise typer.Exit(1)


def _render(report: Report, output_format: AuditFormat, gate: Gate) -> str:
    if output_format is AuditFormat.json:
        from auditor.render.json import render_json

        return render_json(report)
    if output_format is AuditFormat.html:
        from auditor.render.html import render_html

        return render_html(report)
    if output_format is AuditFormat.junit:
        from auditor.render.junit import render_junit

        return render_junit([report], gate)
    from auditor.render.sarif import render_sarif

    return render_sarif([report])
