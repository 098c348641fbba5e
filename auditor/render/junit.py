"""JUnit XML for CI: one testsuite, one testcase per document, one <failure> per gating flag."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from auditor.render.gate import Gate, fmt_score
from auditor.render.xmltext import xml_safe
from auditor.report import Flag, Report


def line_column(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of a character offset."""
    offset = max(0, min(offset, len(text)))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _flag_detail(report: Report, flag: Flag) -> str:
    lines = [f"{flag.rule} {flag.category} ({flag.severity}): {flag.message}"]
    if flag.target_span is not None:
        line, column = line_column(report.target_text, flag.target_span[0])
        lines.append(f"at {report.target_name}:{line}:{column}: {flag.text!r}")
    if flag.source_text:
        lines.append(f"source: {flag.source_text!r}")
    if flag.suggestion:
        lines.append(f"suggestion: {flag.suggestion}")
    return "\n".join(lines)


def render_junit(
    reports: Sequence[Report],
    gate: Gate,
    *,
    durations: Sequence[float] | None = None,
    suite_name: str = "auditor",
) -> str:
    """The JUnit XML document (with declaration) for these reports under this gate."""
    suite = ET.Element("testsuite", name=suite_name)
    failures = 0
    total_time = 0.0
    for index, report in enumerate(reports):
        seconds = durations[index] if durations is not None else 0.0
        total_time += seconds
        case = ET.SubElement(
            suite,
            "testcase",
            classname=xml_safe(f"{suite_name}.{report.target_lang or 'und'}"),
            name=xml_safe(report.target_name),
            time=f"{seconds:.3f}",
        )
        gating = gate.gating_flags(report)
        for flag in gating:
            failure = ET.SubElement(
                case,
                "failure",
                type=xml_safe(f"{flag.rule} {flag.category}"),
                message=xml_safe(f"[{flag.severity}] {flag.rule}: {flag.message}"),
            )
            failure.text = xml_safe(_flag_detail(report, flag))
        score_failure = gate.score_failure(report)
        if score_failure is not None:
            failure = ET.SubElement(case, "failure", type="score", message=xml_safe(score_failure))
            failure.text = xml_safe(score_failure)
        if gating or score_failure is not None:
            failures += 1
        out = ET.SubElement(case, "system-out")
        scores = report.scores
        fidelity = f", fidelity {fmt_score(scores.fidelity)}" if scores.fidelity is not None else ""
        out.text = xml_safe(
            f"overall {fmt_score(scores.overall)}, fluency {fmt_score(scores.fluency)}{fidelity}; "
            f"{len(report.flags)} flags ({gate.describe()})\nsignature: {report.signature}"
        )
    suite.set("tests", str(len(reports)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    suite.set("time", f"{total_time:.3f}")
    root = ET.Element("testsuites", name=suite_name, tests=str(len(reports)), failures=str(failures))
    root.set("errors", "0")
    root.set("time", f"{total_time:.3f}")
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
