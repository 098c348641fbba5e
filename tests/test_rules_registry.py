"""The registry, [tool.auditor] configuration, `auditor rules`, merging with model flags, and the seed."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.checks import REGISTRY
from auditor.checks.config import rule_config
from auditor.checks.context import check_texts
from auditor.checks.merge import merge_flags
from auditor.errors import InputError
from auditor.report import Flag, Severity

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CATEGORIES = {
    "accuracy/number", "accuracy/untranslated", "accuracy/mistranslation", "accuracy/named-entity",
    "fluency/calque", "fluency/false-friend", "fluency/word-order", "fluency/grammar", "fluency/spelling",
    "style/typography",
    "boilerplate", "duplicate",
}  # fmt: skip


def test_every_rule_is_documented_with_a_stable_code() -> None:
    ours = {code: r for code, r in REGISTRY.items() if re.fullmatch(r"AUD[234]\d\d", code)}
    assert len(ours) >= 20
    for code, rule in ours.items():
        assert rule.code == code and rule.doc and rule.example and rule.name
        assert rule.category in CATEGORIES
        assert code[3] == {"a": "2", "f": "3", "s": "4", "b": "4", "d": "4"}[rule.category[0]]
    assert {r.category for r in ours.values()} >= CATEGORIES


def test_pyproject_config_disables_and_regrades(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.auditor]\ndisable = ["AUD303", "boilerplate"]\n[tool.auditor.severity]\nAUD301 = "major"\n'
    )
    (tmp_path / "sub").mkdir()
    config = rule_config(start=tmp_path / "sub", disable=["AUD311"], severity=["AUD310=critical"])
    assert {"AUD303", "AUD311", "AUD410", "AUD411", "AUD412"} <= config.disabled
    assert config.severities == {"AUD301": Severity.MAJOR, "AUD310": Severity.CRITICAL}
    text = "A day of monster parades.\n\nsubscribe"
    flags = check_texts(text, config=config)
    assert [(f.rule, f.severity) for f in flags] == [("AUD301", Severity.MAJOR)]


def test_lexicon_group_disables_every_lexicon_rule() -> None:
    config = rule_config(disable=["lexicon"])
    assert config.disabled == {"AUD206", "AUD301", "AUD302", "AUD321"}
    assert check_texts("A day of monster parades.", config=config) == []
    assert [f.rule for f in check_texts("A day of monster parades.")] == ["AUD301"]


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[tool.auditor]\ndisable = ["AUD999"]\n', "unknown rule"),
        ('[tool.auditor.severity]\nAUD301 = "huge"\n', "unknown severity"),
        ("[tool.auditor\n", "not valid TOML"),
    ],
)
def test_bad_config_is_an_input_error(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(toml)
    with pytest.raises(InputError, match=message):
        rule_config(pyproject=path)


def test_rules_command_lists_the_registry() -> None:
    from auditor.cli import align_cmd, app, rules_cmd  # noqa: F401

    result = CliRunner().invoke(app, ["rules", "--json", "--disable", "AUD311"])
    assert result.exit_code == 0
    rows = {row["code"]: row for row in json.loads(result.output)}
    assert rows["AUD201"]["severity"] == "critical" and rows["AUD201"]["needs_source"]
    assert rows["AUD311"]["enabled"] is False
    table = CliRunner().invoke(app, ["rules", "--category", "fluency/calque"], env={"COLUMNS": "200"})
    assert table.exit_code == 0 and "AUD301" in table.output and "AUD201" not in table.output
    bad = CliRunner().invoke(app, ["rules", "--disable", "AUD999"])
    assert isinstance(bad.exception, InputError)


def _flag(rule: str, span: tuple[int, int], confidence: float = 0.5, suggestion: str | None = None) -> Flag:
    return Flag(rule, "x", Severity.MINOR, span, None, "t", "m", suggestion=suggestion, confidence=confidence)


def test_merge_keeps_the_rule_flag_with_the_model_evidence() -> None:
    model = [_flag("AUD101", (10, 20), 0.6, "massive processions"), _flag("AUD101", (40, 50), 0.7)]
    rules = [_flag("AUD301", (12, 27), 0.5), _flag("AUD410", (60, 70), 1.0), _flag("AUD410", (60, 70), 1.0)]
    merged = merge_flags(model, rules)
    assert [(f.rule, f.target_span) for f in merged] == [
        ("AUD301", (12, 27)),
        ("AUD101", (40, 50)),
        ("AUD410", (60, 70)),
    ]
    assert merged[0].confidence == pytest.approx(0.8)
    assert merged[0].suggestion == "massive processions"


def test_seed_recall_and_precision_with_source() -> None:
    target = (FIXTURES / "article.en.txt").read_text(encoding="utf-8")
    source = (FIXTURES / "article.fr.txt").read_text(encoding="utf-8")
    gold = [
        json.loads(line) for line in (FIXTURES / "gold_flags.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    spans: list[tuple[int, int]] = []
    for row in gold:
        start = target.find(row["span"])
        while any(start < e and s < start + len(row["span"]) for s, e in spans):
            start = target.find(row["span"], start + 1)
        spans.append((start, start + len(row["span"])))
    flags = [f for f in check_texts(target, source) if f.target_span]

    def hit(a: tuple[int, int], b: tuple[int, int]) -> bool:
        return a[0] < b[1] and b[0] < a[1]

    recall = sum(any(hit(s, f.target_span) for f in flags) for s in spans) / len(spans)
    precision = sum(any(hit(f.target_span, s) for s in spans) for f in flags) / len(flags)
    assert recall >= 0.8 and precision >= 0.6
    protected = ["52 sites", "1,000 meters", "5 p.m. (2 p.m. GMT)", "5,200", "3,000 to 3,500", "With AFP"]
    tweet = (target.find(".... targeted"), target.find("January 4, 2020") + len("January 4, 2020"))
    for phrase in protected:
        where = (target.find(phrase), target.find(phrase) + len(phrase))
        assert not [f for f in flags if hit(where, f.target_span)], phrase
    assert not [f for f in flags if hit(tweet, f.target_span)]
