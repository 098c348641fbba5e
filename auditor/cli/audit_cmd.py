"""`auditor audit TARGET [--source SRC]`: audit one translation."""

from __future__ import annotations

import io
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from auditor.cli import app, fail, interruptible
from auditor.cli.options import (
    ConfigOption,
    DisableOption,
    EncoderOption,
    ForceOption,
    MaxCharsOption,
    ModelOption,
    NoModelOption,
    OutputOption,
    SeverityOption,
    SrcLangOption,
    TgtLangOption,
    check_languages,
)
from auditor.io.text import DEFAULT_MAX_CHARS

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
    target: Annotated[
        Path, typer.Argument(help="The translation (UTF-8 or UTF-16/32 with a BOM; - for stdin).")
    ],
    source: Annotated[
        Path | None, typer.Option("--source", "-s", help="Its source text (- for stdin).")
    ] = None,
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
    max_chars: MaxCharsOption = DEFAULT_MAX_CHARS,
) -> None:
    """Audit a translation: segment, align, score with the model, flag, report."""
    from auditor.checks.config import rule_config
    from auditor.cli.progress import DocumentProgress
    from auditor.io.output import is_stdio, preflight, write_atomic
    from auditor.io.text import check_length, read_text_file
    from auditor.pipeline import audit as run_audit
    from auditor.pipeline import resolve_model
    from auditor.render.gate import Gate

    try:
        gate = Gate.parse(fail_on, fail_under)
    except ValueError as error:
        fail(str(error))
    if is_stdio(target) and is_stdio(source):
        fail("only one of TARGET and --source can be - (stdin)")
    check_languages(src_lang, tgt_lang)
    preflight([output], force=force)
    target_text = read_text_file(target)
    source_text = read_text_file(source) if source is not None else None
    check_length(target_text, str(target), max_chars)
    if source_text is not None:
        check_length(source_text, str(source), max_chars)
    rules = rule_config(pyproject=config, start=Path.cwd(), disable=disable or (), severity=severity or ())
    with interruptible("no report was written"):
        lm = None if no_model else resolve_model(model)
        chars = len(target_text) + len(source_text or "")
        with DocumentProgress(chars) as progress:
            if lm is not None and progress.enabled:
                lm.on_batch = progress.batch
            try:
                report = run_audit(
                    target_text,
                    source_text,
                    src_lang=src_lang,
                    tgt_lang=tgt_lang,
                    model=lm,
                    encoder=encoder,
                    rules=rules,
                    target_name=str(target),
                    source_name=str(source) if source is not None else None,
                    max_chars=max_chars,
                    progress=progress.stage,
                )
            finally:
                if lm is not None:
                    lm.on_batch = None
    to_stdout = output is None or is_stdio(output)
    if output_format is AuditFormat.text:
        from auditor.render.text import render_text

        console = text_console(to_file=not to_stdout)
        render_text(report, console)
        if not to_stdout:
            assert output is not None
            write_atomic(output, console.export_text())
    else:
        rendered = _render(report, output_format, gate)
        if to_stdout:
            typer.echo(rendered, nl=False)
        else:
            assert output is not None
            write_atomic(output, rendered)
    if gate.gating_flags(report) or gate.score_failure(report):
        raise typer.Exit(1)


def text_console(*, to_file: bool) -> Console:
    """A terminal gets rich's own width; a pipe or a file gets 160 columns, so that cells and the
    signature are not wrapped at the 80 columns rich assumes without a terminal."""
    if to_file:
        return Console(record=True, width=160, file=io.StringIO())
    console = Console()
    if not console.is_terminal:
        console = Console(width=160, no_color=True, highlight=False)
    return console


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
