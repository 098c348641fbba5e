"""SARIF 2.1.0 for code-scanning UIs: one run, the rule registry as rules, one result per flag.

Regions count Unicode code points (`columnKind: unicodeCodePoints`), the same offsets as the report.
"""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Sequence
from importlib import metadata
from typing import IO, Any
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


def _result(
    report: Report, flag: Flag, artifacts: dict[str, int], rule_index: dict[str, int]
) -> dict[str, Any]:
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
    return result


def _dumps(data: Any) -> str:
    return json.dumps(json_safe(data), ensure_ascii=False, indent=2, allow_nan=False)


class SarifWriter:
    """A SARIF log a document at a time: each artifact and result is written to its spool (a text file, or
    StringIO) as it comes, and `write` puts the log together around them, so a feed's size does not stay in
    memory (only the artifacts' names, for their indexes). The text is `render_sarif`'s for the same reports."""

    def __init__(self, artifacts: IO[str], results: IO[str]) -> None:
        self.rules = _rules()
        self.rule_index = {rule["id"]: i for i, rule in enumerate(self.rules)}
        self.artifacts: dict[str, int] = {}
        self.signatures: set[str] = set()
        self.spools = {"artifacts": artifacts, "results": results}
        self.counts = {"artifacts": 0, "results": 0}
        self._indent = "  " * 4  # an entry of $.runs[0].artifacts or .results

    def _append(self, kind: str, item: dict[str, Any]) -> None:
        spool = self.spools[kind]
        text = "\n".join(self._indent + line for line in _dumps(item).split("\n"))
        spool.write((",\n" if self.counts[kind] else "") + text)
        self.counts[kind] += 1

    def _add_artifact(self, name: str | None, role: str, lang: str | None) -> None:
        if name is None or name in self.artifacts:
            return
        self.artifacts[name] = len(self.artifacts)
        entry: dict[str, Any] = {"location": {"uri": _uri(name)}, "roles": [role]}
        if lang:
            entry["properties"] = {"language": lang}
        self._append("artifacts", entry)

    def add(self, report: Report) -> None:
        self._add_artifact(report.target_name, "analysisTarget", report.target_lang)
        self._add_artifact(report.source_name, "referencedOnCommandLine", report.source_lang)
        for flag in report.flags:
            self._append("results", _result(report, flag, self.artifacts, self.rule_index))
        self.signatures.add(report.signature)

    def write(self, out: IO[str]) -> None:
        """The whole SARIF log (JSON, ending in a newline) to `out`; may be called more than once."""
        skeleton = _dumps(self._log(artifacts=_ARTIFACTS, results=_RESULTS))
        rest = skeleton
        for kind, marker in (("artifacts", _ARTIFACTS), ("results", _RESULTS)):
            head, _, rest = rest.partition(json.dumps(marker))
            out.write(head)
            if not self.counts[kind]:
                out.write("[]")
                continue
            out.write("[\n")
            spool = self.spools[kind]
            spool.flush()
            spool.seek(0)
            shutil.copyfileobj(spool, out)
            spool.seek(0, io.SEEK_END)
            out.write("\n" + self._indent[:-2] + "]")
        out.write(rest + "\n")

    def _log(self, *, artifacts: Any, results: Any) -> dict[str, Any]:
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "auditor",
                            "version": _version(),
                            "rules": self.rules,
                        }
                    },
                    "columnKind": "unicodeCodePoints",
                    "artifacts": artifacts,
                    "results": results,
                    "properties": {"signatures": sorted(self.signatures)},
                }
            ],
        }


_ARTIFACTS = "\x00auditor-artifacts\x00"  # where the spooled lists go in the log's skeleton
_RESULTS = "\x00auditor-results\x00"


def render_sarif(reports: Sequence[Report]) -> str:
    """SARIF 2.1.0 JSON text for these reports."""
    writer = SarifWriter(io.StringIO(), io.StringIO())
    for report in reports:
        writer.add(report)
    out = io.StringIO()
    writer.write(out)
    return out.getvalue()
