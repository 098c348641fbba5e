"""`auditor cache info|clear`: the result cache of `auditor check` (auditor/feed/cache.py)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import typer

from auditor.cli import app

if TYPE_CHECKING:
    from auditor.feed.cache import ResultCache

cache_app = typer.Typer(help="The result cache that lets `auditor check` skip unchanged documents.")
app.add_typer(cache_app, name="cache")


def _open() -> ResultCache:
    import sqlite3

    from auditor.feed.cache import ResultCache

    try:
        return ResultCache()
    except (OSError, sqlite3.Error) as error:
        typer.echo(f"error: cannot open the result cache: {error}", err=True)
        raise typer.Exit(3) from None


@cache_app.command("info")
def info(
    as_json: bool = typer.Option(False, "--json", help="Print the numbers as JSON."),
) -> None:
    """Where the cache is, its entries and size, and the hit rate of the last check."""
    cache = _open()
    data = cache.info()
    cache.close()
    if as_json:
        typer.echo(json.dumps(data, indent=1))
        return
    entries = data["entries"]
    typer.echo(f"path: {data['path']}")
    typer.echo(f"entries: {entries['documents']} documents, {entries['segments']} segments")
    typer.echo(f"size: {data['bytes'] / 1e6:.2f} MB")
    last = data["last_run"]
    if last is None:
        typer.echo("last run: none recorded")
        return
    rates = last["hit_rate"]

    def pct(value: float | None) -> str:
        return f"{100 * value:.1f}%" if value is not None else "n/a"

    typer.echo(
        f"last run ({last['finished']}): documents {last['documents_hit']} reused / "
        f"{last['documents_missed']} audited (hit rate {pct(rates['documents'])}); segments "
        f"{last['segments_hit']} reused / {last['segments_scored']} scored (hit rate {pct(rates['segments'])})"
    )


@cache_app.command("clear")
def clear() -> None:
    """Remove every cached result (the models are not touched)."""
    cache = _open()
    removed = cache.clear()
    cache.close()
    typer.echo(
        f"removed {removed['documents']} documents and {removed['segments']} segments from {cache.path}"
    )
