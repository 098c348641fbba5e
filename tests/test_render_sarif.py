"""SARIF 2.1.0: valid against the OASIS schema, one result per flag, regions that point at the text."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from render_support import make_report

from auditor.checks.registry import REGISTRY
from auditor.render.sarif import render_sarif

SCHEMA = json.loads(
    (Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
)


def _validate(log: dict) -> None:
    jsonschema.Draft4Validator.check_schema(SCHEMA)
    errors = sorted(jsonschema.Draft4Validator(SCHEMA).iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def test_sarif_validates_and_has_a_result_per_flag():
    first = make_report()
    second = make_report(target="The workers demonstrated.\n", source="Les ouvriers ont manifesté.\n")
    second.target_name, second.source_name = "second.en.txt", "second.fr.txt"
    log = json.loads(render_sarif([first, second]))
    _validate(log)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert len(run["results"]) == len(first.flags) + len(second.flags)
    rules = run["tool"]["driver"]["rules"]
    assert {r["id"] for r in rules} == set(REGISTRY) and len(rules) > 10
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["help"]["text"]
    by_rule = {r["ruleId"]: r for r in run["results"]}
    assert by_rule["AUD201"]["level"] == "error"
    assert by_rule["AUD310"]["level"] == "note"
    assert by_rule["AUD330"]["level"] == "warning"
    for result in run["results"]:
        if "ruleIndex" in result:
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_regions_match_the_flagged_text():
    report = make_report()
    run = json.loads(render_sarif([report]))["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    artifacts = [a["location"]["uri"] for a in run["artifacts"]]
    assert artifacts == ["fixtures/mayor.en.txt", "fixtures/mayor.fr.txt"]
    number = next(r for r in run["results"] if r["ruleId"] == "AUD201")
    location = number["locations"][0]["physicalLocation"]
    region = location["region"]
    start, end = report.flags[0].target_span
    assert (region["charOffset"], region["charLength"]) == (start, end - start)
    line = report.target_text.splitlines()[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "205"
    assert region["snippet"]["text"] == "205"
    related = number["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "fixtures/mayor.fr.txt"
    assert related["region"]["snippet"]["text"] == "250"
    # An omission points at the source words nothing translates.
    omission = next(r for r in run["results"] if r["ruleId"] == "AUD501")
    where = omission["locations"][0]["physicalLocation"]
    assert where["artifactLocation"]["index"] == 1
    assert where["region"]["snippet"]["text"] == "à midi"
    assert "Suggestion: 250" in number["message"]["text"]


def test_no_flags_is_still_a_valid_log():
    report = make_report(target="All good here.\n", source="Tout va bien ici.\n")
    log = json.loads(render_sarif([report]))
    _validate(log)
    assert log["runs"][0]["results"] == []


def test_the_streamed_log_is_the_plain_json_dump_of_itself(tmp_path):
    """SarifWriter spools artifacts and results to files as documents come; the log it puts together is
    exactly what json.dumps(indent=2) gives for the same object, and the same as render_sarif's."""
    import io
    import tempfile

    from auditor.render.sarif import SarifWriter

    first = make_report()
    second = make_report(target="The workers demonstrated.\n", source="Les ouvriers ont manifesté.\n")
    second.target_name, second.source_name = "second.en.txt", "second.fr.txt"
    reports = [first, second, first]  # a repeated document: its artifacts once
    with (
        tempfile.TemporaryFile("w+", encoding="utf-8", dir=tmp_path) as artifacts,
        tempfile.TemporaryFile("w+", encoding="utf-8", dir=tmp_path) as results,
    ):
        writer = SarifWriter(artifacts, results)
        for report in reports:
            writer.add(report)
        out = io.StringIO()
        writer.write(out)
    text = out.getvalue()
    log = json.loads(text)
    assert text == json.dumps(log, ensure_ascii=False, indent=2) + "\n" == render_sarif(reports)
    _validate(log)
    run = log["runs"][0]
    assert [a["location"]["uri"] for a in run["artifacts"]] == [
        first.target_name,
        first.source_name,
        "second.en.txt",
        "second.fr.txt",
    ]
    assert len(run["results"]) == 2 * len(first.flags) + len(second.flags)
    empty = json.loads(render_sarif([]))["runs"][0]
    assert empty["artifacts"] == [] and empty["results"] == []
