"""Writing results: atomically (a temporary file in the same folder, then `os.replace`), with the
permissions the umask gives, never over a user's file unless they said `--force`; `-` is stdout.

`preflight` checks every output before any work starts, so that a long job never ends in an unwritable
path: a missing folder or an existing file is the user's to fix (InputError, exit 2); a folder that cannot be
written is an environment error (EnvError, exit 3).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO

from auditor.errors import EnvError, InputError

STDIO = "-"


def is_stdio(path: str | Path | None) -> bool:
    """Whether a path argument means stdin or stdout (`-`)."""
    return path is not None and str(path) == STDIO


def _probe(folder: Path) -> None:
    """EnvError unless a file can be created in `folder` (os.access is wrong for root and for read-only
    mounts, so this tries)."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=".auditor-probe-", dir=folder)
    except OSError as error:
        raise EnvError(f"{folder}: cannot write here ({error.strerror})") from None
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)


def check_writable(path: Path, *, force: bool) -> None:
    """Refuse, before any work is done, an output that exists (without force) or cannot be written.
    `-` (stdout) is always fine."""
    if is_stdio(path):
        return
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a file to write")
    if path.exists() and not force:
        raise InputError(f"{path}: already exists (use --force to overwrite)")
    parent = path.parent
    if not parent.exists():
        raise InputError(f"{parent}: no such folder")
    if not parent.is_dir():
        raise InputError(f"{parent}: is not a folder")
    _probe(parent)


def check_output_dir(folder: Path, *, force: bool) -> None:
    """A report folder must be new or empty, unless `force`, and writable (or creatable)."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()) and not force:
        raise InputError(f"{folder}: exists and is not empty (use --force to write into it)")
    check_writable_dir(folder)


def check_writable_dir(folder: Path) -> None:
    """`folder`, or the nearest folder above it that exists (where it will be created), takes a new file."""
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise InputError(f"{existing}: is not a folder")
    _probe(existing)


def preflight(files: Iterable[Path | None] = (), folders: Iterable[Path | None] = (), *, force: bool) -> None:
    """Check every output file and report folder a command will write (None = not asked for) before it
    starts any work. InputError (exit 2) or EnvError (exit 3), one line each."""
    chosen = [p for p in files if p is not None]
    real = [str(Path(p).resolve()) for p in chosen if not is_stdio(p)]
    if len(real) != len(set(real)):
        raise InputError("two outputs name the same file")
    if sum(1 for p in chosen if is_stdio(p)) > 1:
        raise InputError("only one output can be `-` (stdout)")
    for path in chosen:
        check_writable(path, force=force)
    for folder in folders:
        if folder is not None:
            check_output_dir(folder, force=force)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) to `path` so that a reader never sees half a file; `-` writes to stdout.
    The file gets the permissions the umask gives a new file (mkstemp alone would leave it 0600)."""
    write_atomic_with(path, lambda handle: handle.write(text))


def write_atomic_with(path: Path, write: Callable[[IO[str]], object]) -> None:
    """As `write_atomic`, for text that `write(handle)` writes a piece at a time (a file too big to hold
    in memory as one string)."""
    if is_stdio(path):
        write(sys.stdout)
        sys.stdout.flush()
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise EnvError(f"{path}: cannot write ({error.strerror})") from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            write(handle)
        os.replace(tmp, path)
    except OSError as error:
        Path(tmp).unlink(missing_ok=True)
        raise EnvError(f"{path}: cannot write ({error.strerror})") from None
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
