"""`auditor align`: sentence links between two documents (vecalign's format or JSON), or word links (Pharaoh)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from auditor.cli import app, fail, interruptible
from auditor.cli.options import EncoderOption, check_languages
from auditor.document import Document, SentenceLink
from auditor.errors import AuditorError
from auditor.io.text import DEFAULT_MAX_CHARS, check_length, read_text_file


class Format(StrEnum):
    text = "text"
    json = "json"


def format_link(link: SentenceLink) -> str:
    """vecalign's line: `[3, 4]:[5]:0.400000`."""
    return f"[{', '.join(map(str, link.source))}]:[{', '.join(map(str, link.target))}]:{link.cost:.6f}"


@app.command()
def align(
    source: Path | None = typer.Argument(None, help="Source document (UTF-8 text; - for stdin)."),
    target: Path | None = typer.Argument(None, help="Target document (UTF-8 text; - for stdin)."),
    words: Path | None = typer.Option(
        None,
        "--words",
        help="Word-align a file of `source tokens ||| target tokens` lines; print Pharaoh links.",
    ),
    output_format: Format = typer.Option(Format.text, "--format", help="text (vecalign lines) or json."),
    one_per_line: bool = typer.Option(
        False, "--one-per-line", help="Inputs are pre-segmented: each non-empty line is one sentence."
    ),
    src_lang: str | None = typer.Option(None, "--src-lang", help="Source language (detected if omitted)."),
    tgt_lang: str | None = typer.Option(None, "--tgt-lang", help="Target language (detected if omitted)."),
    model: str = typer.Option("gemma-3-270m", "--model", help="Model giving cross-lingual evidence."),
    no_model: bool = typer.Option(
        False, "--no-model", help="Length, anchors and lexicon only (no language model)."
    ),
    band: int = typer.Option(30, "--band", min=4, help="Starting half-width of the search corridor."),
    max_chars: int | None = typer.Option(
        DEFAULT_MAX_CHARS, "--max-chars", min=1, help="Refuse a document longer than this (exit 2)."
    ),
    encoder: EncoderOption = "use-m3",
) -> None:
    """Align SOURCE and TARGET sentence by sentence, or word-align a PAIRS file with --words."""
    check_languages(src_lang, tgt_lang)
    if words is not None:
        if source is not None or target is not None:
            fail("--words takes one PAIRS file and no SOURCE/TARGET")
        with interruptible("the links printed so far are complete lines"):
            _align_words(words, None if no_model else model, src_lang, tgt_lang, max_chars)
        return
    if source is None or target is None:
        fail("give SOURCE and TARGET files (or --words PAIRS)")
        return
    if str(source) == "-" and str(target) == "-":
        fail("only one of SOURCE and TARGET can be - (stdin)")
    from auditor.align.embed import ModelEmbedder, load_embedding_model
    from auditor.align.sentences import align_sentences
    from auditor.pipeline import resolve_encoder
    from auditor.segment import detect_language, split_sentences

    try:
        src_text, tgt_text = read_text_file(source), read_text_file(target)
        check_length(src_text, str(source), max_chars)
        check_length(tgt_text, str(target), max_chars)
    except AuditorError as error:
        fail(str(error))
        return
    s_lang = src_lang or detect_language(src_text) or "en"
    t_lang = tgt_lang or detect_language(tgt_text) or "en"
    src_segments = split_sentences(Document(src_text, s_lang, str(source)), one_per_line=one_per_line)
    tgt_segments = split_sentences(Document(tgt_text, t_lang, str(target)), one_per_line=one_per_line)
    with interruptible("no links were printed"):
        similarity = None if no_model else ModelEmbedder(load_embedding_model(model))
        sentence_encoder = resolve_encoder(encoder)
        links = align_sentences(
            src_segments,
            tgt_segments,
            similarity=similarity,
            encoder=sentence_encoder,
            band=band,
            source_lang=s_lang,
            target_lang=t_lang,
        )
    if output_format is Format.text:
        for link in links:
            typer.echo(format_link(link))
        return
    payload: dict[str, Any] = {
        "source": {"file": str(source), "lang": s_lang, "sentences": len(src_segments)},
        "target": {"file": str(target), "lang": t_lang, "sentences": len(tgt_segments)},
        "evidence": _evidence_name(
            s_lang, t_lang, None if no_model else model, sentence_encoder.name if sentence_encoder else None
        ),
        "links": [
            {
                "source": list(link.source),
                "target": list(link.target),
                "kind": link.kind,
                "cost": link.cost,
                "source_text": " ".join(src_segments[i].text for i in link.source),
                "target_text": " ".join(tgt_segments[j].text for j in link.target),
                "source_span": _span(src_segments, link.source),
                "target_span": _span(tgt_segments, link.target),
            }
            for link in links
        ],
    }
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def _evidence_name(source_lang: str, target_lang: str, model: str | None, encoder: str | None) -> str:
    """What the links rest on: length and anchors always, the lexicon where the pair has one, the encoder,
    the model."""
    from auditor.align.lexicon import load_lexicon

    parts = ["length", "anchors"]
    if load_lexicon(source_lang, target_lang) is not None:
        parts.append("lexicon")
    if encoder:
        parts.append(encoder)
    if model:
        parts.append(model)
    return "+".join(parts)


def _span(segments: list[Any], indices: tuple[int, ...]) -> list[int] | None:
    if not indices:
        return None
    return [segments[indices[0]].start, segments[indices[-1]].end]


def _align_words(
    path: Path, model: str | None, src_lang: str | None, tgt_lang: str | None, max_chars: int | None
) -> None:
    """Pharaoh links (`i-j`, source index first) for each `source tokens ||| target tokens` line."""
    from auditor.align.words import align_pair_lines, read_pairs

    try:
        text = read_text_file(path)
        check_length(text, str(path), max_chars)
        pairs = read_pairs(text, str(path))
    except AuditorError as error:
        fail(str(error))
        return
    for links in align_pair_lines(pairs, model=model, source_lang=src_lang, target_lang=tgt_lang):
        typer.echo(" ".join(f"{i}-{j}" for i, j in links))
