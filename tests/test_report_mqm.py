"""The MQM document score: error points per 100 target words from the report's flags."""

from __future__ import annotations

from auditor.report import Flag, MqmScore, Severity


def _flag(severity: Severity) -> Flag:
    return Flag("AUD999", "accuracy/mistranslation", severity, (0, 1), None, "x", "m")


def test_points_follow_mqm_severity_weights_per_100_words():
    text = " ".join(["word"] * 40)
    flags = [_flag(Severity.MINOR), _flag(Severity.MAJOR), _flag(Severity.MAJOR), _flag(Severity.CRITICAL)]
    score = MqmScore.of(flags, text)
    assert score.points == 1 + 5 + 5 + 10
    assert score.words == 40
    assert score.errors == {"minor": 1, "major": 2, "critical": 1}
    assert score.per_100_words == 52.5
    assert score.quality == 47.5


def test_a_clean_document_scores_100_and_an_empty_one_has_no_division_by_zero():
    assert MqmScore.of([], "Clean text here.").quality == 100.0
    empty = MqmScore.of([_flag(Severity.MINOR)], "")
    assert empty.words == 0 and empty.per_100_words == 100.0
