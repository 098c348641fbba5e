"""Stage 2: split a document into sentence segments with character offsets, and identify languages."""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from auditor.document import Document, Segment

_LINE_BREAK = re.compile(r"\n")
_BLANK_LINE = re.compile(r"\n\s*\n")
# pysbd knows these; other languages fall back to English rules, which suit most Latin-script text.
_PYSBD_LANGS = {"en", "fr", "de", "es", "it", "nl", "pt", "ru", "pl", "da", "el", "ar", "hi", "zh", "ja"}


@lru_cache(maxsize=16)
def _splitter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGS else "en", clean=False)


@lru_cache(maxsize=1024)
def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short or has no letters (cached per
    text: langdetect is seeded, so the answer for a text never changes)."""
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    if sum(ch.isalpha() for ch in text) < 3:
        return None
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return None
    return str(best.lang).split("-")[0]


def split_lines(text: str) -> list[tuple[int, int, int]]:
    """Non-blank lines as (start, end, paragraph) with surrounding whitespace trimmed off the span."""
    lines: list[tuple[int, int, int]] = []
    paragraph = 0
    pos = 0
    previous_blank = False
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            if previous_blank and lines:
                paragraph += 1
            elif lines and not previous_blank:
                paragraph += 1  # a single line break starts a new block too (headings, bylines)
            lead = len(raw) - len(raw.lstrip())
            lines.append((pos + lead, pos + lead + len(stripped), paragraph))
            previous_blank = False
        else:
            previous_blank = True
        pos += len(raw) + 1
    return lines


def split_sentences(document: Document, *, one_per_line: bool = False) -> list[Segment]:
    """Sentences in document order; paragraphs are the text's lines, never crossed by a sentence."""
    segments: list[Segment] = []
    for start, end, paragraph in split_lines(document.text):
        block = document.text[start:end]
        pieces = [block] if one_per_line else _splitter(document.lang).segment(block)
        cursor = 0
        for piece in pieces:
            piece = piece.strip()
            if not piece:
                continue
            found = block.find(piece, cursor)
            if found < 0:  # the splitter changed the text; fall back to the rest of the block
                found = cursor
                piece = block[cursor:].strip()
            s, e = start + found, start + found + len(piece)
            cursor = found + len(piece)
            segments.append(Segment(len(segments), document.text[s:e], s, e, paragraph))
    return segments
