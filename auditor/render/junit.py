"""JUnit XML for CI: one testsuite, one testcase per document, one <failure> per gating flag."""

from __future__ import annotations

import io
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import IO

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


def _testcase(report: Report, gate: Gate, seconds: float, suite_name: str) -> tuple[ET.Element, bool]:
    """A document's testcase, and whether it failed."""
    case = ET.Element(
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
    out = ET.SubElement(case, "system-out")
    scores = report.scores
    fidelity = f", fidelity {fmt_score(scores.fidelity)}" if scores.fidelity is not None else ""
    out.text = xml_safe(
        f"overall {fmt_score(scores.overall)}, fluency {fmt_score(scores.fluency)}{fidelity}; "
        f"{len(report.flags)} flags ({gate.describe()})\nsignature: {report.signature}"
    )
    return case, bool(gating) or score_failure is not None


_CASES = "auditor-testcases"  # where the testcases go in the document's skeleton
_CASE_LEVEL = 2  # testsuites > testsuite > testcase


class JunitWriter:
    """JUnit XML a document at a time: each testcase is written to `spool` (a text file, or StringIO) as
    it comes, and `write` puts the whole document together around them, so a feed's size does not stay
    in memory. The text is the same as one ElementTree of every testcase would give."""

    def __init__(self, gate: Gate, spool: IO[str], *, suite_name: str = "auditor") -> None:
        self.gate, self.spool, self.suite_name = gate, spool, suite_name
        self.tests = 0
        self.failures = 0
        self.total_time = 0.0

    def add(self, report: Report, seconds: float = 0.0) -> None:
        case, failed = _testcase(report, self.gate, seconds, self.suite_name)
        ET.indent(case, level=_CASE_LEVEL)
        if self.tests:
            self.spool.write("\n" + "  " * _CASE_LEVEL)
        self.spool.write(ET.tostring(case, encoding="unicode"))
        self.tests += 1
        self.failures += failed
        self.total_time += seconds

    def write(self, out: IO[str]) -> None:
        """The whole JUnit document (with declaration) to `out`; may be called more than once."""
        name, time = self.suite_name, f"{self.total_time:.3f}"
        suite = ET.Element("testsuite", name=name, tests=str(self.tests), failures=str(self.failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        suite.set("time", time)
        root = ET.Element("testsuites", name=name, tests=str(self.tests), failures=str(self.failures))
        root.set("errors", "0")
        root.set("time", time)
        root.append(suite)
        if self.tests:
            ET.SubElement(suite, _CASES)
        ET.indent(root)
        head, _, tail = ET.tostring(root, encoding="unicode").partition(f"<{_CASES} />")
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n' + head)
        if self.tests:
            self.spool.flush()
            self.spool.seek(0)
            shutil.copyfileobj(self.spool, out)
            self.spool.seek(0, io.SEEK_END)
            out.write(tail)
        out.write("\n")


def render_junit(
    reports: Sequence[Report],
    gate: Gate,
    *,
    durations: Sequence[float] | None = None,
    suite_name: str = "auditor",
) -> str:
    """The JUnit XML document (with declaration) for these reports under this gate."""
    writer = JunitWriter(gate, io.StringIO(), suite_name=suite_name)
    for index, report in enumerate(reports):
        writer.add(report, durations[index] if durations is not None else 0.0)
    out = io.StringIO()
    writer.write(out)
    return out.getvalue()
