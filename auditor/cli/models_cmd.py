"""`auditor models list|prepare|info`: the model manifests and the prepared-model cache."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from auditor.cli import app, fail

models_app = typer.Typer(help="List, prepare, verify and describe models.", no_args_is_help=True)
app.add_typer(models_app, name="models")


@models_app.command("list")
def list_models() -> None:
    """The named models (manifests in models/) and whether each is prepared."""
    from auditor.encoder.manifest import list_encoder_manifests
    from auditor.lm import cache
    from auditor.lm.manifest import list_manifests

    table = Table()
    for column in ("name", "source", "prepared", "licence"):
        table.add_column(column)
    for manifest in list_manifests():
        source = manifest.package or manifest.hub_id or "-"
        table.add_row(manifest.name, source, "yes" if cache.is_prepared(manifest) else "no", manifest.licence)
    for encoder in list_encoder_manifests():  # sentence encoders: used as installed, nothing to prepare
        table.add_row(encoder.name, f"{encoder.package}=={encoder.version}", "n/a (encoder)", encoder.licence)
    Console().print(table)


@models_app.command()
def prepare(
    name: Annotated[str, typer.Argument(help="A manifest name.")] = "gemma-3-270m",
    force: Annotated[bool, typer.Option("--force", help="Rebuild even if already prepared.")] = False,
) -> None:
    """Assemble the model file, verify its sha256, dequantize and save a plain checkpoint in the cache."""
    from auditor.lm import cache
    from auditor.lm.manifest import find_manifest

    manifest = find_manifest(name)
    if manifest is None:
        fail(f"no model manifest named {name!r} (see `auditor models list`)")
        return
    if cache.is_prepared(manifest) and not force:
        typer.echo(f"{name}: already prepared at {cache.checkpoint_dir(manifest)}")
        return
    typer.echo(f"{name}: preparing (assemble, verify sha256, dequantize, save)…", err=True)
    path = cache.prepare(manifest, force=force)
    typer.echo(f"{name}: prepared at {path}")


@models_app.command()
def verify(name: Annotated[str, typer.Argument(help="A manifest name.")] = "gemma-3-270m") -> None:
    """Check every prepared file's size and sha256 against the record made when it was prepared (exit 3 on
    a mismatch)."""
    from auditor.lm import cache
    from auditor.lm.manifest import find_manifest

    manifest = find_manifest(name)
    if manifest is None:
        fail(f"no model manifest named {name!r} (see `auditor models list`)")
    count = cache.verified_files(manifest)
    typer.echo(
        f"{name}: {count} files match their recorded sizes and sha256 at {cache.checkpoint_dir(manifest)}"
    )


@models_app.command()
def info(name: Annotated[str, typer.Argument(help="A manifest name.")] = "gemma-3-270m") -> None:
    """A manifest's fields, its prompt template and its cache folder."""
    from auditor.lm import cache
    from auditor.lm.manifest import find_manifest

    manifest = find_manifest(name)
    if manifest is None:
        _encoder_info(name)
        return
    rows = {
        "name": manifest.name,
        "description": manifest.description,
        "package": manifest.package or "-",
        "hub id": manifest.hub_id or "-",
        "file": manifest.file or "-",
        "sha256": manifest.sha256 or "-",
        "licence": manifest.licence,
        "prompt version": manifest.prompt.version,
        "prompt (with source)": repr(manifest.prompt.conditioned),
        "prompt (target only)": repr(manifest.prompt.unconditioned),
        "cache": str(cache.checkpoint_dir(manifest)),
        "prepared": "yes" if cache.is_prepared(manifest) else "no",
    }
    for key, value in rows.items():
        typer.echo(f"{key:>22}: {value}")


def _encoder_info(name: str) -> None:
    from auditor.encoder.backends import weights_path
    from auditor.encoder.manifest import find_encoder_manifest
    from auditor.errors import ModelError

    encoder = find_encoder_manifest(name)
    if encoder is None:
        fail(f"no model manifest named {name!r} (see `auditor models list`)")
        return
    try:
        location = str(weights_path(encoder))
    except ModelError as error:
        location = f"not installed ({error})"
    rows = {
        "name": encoder.name,
        "kind": "sentence encoder",
        "description": encoder.description,
        "package": f"{encoder.package}=={encoder.version}",
        "weights file": location,
        "sha256": encoder.sha256 or "-",
        "licence": encoder.licence,
        "languages": ", ".join(encoder.languages),
        "dimensions": str(encoder.dimensions or "-"),
    }
    for key, value in rows.items():
        typer.echo(f"{key:>22}: {value}")
