"""`auditor rules`: the rule registry as a table (code, category, default severity, doc, example)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli import app


@app.command()
def rules(
    category: Annotated[
        str | None, typer.Option("--category", "-c", help="Only rules whose category starts with this.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the registry as JSON.")] = False,
    config: Annotated[
        Path | None,
        typer.Option("--config", help="A pyproject.toml whose [tool.auditor] disables or re-grades rules."),
    ] = None,
    disable: Annotated[
        list[str] | None, typer.Option("--disable", help="A rule code or category to show as disabled.")
    ] = None,
    severity: Annotated[
        list[str] | None, typer.Option("--severity", help="CODE=minor|major|critical to show re-graded.")
    ] = None,
) -> None:
    """List every rule: its stable code, category, default severity, what it catches and an example."""
    from auditor.checks import REGISTRY
    from auditor.checks.config import rule_config

    chosen = rule_config(pyproject=config, start=Path.cwd(), disable=disable or (), severity=severity or ())
    listed = [r for code, r in sorted(REGISTRY.items()) if not category or r.category.startswith(category)]
    if as_json:
        rows = [
            {
                "code": r.code,
                "name": r.name,
                "category": r.category,
                "severity": str(chosen.severities.get(r.code, r.severity)),
                "default_severity": str(r.severity),
                "enabled": r.code not in chosen.disabled,
                "needs_source": r.needs_source,
                "doc": r.doc,
                "example": r.example,
            }
            for r in listed
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"auditor rules ({len(listed)})", show_lines=False, expand=True)
    table.add_column("Code", style="bold", no_wrap=True)
    table.add_column("Category", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Source", no_wrap=True)
    table.add_column("What it flags · example", ratio=1)
    for r in listed:
        level = chosen.severities.get(r.code, r.severity)
        shown = str(level) if level == r.severity else f"{level} (default {r.severity})"
        if r.code in chosen.disabled:
            shown = "disabled"
        table.add_row(
            r.code,
            r.category,
            shown,
            "needed" if r.needs_source else "-",
            f"{r.doc}\n[dim]{r.example}[/dim]",
        )
    Console().print(table)
