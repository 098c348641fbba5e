"""The rule registry: every rule has a stable code, a category, a default severity, a doc line and an example.

Rule families: AUD1xx model evidence, AUD2xx accuracy, AUD3xx fluency (translationese), AUD4xx style,
boilerplate and duplicates, AUD5xx alignment (omissions, additions).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from auditor.document import Document, Segment
from auditor.report import AlignedSegment, Flag, Severity

if TYPE_CHECKING:
    from auditor.encoder import SentenceEncoder


@dataclass
class CheckContext:
    """Everything a rule may look at. `source` is None in target-only mode."""

    target: Document
    source: Document | None
    target_segments: list[Segment]
    source_segments: list[Segment]
    segments: list[AlignedSegment]
    # the run's sentence encoder (auditor.encoder.SentenceEncoder), when it has one: the alignment checks
    # weigh each sentence of a link against the other side with it
    encoder: SentenceEncoder | None = None


@dataclass
class RuleConfig:
    """Per-run choices: disabled codes and re-graded severities (from the CLI or [tool.auditor])."""

    disabled: set[str] = field(default_factory=set)
    severities: dict[str, Severity] = field(default_factory=dict)


CheckFunction = Callable[[CheckContext, "Rule"], Iterable[Flag]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    category: str
    severity: Severity
    doc: str
    example: str
    needs_source: bool
    check: CheckFunction | None = None

    def flag(
        self,
        ctx: CheckContext,
        target_span: tuple[int, int] | None,
        message: str,
        *,
        source_span: tuple[int, int] | None = None,
        suggestion: str | None = None,
        segment: int | None = None,
        severity: Severity | None = None,
        confidence: float = 1.0,
    ) -> Flag:
        """Build a Flag of this rule with texts cut from the documents."""
        text = ctx.target.text[target_span[0] : target_span[1]] if target_span else ""
        source_text = None
        if source_span and ctx.source is not None:
            source_text = ctx.source.text[source_span[0] : source_span[1]]
        return Flag(
            rule=self.code,
            category=self.category,
            severity=severity or self.severity,
            target_span=target_span,
            source_span=source_span,
            text=text,
            message=message,
            suggestion=suggestion,
            segment=segment,
            source_text=source_text,
            confidence=confidence,
        )


REGISTRY: dict[str, Rule] = {}


def register(
    code: str,
    name: str,
    category: str,
    severity: Severity,
    doc: str,
    example: str,
    *,
    needs_source: bool = False,
) -> Callable[[CheckFunction], CheckFunction]:
    """Decorator: `@register("AUD201", "number-mismatch", "accuracy/number", Severity.CRITICAL, doc, ex)`."""

    def decorate(func: CheckFunction) -> CheckFunction:
        if code in REGISTRY:
            raise ValueError(f"rule code {code} registered twice")
        REGISTRY[code] = Rule(code, name, category, severity, doc, example, needs_source, func)
        return func

    return decorate


def declare(rule: Rule) -> Rule:
    """Register a rule whose flags are produced elsewhere (model evidence, alignment)."""
    if rule.code in REGISTRY:
        raise ValueError(f"rule code {rule.code} registered twice")
    REGISTRY[rule.code] = rule
    return rule


def run_checks(ctx: CheckContext, config: RuleConfig) -> list[Flag]:
    flags: list[Flag] = []
    for rule in sorted(REGISTRY.values(), key=lambda r: r.code):
        if rule.check is None or rule.code in config.disabled:
            continue
        if rule.needs_source and ctx.source is None:
            continue
        for flag in rule.check(ctx, rule):
            flags.append(flag)
    return apply_config(flags, config)


def apply_config(flags: list[Flag], config: RuleConfig) -> list[Flag]:
    out = []
    for flag in flags:
        if flag.rule in config.disabled:
            continue
        if flag.rule in config.severities:
            flag.severity = config.severities[flag.rule]
        out.append(flag)
    return out
