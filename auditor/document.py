"""Stage 1: documents and their segments. Offsets are character offsets, half-open [start, end)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """A whole text as the user gave it; every span in a report points into `text`."""

    text: str
    lang: str
    name: str = "<text>"


@dataclass(frozen=True)
class Segment:
    """One sentence (or heading, list item, tweet line) of a document."""

    index: int
    text: str
    start: int
    end: int
    paragraph: int
    lang: str | None = None

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


@dataclass(frozen=True)
class SentenceLink:
    """One link of a sentence alignment: source and target segment indices (either may be empty)."""

    source: tuple[int, ...]
    target: tuple[int, ...]
    cost: float = 0.0

    @property
    def kind(self) -> str:
        return f"{len(self.source)}-{len(self.target)}"


@dataclass(frozen=True)
class WordLink:
    """A link between a source word and a target word, as character spans into their documents."""

    source_span: tuple[int, int]
    target_span: tuple[int, int]
    score: float = 1.0


@dataclass
class Alignment:
    """Sentence links in document order, plus the word links found inside them."""

    links: list[SentenceLink]
    words: list[WordLink] = field(default_factory=list)
