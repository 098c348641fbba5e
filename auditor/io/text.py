"""Read a user's text file: UTF-8 (a BOM is dropped) or UTF-16/32 with a BOM, never binary, never empty;
`-` reads stdin."""

from __future__ import annotations

import codecs
import sys
from pathlib import Path

from auditor.errors import InputError

# Longest first: the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def decode_text(data: bytes, where: str) -> str:
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            data, encoding = data[len(bom) :], name
            break
    if encoding == "utf-8" and b"\x00" in data:
        raise InputError(f"{where}: looks like a binary file, not text")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise InputError(f"{where}: not valid {encoding.upper()} (byte {error.start})") from None
    if encoding != "utf-8" and "\x00" in text:
        raise InputError(f"{where}: looks like a binary file, not text")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_text_file(path: str | Path, *, allow_empty: bool = False) -> str:
    """The file's text with newlines normalised to \\n; InputError for what a user can fix. `-` is stdin."""
    if str(path) == "-":
        where = "<stdin>"
        try:
            data = sys.stdin.buffer.read()
        except OSError as error:
            raise InputError(f"{where}: cannot read ({error.strerror})") from None
    else:
        path = Path(path)
        where = str(path)
        if not path.exists():
            raise InputError(f"{path}: no such file")
        if path.is_dir():
            raise InputError(f"{path}: is a folder, expected a text file")
        try:
            data = path.read_bytes()
        except OSError as error:
            raise InputError(f"{path}: cannot read ({error.strerror})") from None
    text = decode_text(data, where)
    if not allow_empty and not text.strip():
        raise InputError(f"{where}: is empty")
    return text


DEFAULT_MAX_CHARS = 1_000_000  # about 400 pages; the model scores ~350 tokens/s on a laptop CPU


def check_length(text: str, where: str, max_chars: int | None = DEFAULT_MAX_CHARS) -> None:
    """InputError when a document is longer than the per-document limit (None: no limit)."""
    if max_chars is not None and len(text) > max_chars:
        raise InputError(
            f"{where}: {len(text):,} characters is over the per-document limit of {max_chars:,} "
            "(raise it with --max-chars)"
        )
