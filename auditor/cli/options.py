"""Options shared by several commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ModelOption = Annotated[
    str,
    typer.Option(
        "--model", "-m", help="A manifest name (auditor models list), a local checkpoint folder or a hub id."
    ),
]
EncoderOption = Annotated[
    str,
    typer.Option(
        "--encoder",
        help="Sentence encoder for alignment, omissions and adequacy: use-m3 (embedded), a "
        "sentence-transformers folder or hub id, or none.",
    ),
]
NoModelOption = Annotated[
    bool, typer.Option("--no-model", help="Rules only: no language model scores or flags.")
]
SrcLangOption = Annotated[
    str | None, typer.Option("--src-lang", help="Source language (ISO 639-1); detected if omitted.")
]
TgtLangOption = Annotated[
    str | None, typer.Option("--tgt-lang", help="Target language (ISO 639-1); detected if omitted.")
]
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Overwrite an existing output file.")]
DisableOption = Annotated[
    list[str] | None, typer.Option("--disable", help="Disable a rule code or category (repeatable).")
]
SeverityOption = Annotated[
    list[str] | None,
    typer.Option("--severity", help="Re-grade a rule: CODE=minor|major|critical (repeatable)."),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option("--config", help="pyproject.toml with [tool.auditor]; found upwards from here if omitted."),
]
MaxCharsOption = Annotated[
    int | None,
    typer.Option("--max-chars", min=1, help="Refuse a document longer than this many characters (exit 2)."),
]


def check_languages(*codes: str | None) -> None:
    """A usage error (exit 2) for a language code that is not ISO 639-1 or not one the auditor knows."""
    from auditor.checks.language import check_language_code

    for option, code in zip(("--src-lang", "--tgt-lang"), codes, strict=False):
        if code is not None:
            check_language_code(code, option)
