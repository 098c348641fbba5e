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


def test_each_segment_scores_its_own_flags():
    from auditor.report import AlignedSegment, Report, Scores

    text = "One two three four.\nFive six."
    rows = [
        AlignedSegment(0, "target-only", [], [0], "", "One two three four.", None, (0, 19)),
        AlignedSegment(1, "target-only", [], [1], "", "Five six.", None, (20, 29)),
    ]
    minor, major, loose = _flag(Severity.MINOR), _flag(Severity.MAJOR), _flag(Severity.CRITICAL)
    minor.segment, major.segment = 1, 1  # the critical flag belongs to no segment: the document's only
    scores = Scores(fluency=50.0, overall=50.0, fidelity=None)
    report = Report("t", text, "en", None, None, None, scores, rows, [minor, major, loose], "sig")
    first, second = report.segment_mqm()
    assert (first.points, first.words, first.quality) == (0, 4, 100.0)
    assert (second.points, second.words, second.per_100_words) == (6, 2, 300.0)
    assert report.mqm.points == 16
    assert [s["mqm"]["points"] for s in report.to_json()["segments"]] == [0, 6]
