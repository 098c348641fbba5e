"""SARIF 2.1.0 for code-scanning UIs: one run, the rule registry as rules, one result per flag.

Regions count Unicode code points (`columnKind: unicodeCodePoints`), the same offsets as the report.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from importlib import metadata
from typing import Any
from urllib.parse import quote

from auditor.render.gate import json_safe
from auditor.render.junit import line_column
from auditor.report import Flag, Report, Severity

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.CRITICAL: "error", Severity.MAJOR: "warning", Severity.MINOR: "note"}


def _version() -> str:
    try:
        return metadata.version("translation-auditor")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _uri(name: str) -> str:
    return quote(name, safe="/:#@!$&'()*+,;=-._~")


def region(text: str, span: tuple[int, int]) -> dict[str, Any]:
    """A SARIF region for a half-open character span of `text` (lines and columns 1-based)."""
    start, end = span
    start_line, start_column = line_column(text, start)
    end_line, end_column = line_column(text, end)
    return {
        "startLine": start_line,
        "startColumn": start_column,
        "endLine": end_line,
        "endColumn": end_column,
        "charOffset": start,
        "charLength": end - start,
        "snippet": {"text": text[start:end]},
    }


def _rules() -> list[dict[str, Any]]:
    import auditor.checks  # noqa: F401  (importing the package registers every rule)
    from auditor.checks.registry import REGISTRY

    rules = []
    for rule in sorted(REGISTRY.values(), key=lambda r: r.code):
        rules.append(
            {
                "id": rule.code,
                "name": rule.name,
                "shortDescription": {"text": rule.doc.split(". ")[0].rstrip(".") + "."},
                "fullDescription": {"text": rule.doc},
                "help": {"text": f"{rule.doc}\nExample: {rule.example}" if rule.example else rule.doc},
                "defaultConfiguration": {"level": LEVELS[rule.severity]},
                "properties": {"category": rule.category, "tags": [rule.category.split("/")[0]]},
            }
        )
    return rules


def _message(flag: Flag) -> str:
    text = f"{flag.message}"
    if flag.text:
        text += f" (\u201c{flag.text}\u201d)"
    if flag.suggestion:
        text += f" Suggestion: {flag.suggestion}"
    return text


def _location(report: Report, flag: Flag, artifacts: dict[str, int]) -> tuple[dict[str, Any], list[Any]]:
    target = {"uri": _uri(report.target_name), "index": artifacts[report.target_name]}
    source = None
    if report.source_name is not None and report.source_name in artifacts:
        source = {"uri": _uri(report.source_name), "index": artifacts[report.source_name]}
    related = []
    if flag.target_span is not None:
        primary = {
            "physicalLocation": {
                "artifactLocation": target,
                "region": region(report.target_text, flag.target_span),
            }
        }
        if flag.source_span is not None and source is not None and report.source_text is not None:
            related.append(
                {
                    "id": 1,
                    "message": {"text": "source"},
                    "physicalLocation": {
                        "artifactLocation": source,
                        "region": region(report.source_text, flag.source_span),
                    },
                }
            )
    elif flag.source_span is not None and source is not None and report.source_text is not None:
        # An omission has nothing in the target to point at: point at what the source says.
        primary = {
            "physicalLocation": {
                "artifactLocation": source,
                "region": region(report.source_text, flag.source_span),
            }
        }
    else:
        primary = {"physicalLocation": {"artifactLocation": target}}
    return primary, related


def sarif_log(reports: Sequence[Report]) -> dict[str, Any]:
    """The SARIF log as a dict (see `render_sarif`)."""
    rules = _rules()
    rule_index = {rule["id"]: i for i, rule in enumerate(rules)}
    artifacts: dict[str, int] = {}
    artifact_list: list[dict[str, Any]] = []

    def add_artifact(name: str | None, role: str, lang: str | None) -> None:
        if name is None or name in artifacts:
            return
        artifacts[name] = len(artifact_list)
        entry: dict[str, Any] = {"location": {"uri": _uri(name)}, "roles": [role]}
        if lang:
            entry["properties"] = {"language": lang}
        artifact_list.append(entry)

    results = []
    for report in reports:
        add_artifact(report.target_name, "analysisTarget", report.target_lang)
        add_artifact(report.source_name, "referencedOnCommandLine", report.source_lang)
        for flag in report.flags:
            primary, related = _location(report, flag, artifacts)
            result: dict[str, Any] = {
                "ruleId": flag.rule,
                "level": LEVELS[flag.severity],
                "message": {"text": _message(flag)},
                "locations": [primary],
                "properties": {
                    "category": flag.category,
                    "severity": str(flag.severity),
                    "confidence": round(flag.confidence, 4),
                },
            }
            if flag.rule in rule_index:
                result["ruleIndex"] = rule_index[flag.rule]
            if related:
                result["relatedLocations"] = related
            if flag.suggestion:
                result["properties"]["suggestion"] = flag.suggestion
            results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "auditor",
                        "version": _version(),
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "artifacts": artifact_list,
                "results": results,
                "properties": {"signatures": sorted({r.signature for r in reports})},
            }
        ],
    }


def render_sarif(reports: Sequence[Report]) -> str:
    """SARIF 2.1.0 JSON text for these reports."""
    return json.dumps(json_safe(sarif_log(reports)), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
