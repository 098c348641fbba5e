"""The CI quality gate: which flags and scores fail a document (`--fail-on`, `--fail-under`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from auditor.report import Flag, Report, Severity


def known(value: float | None) -> float | None:
    """A score, or None when there is none (rules-only reports carry NaN scores)."""
    if value is None or math.isnan(value):
        return None
    return value


def fmt_score(value: float | None, empty: str = "-") -> str:
    value = known(value)
    return empty if value is None else f"{value:.1f}"


def json_safe(data: Any) -> Any:
    """`data` with NaN and infinities replaced by None, so that it is valid JSON."""
    if isinstance(data, float):
        return data if math.isfinite(data) else None
    if isinstance(data, dict):
        return {k: json_safe(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [json_safe(v) for v in data]
    return data


@dataclass(frozen=True)
class Gate:
    """`fail_on`: a flag of this severity or worse fails; `fail_under`: an overall score below it fails."""

    fail_on: Severity | None = Severity.CRITICAL
    fail_under: float | None = None

    @classmethod
    def parse(cls, fail_on: str | None, fail_under: float | None) -> Gate:
        """From CLI values: `fail_on` is minor, major, critical or none. ValueError when unknown."""
        severity = None
        if fail_on is not None and fail_on.strip().lower() != "none":
            severity = Severity.parse(fail_on)
        if fail_under is not None and not 0 <= fail_under <= 100:
            raise ValueError(f"--fail-under must be between 0 and 100, got {fail_under:g}")
        return cls(severity, fail_under)

    def gating_flags(self, report: Report) -> list[Flag]:
        if self.fail_on is None:
            return []
        return report.flags_at_least(self.fail_on)

    def score_failure(self, report: Report) -> str | None:
        if self.fail_under is None:
            return None
        overall = known(report.scores.overall)
        if overall is None:
            return f"no overall score to compare with {self.fail_under:g} (the model did not run)"
        if overall >= self.fail_under:
            return None
        return f"overall score {overall:.1f} is under {self.fail_under:g}"

    def passed(self, report: Report) -> bool:
        return not self.gating_flags(report) and self.score_failure(report) is None

    def describe(self) -> str:
        parts = []
        if self.fail_on is not None:
            parts.append(f"fail on {self.fail_on} flags")
        if self.fail_under is not None:
            parts.append(f"fail under {self.fail_under:g}")
        return ", ".join(parts) or "no gate"
