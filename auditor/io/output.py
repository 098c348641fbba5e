"""Writing results: atomically (a temporary file in the same folder, then `os.replace`), never over a
user's file unless they said `--force`."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from auditor.errors import InputError


def check_writable(path: Path, *, force: bool) -> None:
    """Refuse, before any work is done, an output that exists (without force) or cannot be written."""
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file to write")
    if path.exists() and not force:
        raise InputError(f"{path}: already exists (use --force to overwrite)")
    if not path.parent.exists():
        raise InputError(f"{path.parent}: no such folder")


def check_output_dir(folder: Path, *, force: bool) -> None:
    """A report folder must be new or empty, unless `force`."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(f"{folder}: exists and is not empty (use --force to write into it)")


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` so that a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_file_names(ids: list[str], suffix: str) -> list[str]:
    """A distinct, portable file name for each id (`a/b c` -> `a_b_c.html`)."""
    names = []
    used: set[str] = set()
    for doc_id in ids:
        base = _UNSAFE.sub("_", doc_id).strip("._") or "document"
        base = base[:100]
        name, n = base, 1
        while name.lower() in used or name.lower() == "index":
            n += 1
            name = f"{base}-{n}"
        used.add(name.lower())
        names.append(name + suffix)
    return names
