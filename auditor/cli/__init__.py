"""The `auditor` command: one typer app, one module per command, each thin (parse, call, render)."""

from __future__ import annotations

import importlib
import sys

import typer

from auditor.errors import AuditorError

app = typer.Typer(
    name="auditor",
    help="Audit translations: align, score with a language model, flag what an editor would.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def fail(message: str, code: int = 2) -> None:
    """Print a one-line error and exit (2: usage or input error)."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _register_commands() -> None:
    # Each import adds its command(s) to `app`.
    for name in ("audit", "score", "check", "compare", "align", "rules", "models", "cache"):
        importlib.import_module(f"auditor.cli.{name}_cmd")


def main() -> None:
    _register_commands()
    try:
        app(standalone_mode=True)
    except AuditorError as error:
        typer.echo(f"error: {error}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
