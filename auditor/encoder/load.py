"""Choosing and loading a sentence encoder: a manifest name, a sentence-transformers folder or hub id."""

from __future__ import annotations

import functools
from pathlib import Path

from auditor.encoder.base import SentenceEncoder
from auditor.encoder.manifest import find_encoder_manifest
from auditor.errors import ModelError

DEFAULT_ENCODER = "use-m3"


@functools.cache
def load_encoder(name_or_path: str = DEFAULT_ENCODER) -> SentenceEncoder:
    """The encoder, loaded once per process (it memoises its texts' rows)."""
    from auditor.encoder.backends import SentenceTransformerEncoder, UseEncoder

    manifest = find_encoder_manifest(name_or_path)
    if manifest is not None:
        if manifest.backend == "use":
            return UseEncoder(manifest)
        raise ModelError(f"encoder manifest {manifest.name!r} has an unknown backend {manifest.backend!r}")
    if Path(name_or_path).expanduser().is_file():
        raise ModelError(f"{name_or_path} is a file; give a sentence-transformers model folder or id")
    return SentenceTransformerEncoder(name_or_path)


def describe_encoder(name_or_path: str | None) -> str | None:
    """The identity a loaded manifest encoder would have, without loading it; None for no encoder, and for a
    folder or hub id (only loading tells)."""
    if name_or_path is None or name_or_path.lower() == "none":
        return None
    manifest = find_encoder_manifest(name_or_path)
    if manifest is None:
        return None
    return f"{manifest.name}:{(manifest.sha256 or 'unknown')[:12]}"
