"""The report: what every renderer (text, JSON, HTML, JUnit, SARIF) reads. Schema `auditor.report/1`."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field
from typing import Any

SCHEMA = "auditor.report/1"


class Severity(enum.IntEnum):
    """Ordered so that `flag.severity >= Severity.MAJOR` reads as it says."""

    MINOR = 1
    MAJOR = 2
    CRITICAL = 3

    def __str__(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, name: str) -> Severity:
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {name!r} (expected minor, major or critical)") from None


@dataclass
class Flag:
    """One suspicious phrase of the target, with where it came from in the source."""

    rule: str
    category: str
    severity: Severity
    target_span: tuple[int, int] | None
    source_span: tuple[int, int] | None
    text: str
    message: str
    suggestion: str | None = None
    segment: int | None = None
    source_text: str | None = None
    confidence: float = 1.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        data["target_span"] = list(self.target_span) if self.target_span else None
        data["source_span"] = list(self.source_span) if self.source_span else None
        return data


@dataclass
class TokenScore:
    """A scored target token: its character span in the target document and its log-probabilities."""

    start: int
    end: int
    logprob: float
    logprob_source: float | None = None
    # the token's hidden state projected as the word-error model asks (word_errors.StateProjection); not in
    # the JSON report, kept in the score caches
    state: tuple[float, ...] | None = None

    def as_row(self) -> list[Any]:
        """The cache's form; `TokenScore.from_row` reads it back."""
        row: list[Any] = [self.start, self.end, self.logprob, self.logprob_source]
        return row if self.state is None else [*row, list(self.state)]

    @staticmethod
    def from_row(row: list[Any]) -> TokenScore:
        start, end, logprob, logprob_source, *rest = row
        state = tuple(float(v) for v in rest[0]) if rest and rest[0] is not None else None
        return TokenScore(start, end, logprob, logprob_source, state)


@dataclass
class Scores:
    """0-100, higher is better. `fidelity` is None when there is no source."""

    fluency: float
    overall: float
    fidelity: float | None = None


@dataclass
class AlignedSegment:
    """One row of the report: a sentence link with its texts, spans and scores."""

    index: int
    link: str
    source_indices: list[int]
    target_indices: list[int]
    source_text: str
    target_text: str
    source_span: tuple[int, int] | None
    target_span: tuple[int, int] | None
    scores: Scores | None = None
    tokens: list[TokenScore] = field(default_factory=list)
    word_links: list[tuple[tuple[int, int], tuple[int, int]]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "link": self.link,
            "source_indices": self.source_indices,
            "target_indices": self.target_indices,
            "source_text": self.source_text,
            "target_text": self.target_text,
            "source_span": list(self.source_span) if self.source_span else None,
            "target_span": list(self.target_span) if self.target_span else None,
            "scores": asdict(self.scores) if self.scores else None,
            "word_links": [[list(s), list(t)] for s, t in self.word_links],
        }


MQM_POINTS = {Severity.MINOR: 1, Severity.MAJOR: 5, Severity.CRITICAL: 10}  # MQM's default severity weights
MQM_PER_WORDS = 100


@dataclass
class MqmScore:
    """The document's flags scored as MQM does: each error costs its severity's points (minor 1, major 5,
    critical 10); `per_100_words` = points per 100 target words, `quality` = 100 - that (MQM's raw quality
    score, 1 - points / words, in percent; it goes below 0 when there are more points than words)."""

    points: int
    words: int
    errors: dict[str, int]  # flags per severity
    per_100_words: float
    quality: float

    @classmethod
    def of(cls, flags: list[Flag], target_text: str) -> MqmScore:
        points = sum(MQM_POINTS[f.severity] for f in flags)
        words = len(target_text.split())
        per_words = MQM_PER_WORDS * points / max(1, words)
        errors = {str(s): sum(f.severity == s for f in flags) for s in Severity}
        return cls(points, words, errors, round(per_words, 2), round(100.0 - per_words, 2))


@dataclass
class Report:
    target_name: str
    target_text: str
    target_lang: str
    source_name: str | None
    source_text: str | None
    source_lang: str | None
    scores: Scores
    segments: list[AlignedSegment]
    flags: list[Flag]
    signature: str

    @property
    def mqm(self) -> MqmScore:
        return MqmScore.of(self.flags, self.target_text)

    def segment_mqm(self) -> list[MqmScore]:
        """Each segment's own flags scored as MQM scores a segment (a flag belongs to its `segment`; flags of
        no segment count in the document's figure only). Points, not a rate, so that they grow with the
        errors a long segment holds, as an annotator's do: out of fold they order Bio-MQM's segments at
        Kendall tau 0.293 against the experts' points (benchmarks/train_word_errors.py)."""
        by_segment: dict[int, list[Flag]] = {}
        for flag in self.flags:
            if flag.segment is not None:
                by_segment.setdefault(flag.segment, []).append(flag)
        return [MqmScore.of(by_segment.get(s.index, []), s.target_text) for s in self.segments]

    def flags_at_least(self, severity: Severity) -> list[Flag]:
        return [f for f in self.flags if f.severity >= severity]

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "signature": self.signature,
            "languages": {"source": self.source_lang, "target": self.target_lang},
            "documents": {"source": self.source_name, "target": self.target_name},
            "scores": asdict(self.scores),
            "mqm": asdict(self.mqm),
            "segments": [
                {**s.to_json(), "mqm": asdict(m)}
                for s, m in zip(self.segments, self.segment_mqm(), strict=True)
            ],
            "flags": [f.to_json() for f in self.flags],
        }
