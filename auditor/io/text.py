"""Read a user's text file: UTF-8 (a BOM is dropped), never binary, never empty."""

from __future__ import annotations

from pathlib import Path

from auditor.errors import InputError


def decode_text(data: bytes, where: str) -> str:
    if b"\x00" in data:
        raise InputError(f"{where}: looks like a binary file, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{where}: not valid UTF-8 (byte {error.start})") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: str | Path, *, allow_empty: bool = False) -> str:
    """The file's text with newlines normalised to \\n; InputError for what a user can fix."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a text file")
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    text = decode_text(data, str(path))
    if not allow_empty and not text.strip():
        raise InputError(f"{path}: is empty")
    return text
