"""Merge model flags (AUD1xx) with rule flags into one list, sorted by target span.

Where a rule flag overlaps a model flag, the rule flag stays (its category says more), its confidence rises
(two independent signals agree) and it takes the model's suggestion if it has none; the model flag goes.
"""

from __future__ import annotations

from dataclasses import replace

from auditor.report import Flag


def _overlap(a: Flag, b: Flag) -> bool:
    x, y = a.target_span, b.target_span
    return x is not None and y is not None and x[0] < y[1] and y[0] < x[1]


def _key(flag: Flag) -> tuple[str, tuple[int, int] | None, tuple[int, int] | None]:
    return (flag.rule, flag.target_span, flag.source_span)


def merge_flags(model_flags: list[Flag], rule_flags: list[Flag]) -> list[Flag]:
    merged_rules: list[Flag] = []
    absorbed: set[int] = set()
    for flag in rule_flags:
        partners = [i for i, m in enumerate(model_flags) if _overlap(flag, m)]
        if partners:
            confidence = flag.confidence
            suggestion = flag.suggestion
            for i in partners:
                confidence = 1 - (1 - confidence) * (1 - model_flags[i].confidence)
                suggestion = suggestion or model_flags[i].suggestion
                absorbed.add(i)
            flag = replace(flag, confidence=round(confidence, 4), suggestion=suggestion)
        merged_rules.append(flag)
    out: dict[tuple[str, tuple[int, int] | None, tuple[int, int] | None], Flag] = {}
    for flag in [*merged_rules, *(m for i, m in enumerate(model_flags) if i not in absorbed)]:
        key = _key(flag)
        if key not in out or flag.confidence > out[key].confidence:
            out[key] = flag
    return sorted(
        out.values(),
        key=lambda f: (f.target_span is None, f.target_span or (0, 0), -f.severity, f.rule),
    )
