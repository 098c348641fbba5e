"""JUnit XML: one testcase per document, one <failure> per gating flag, parseable whatever the text."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

from render_support import make_report

from auditor.render.gate import Gate
from auditor.render.junit import line_column, render_junit
from auditor.report import Severity


def _cases(xml: str) -> list[ET.Element]:
    root = ET.fromstring(xml.encode("utf-8"))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert len(suites) == 1
    return suites[0].findall("testcase")


def test_one_testcase_per_document_and_a_failure_per_gating_flag():
    good = make_report(target="The workers demonstrated.\n", source="Les ouvriers ont manifesté.\n")
    good.target_name = "good"
    bad = make_report()
    bad.target_name = "bad"
    xml = render_junit([good, bad], Gate(Severity.MAJOR, None), durations=[0.5, 1.25])
    cases = _cases(xml)
    assert [c.get("name") for c in cases] == ["good", "bad"]
    assert cases[0].findall("failure") == []
    failures = cases[1].findall("failure")
    assert len(failures) == len(bad.flags_at_least(Severity.MAJOR)) == 4
    assert sorted(f.get("type", "").split()[0] for f in failures) == ["AUD201", "AUD320", "AUD330", "AUD501"]
    critical = next(f for f in failures if f.get("type", "").startswith("AUD201"))
    assert critical.get("message") == "[critical] AUD201: The source says 250, the translation 205."
    assert "at bad:3:31: '205'" in (critical.text or "")
    assert "suggestion: 250" in (critical.text or "")
    suite = ET.fromstring(xml.encode()).find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("time")) == ("2", "1", "1.750")


def test_gate_levels_and_score_floor():
    report = make_report()
    assert len(_cases(render_junit([report], Gate(Severity.CRITICAL, None)))[0].findall("failure")) == 1
    assert len(_cases(render_junit([report], Gate(Severity.MINOR, None)))[0].findall("failure")) == 5
    assert _cases(render_junit([report], Gate(None, None)))[0].findall("failure") == []
    failures = _cases(render_junit([report], Gate(None, 80.0)))[0].findall("failure")
    assert [f.get("type") for f in failures] == ["score"]
    assert failures[0].get("message") == "overall score 72.2 is under 80"
    assert _cases(render_junit([report], Gate(None, 70.0)))[0].findall("failure") == []


def test_gate_parse():
    assert Gate.parse("major", 60) == Gate(Severity.MAJOR, 60)
    assert Gate.parse("none", None) == Gate(None, None)
    for bad in [("fatal", None), ("major", 101.0), ("major", -1.0)]:
        try:
            Gate.parse(*bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad} accepted")


def test_text_xml_cannot_carry_still_parses():
    target = "A bell \x07 and a form feed \x0c in the text.\nNumber 205 here.\n"
    report = make_report(target=target, source="Une cloche.\nLe nombre 250 ici.\n")
    report.target_name = "odd\x01name"
    xml = render_junit([report], Gate(Severity.MINOR, None))
    cases = _cases(xml)
    assert cases[0].get("name") == "odd\ufffdname"


def test_line_column():
    text = "ab\ncd\n\nef"
    assert line_column(text, 0) == (1, 1)
    assert line_column(text, 4) == (2, 2)
    assert line_column(text, 7) == (4, 1)
    assert line_column(text, len(text)) == (4, 3)


def test_the_streamed_document_is_one_element_tree_of_its_testcases(tmp_path):
    """JunitWriter spools each testcase to a file as it comes; the document it puts together is the one
    an ElementTree of every testcase, indented whole, serialises to."""
    import tempfile

    from auditor.render.junit import JunitWriter, _testcase

    reports = []
    for k, target in enumerate(["The workers demonstrated.\n", None, None]):
        report = (
            make_report(target=target, source="Les ouvriers ont manifesté.\n") if target else make_report()
        )
        report.target_name = f"doc-{k}"
        reports.append(report)
    gate = Gate(Severity.MAJOR, None)
    seconds = [0.25, 1.5, 0.125]
    with tempfile.TemporaryFile("w+", encoding="utf-8", dir=tmp_path) as spool:
        writer = JunitWriter(gate, spool)
        for report, s in zip(reports, seconds, strict=True):
            writer.add(report, s)
        first, second = io.StringIO(), io.StringIO()
        writer.write(first)
        writer.write(second)
    suite = ET.Element("testsuite", name="auditor", tests="3", failures="2")
    for key, value in (("errors", "0"), ("skipped", "0"), ("time", "1.875")):
        suite.set(key, value)
    for report, s in zip(reports, seconds, strict=True):
        suite.append(_testcase(report, gate, s, "auditor")[0])
    root = ET.Element("testsuites", name="auditor", tests="3", failures="2", errors="0", time="1.875")
    root.append(suite)
    ET.indent(root)
    expected = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
    assert first.getvalue() == second.getvalue() == expected
    assert render_junit(reports, gate, durations=seconds) == expected
    assert len(_cases(expected)) == 3
    empty = render_junit([], gate)
    assert ET.fromstring(empty.encode()).find("testsuite").get("tests") == "0"  # type: ignore[union-attr]
