"""The `auditor` command: one typer app, one module per command, each thin (parse, call, render).

Exit status: 0 passed, 1 the quality gate failed, 2 usage or input error, 3 model or environment error
(corrupt or missing model, unwritable output, out of memory, or an internal error), 130 interrupted.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer

from auditor.errors import AuditorError, exit_code_of

EXIT_CODES = (
    "Exit status: 0 passed; 1 the quality gate failed; 2 usage or input error; "
    "3 model or environment error (corrupt model, unwritable output, out of memory, internal error); "
    "130 interrupted. --debug (or AUDITOR_DEBUG=1) shows a traceback."
)

app = typer.Typer(
    name="auditor",
    help="Audit translations: align, score with a language model, flag what an editor would.\n\n"
    + EXIT_CODES,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
_debug = False


def debugging() -> bool:
    return _debug or os.environ.get("AUDITOR_DEBUG", "") not in ("", "0")


def _show_version(value: bool) -> None:
    if not value:
        return
    from auditor import __version__

    typer.echo(f"auditor {__version__}")
    try:
        from auditor.pipeline import default_signature

        typer.echo(default_signature())
    except AuditorError as error:
        typer.echo(f"signature: unavailable ({error})")
    raise typer.Exit(0)


@app.callback()
def _global_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show a traceback on any error (also AUDITOR_DEBUG=1).")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Print the version and signature fields."
        ),
    ] = False,
) -> None:
    global _debug
    _debug = _debug or debug


def fail(message: str, code: int | None = None) -> NoReturn:
    """Print a one-line error and exit with `code`. Without one: 2 (usage or input error), or, when called
    while handling an AuditorError, that error's code (3 for a model or environment error, also when it
    was re-raised as a plain AuditorError with more context)."""
    if code is None:
        code = _handled_exit_code()
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _handled_exit_code() -> int:
    error: BaseException | None = sys.exc_info()[1]
    code = 2
    while isinstance(error, AuditorError):
        code = max(code, exit_code_of(error))
        error = error.__cause__ or error.__context__
    return code


def fail_with(error: AuditorError) -> NoReturn:
    """Print an auditor error as one line and exit with its code (2 input, 3 model or environment)."""
    if debugging():
        traceback.print_exception(error)
    fail(str(error), exit_code_of(error))


@contextmanager
def interruptible(what: str) -> Iterator[None]:
    """Ctrl-C inside the block prints `interrupted: WHAT` and exits 130 (rather than a bare exit)."""
    try:
        yield
    except KeyboardInterrupt:
        typer.echo(f"\ninterrupted: {what}", err=True)
        raise typer.Exit(130) from None


def _register_commands() -> None:
    # Each import adds its command(s) to `app`.
    for name in ("audit", "score", "check", "compare", "align", "rules", "models", "cache"):
        importlib.import_module(f"auditor.cli.{name}_cmd")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:300] or type(error).__name__


def main() -> None:
    global _debug
    _debug = "--debug" in sys.argv[1 : sys.argv.index("--") if "--" in sys.argv else None]
    _register_commands()
    try:
        app(standalone_mode=True)
    except AuditorError as error:
        if debugging():
            traceback.print_exc()
        typer.echo(f"error: {error}", err=True)
        sys.exit(exit_code_of(error))
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except MemoryError:
        if debugging():
            traceback.print_exc()
        typer.echo("error: out of memory (try a smaller document or --max-chars)", err=True)
        sys.exit(3)
    except Exception as error:  # a bug: one line, exit 3, the traceback with --debug
        if debugging():
            traceback.print_exc()
        typer.echo(
            f"error: internal error ({type(error).__name__}: {_one_line(error)}); run with --debug for the "
            "traceback",
            err=True,
        )
        sys.exit(3)
