"""Model manifests (models/*.toml): name, source package or hub id, file, sha256, licence, prompt template."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import ModelError

DEFAULT_MODEL = "gemma-3-270m"
DEFAULT_PROMPT = {
    "version": "1",
    "conditioned": "{src_name}: {source}\n{tgt_name}:",
    "unconditioned": "{tgt_name}:",
}

LANGUAGE_NAMES = {
    "en": "English", "fr": "French", "de": "German", "es": "Spanish", "it": "Italian", "pt": "Portuguese",
    "nl": "Dutch", "ru": "Russian", "pl": "Polish", "zh": "Chinese", "ja": "Japanese", "ar": "Arabic",
}  # fmt: skip


def language_name(code: str | None) -> str:
    if code is None:
        return "Text"
    return LANGUAGE_NAMES.get(code, code)


@dataclass(frozen=True)
class PromptTemplate:
    version: str
    conditioned: str
    unconditioned: str

    def with_source(self, source: str, src_lang: str | None, tgt_lang: str | None) -> str:
        # Newlines inside the source would read as the start of the translation.
        flat = " ".join(source.split())
        return self.conditioned.format(
            source=flat, src_name=language_name(src_lang), tgt_name=language_name(tgt_lang)
        )

    def without_source(self, tgt_lang: str | None) -> str:
        return self.unconditioned.format(tgt_name=language_name(tgt_lang))


@dataclass(frozen=True)
class Manifest:
    name: str
    description: str
    package: str | None
    hub_id: str | None
    file: str | None
    sha256: str | None
    licence: str
    prompt: PromptTemplate
    path: Path | None = None
    quality_head: str | None = None  # file beside the manifest: a trained ranker (auditor/scoring/head.py)
    word_errors: str | None = None  # file beside the manifest: a word-error model (scoring/word_errors.py)


def manifests_dir() -> Path:
    override = os.environ.get("AUDITOR_MODELS_DIR")
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "models"


def _from_toml(path: Path) -> Manifest:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ModelError(f"cannot read model manifest {path}: {error}") from None
    prompt = {**DEFAULT_PROMPT, **data.get("prompt", {})}
    try:
        return Manifest(
            name=data["name"],
            description=data.get("description", ""),
            package=data.get("package"),
            hub_id=data.get("hub_id"),
            file=data.get("file"),
            sha256=data.get("sha256"),
            licence=data.get("licence", "unknown"),
            prompt=PromptTemplate(str(prompt["version"]), prompt["conditioned"], prompt["unconditioned"]),
            path=path,
            quality_head=data.get("quality_head"),
            word_errors=data.get("word_errors"),
        )
    except KeyError as error:
        raise ModelError(f"model manifest {path} lacks the field {error}") from None


def list_manifests() -> list[Manifest]:
    folder = manifests_dir()
    if not folder.is_dir():
        return []
    return [_from_toml(p) for p in sorted(folder.glob("*.toml"))]


def find_manifest(name: str) -> Manifest | None:
    for manifest in list_manifests():
        if manifest.name == name:
            return manifest
    return None


def ad_hoc_manifest(name_or_path: str) -> Manifest:
    """A manifest for a hub id or local checkpoint folder that has no TOML of its own."""
    prompt = PromptTemplate(**DEFAULT_PROMPT)
    return Manifest(name_or_path, "", None, name_or_path, None, None, "see the model's own card", prompt)
