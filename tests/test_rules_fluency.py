"""French word order and grammar kept in English (AUD303, AUD310-AUD313, AUD320)."""

from __future__ import annotations

from auditor.checks.context import check_texts


def hits(code: str, target: str) -> list[str]:
    return [f.text for f in check_texts(target) if f.rule == code]


def test_number_of_calque() -> None:
    assert hits("AUD303", "He said the number of 52 Iranian sites was symbolic.") == [
        "the number of 52 Iranian sites"
    ]
    assert hits("AUD303", "The number of sites rose to 52.") == []


def test_adjective_after_noun() -> None:
    assert hits("AUD310", "Rockets fell in Baghdad, where the embassy is located American, and north.") == [
        "where the embassy is located American"
    ]
    assert hits("AUD310", "Rockets fell near the embassy American, officials said.") == [
        "the embassy American"
    ]
    assert hits("AUD310", "He is American, and the American embassy is located there.") == []
    assert hits("AUD310", "The typical American, he said, works hard.") == []


def test_inversion_after_quotation() -> None:
    assert hits("AUD311", '"No more threats!", also warned the American president.') == [
        '", also warned the American president'
    ]
    assert hits("AUD311", '"No more threats!" said the president.') == []
    assert hits("AUD311", '"No more threats!" the president warned.') == []


def test_fronted_inversion() -> None:
    assert hits("AUD312", "In the evening began what could be the start of an escalation.") == [
        "In the evening began what could be"
    ]
    assert hits("AUD312", "In the evening the escalation began.") == []


def test_split_verb_object() -> None:
    assert hits(
        "AUD313", "The president threatened, on Sunday January 5, the Iranian leaders to strike."
    ) == ["threatened, on Sunday January 5, the Iranian leaders"]
    assert hits("AUD313", "The president said, on Sunday, the leaders would pay.") == []
    assert hits("AUD313", "On Sunday the president threatened the Iranian leaders.") == []


def test_sequence_of_tenses() -> None:
    assert hits("AUD320", "Trump warned that the United States has selected 52 sites.") == ["has selected"]
    assert hits("AUD320", "Trump warned that the United States had selected 52 sites.") == []
    assert hits("AUD320", "Trump says that the United States has selected 52 sites.") == []
