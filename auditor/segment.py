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
# Over-long lines and sentences are cut at whitespace so that every later stage (pysbd, the aligners, the
# model) sees bounded pieces and a whole document costs time linear in its length.
MAX_SPLIT_CHARS = 4000  # text handed to pysbd at once
MAX_SEGMENT_CHARS = 1000  # longest segment; a longer sentence is cut into pieces of at most this
_DETECT_SAMPLE = 20000  # characters langdetect reads: enough to tell, bounded for a huge document


@lru_cache(maxsize=16)
def _splitter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang if lang in _PYSBD_LANGS else "en", clean=False)


@lru_cache(maxsize=1024)
def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when it is too short or has no letters (cached per
    text: langdetect is seeded, so the answer for a text never changes)."""
    from langdetect import DetectorFactory, LangDetectException, detect_langs

    DetectorFactory.seed = 0
    text = text[:_DETECT_SAMPLE]
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


_SENTENCE_END = re.compile(r"[.!?…][\"'»”)\]]*\s")


def _cut(text: str, low: int, high: int, sentences: bool) -> int:
    """Where to cut inside text[low:high]: after the last sentence end (when asked), else at the last
    whitespace; -1 when there is neither."""
    if sentences:
        last = -1
        for match in _SENTENCE_END.finditer(text, low, high):
            last = match.end() - 1
        if last > 0:
            return last
    return max(text.rfind(" ", low, high), text.rfind("\t", low, high))


def bounded_pieces(
    text: str, start: int, end: int, limit: int, *, sentences: bool = False
) -> list[tuple[int, int]]:
    """[start, end) of `text` cut into spans of at most `limit` characters, each cut in the second half of
    its window after the last sentence end (with `sentences`) or at the last whitespace (a hard cut when
    there is neither), whitespace trimmed off each span."""
    spans: list[tuple[int, int]] = []
    while start < end:
        while start < end and text[start].isspace():
            start += 1
        if start >= end:
            break
        stop = min(end, start + limit)
        if stop < end:
            cut = _cut(text, start + limit // 2, stop, sentences)
            if cut > start:
                stop = cut
        piece_end = stop
        while piece_end > start and text[piece_end - 1].isspace():
            piece_end -= 1
        if piece_end > start:
            spans.append((start, piece_end))
        start = stop
    return spans


def _sentences(block: str, lang: str) -> list[tuple[int, int]]:
    """pysbd's sentences of one line as (start, end) in the line."""
    found_spans: list[tuple[int, int]] = []
    cursor = 0
    for piece in _splitter(lang).segment(block):
        piece = piece.strip()
        if not piece:
            continue
        found = block.find(piece, cursor)
        if found < 0:  # the splitter changed the text; fall back to the rest of the block
            found = cursor
            piece = block[cursor:].strip()
            if not piece:
                continue
        found_spans.append((found, found + len(piece)))
        cursor = found + len(piece)
    return found_spans


def split_sentences(document: Document, *, one_per_line: bool = False) -> list[Segment]:
    """Sentences in document order; paragraphs are the text's lines, never crossed by a sentence.
    No segment is longer than MAX_SEGMENT_CHARS: a longer line or sentence is cut at whitespace."""
    segments: list[Segment] = []
    text = document.text
    for start, end, paragraph in split_lines(text):
        if one_per_line:
            spans = [(start, end)]
        else:
            spans = []
            for w_start, w_end in bounded_pieces(text, start, end, MAX_SPLIT_CHARS, sentences=True):
                block = text[w_start:w_end]
                spans += [(w_start + s, w_start + e) for s, e in _sentences(block, document.lang)]
        for s, e in spans:
            for p_start, p_end in bounded_pieces(text, s, e, MAX_SEGMENT_CHARS):
                segments.append(Segment(len(segments), text[p_start:p_end], p_start, p_end, paragraph))
    return segments
