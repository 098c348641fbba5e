"""Reports as plain JSON-able dicts and back, for the result cache and for worker processes.

Unlike `Report.to_json` (the public schema) this keeps everything a renderer reads: texts and token scores.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from auditor.report import AlignedSegment, Flag, Report, Scores, Severity, TokenScore


def _span(value: Any) -> tuple[int, int] | None:
    return (int(value[0]), int(value[1])) if value is not None else None


def scores_from_dict(data: dict[str, Any]) -> Scores:
    return Scores(fluency=data["fluency"], overall=data["overall"], fidelity=data["fidelity"])


def segment_to_dict(row: AlignedSegment) -> dict[str, Any]:
    data = row.to_json()
    data["tokens"] = [t.as_row() for t in row.tokens]
    return data


def segment_from_dict(data: dict[str, Any]) -> AlignedSegment:
    return AlignedSegment(
        index=data["index"],
        link=data["link"],
        source_indices=list(data["source_indices"]),
        target_indices=list(data["target_indices"]),
        source_text=data["source_text"],
        target_text=data["target_text"],
        source_span=_span(data["source_span"]),
        target_span=_span(data["target_span"]),
        scores=scores_from_dict(data["scores"]) if data["scores"] is not None else None,
        tokens=[TokenScore.from_row(t) for t in data["tokens"]],
        word_links=[(_span(s), _span(t)) for s, t in data["word_links"]],  # type: ignore[misc]
    )


def flag_from_dict(data: dict[str, Any]) -> Flag:
    fields = dict(data)
    fields["severity"] = Severity.parse(fields["severity"])
    fields["target_span"] = _span(fields["target_span"])
    fields["source_span"] = _span(fields["source_span"])
    return Flag(**fields)


def report_to_dict(report: Report) -> dict[str, Any]:
    return {
        "target_name": report.target_name,
        "target_text": report.target_text,
        "target_lang": report.target_lang,
        "source_name": report.source_name,
        "source_text": report.source_text,
        "source_lang": report.source_lang,
        "scores": asdict(report.scores),
        "segments": [segment_to_dict(s) for s in report.segments],
        "flags": [f.to_json() for f in report.flags],
        "signature": report.signature,
    }


def report_from_dict(data: dict[str, Any]) -> Report:
    return Report(
        target_name=data["target_name"],
        target_text=data["target_text"],
        target_lang=data["target_lang"],
        source_name=data["source_name"],
        source_text=data["source_text"],
        source_lang=data["source_lang"],
        scores=scores_from_dict(data["scores"]),
        segments=[segment_from_dict(s) for s in data["segments"]],
        flags=[flag_from_dict(f) for f in data["flags"]],
        signature=data["signature"],
    )
