"""AUD201 number mismatch and AUD404 French number style."""

from __future__ import annotations

import pytest

from auditor.checks.context import check_texts
from auditor.checks.numbers import extract, spelled_values
from auditor.report import Severity


def numbers(target: str, source: str) -> list:
    return [f for f in check_texts(target, source) if f.rule == "AUD201"]


def keys(text: str, lang: str) -> list[set]:
    return [set(q.keys) for q in extract(text, lang)]


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("5 200 soldats", "5,200 soldiers"),
        ("5\u202f200 soldats", "5,200 soldiers"),
        ("3,5 %", "3.5%"),
        ("5 %", "5 percent"),
        ("à 17 h (14 h GMT)", "at 5 p.m. (2 p.m. GMT)"),
        ("à 17h30", "at 5:30 pm"),
        ("dimanche 5 janvier", "Sunday January 5"),
        ("le 1er mai", "on 1 May"),
        ("à 1 000 mètres", "at 1,000 meters"),
        ("de 3 000 à 3 500 soldats", "3,000 to 3,500 troops"),
        ("5,2 millions d'euros", "5.2 million euros"),
        ("à la fin de 1979", "at the end of 1979"),
        ("au XXe siècle", "in the 20th century"),
        ("deux soldats", "2 soldiers"),
        ("2 soldats", "two soldiers"),
        ("dans les années 80", "in the 1980s"),
        ("pendant 1h30", "for 1.5 hours"),
        ("à 15h !", "at 3:00!"),
        ("à 14 heures.", "at 2: 00."),  # a 12-hour clock, as MT detokenizes it
    ],
)
def test_formatting_differences_are_not_mismatches(fr: str, en: str) -> None:
    assert numbers(en, fr) == []


@pytest.mark.parametrize(
    ("fr", "en", "bad"),
    [
        ("5 200 soldats", "5,300 soldiers", "5,300"),
        ("3,5 %", "35%", "35"),
        ("à 17 h", "at 7 p.m.", "7 p.m."),
        ("dimanche 5 janvier", "Sunday January 6", "January 6"),
        ("de 3 000 à 3 500 soldats", "3,000 to 4,500 troops", "4,500"),
        ("en 1979", "in 1997", "1997"),
        ("à 14 heures.", "at 4: 00.", "4: 00"),
    ],
)
def test_changed_number_is_critical(fr: str, en: str, bad: str) -> None:
    flags = numbers(en, fr)
    assert [f.text for f in flags] == [bad]
    assert flags[0].severity == Severity.CRITICAL
    assert flags[0].source_text


def test_missing_number_points_at_the_segment() -> None:
    flags = numbers(
        "The parliament could expel the American soldiers.",
        "Le Parlement pourrait expulser les 5 200 soldats américains.",
    )
    assert len(flags) == 1 and "missing" in flags[0].message
    assert flags[0].source_text == "5 200"


def test_identifiers_are_not_quantities() -> None:
    assert keys("COVID-19 et le F-16", "fr") == []
    assert keys("in the mid-1990s", "en") == [{("num", 1990.0), ("num", 90.0)}]


def test_spelled_values() -> None:
    assert 52 in spelled_values("fifty-two sites", "en")
    assert 52 in spelled_values("cinquante-deux sites", "fr")
    assert 90 in spelled_values("quatre-vingt-dix", "fr")


@pytest.mark.parametrize(
    ("fr", "en", "bad"),
    [
        ("Deux patients sont morts.", "Three patients died.", "Three"),
        ("Une dizaine de patients sont morts.", "About a dozen patients died.", "dozen"),
        ("La moitié des patients.", "Three quarters of the patients.", "Three quarters"),
        ("Trois millions de personnes.", "Two million people.", "Two million"),
        ("Cinq patients sont morts.", "6 patients died.", "6"),
    ],
)
def test_changed_number_in_words(fr: str, en: str, bad: str) -> None:
    assert [f.text for f in numbers(en, fr)] == [bad]


@pytest.mark.parametrize(
    ("fr", "en"),
    [
        ("Les deux patients sont morts.", "Both patients died."),
        ("Un patient est mort.", "One patient died."),
        ("Vingt et un patients.", "Twenty-one patients."),
        ("Une dizaine de patients.", "About ten patients."),
        ("Les trois quarts des patients.", "Three-quarters of the patients."),
        ("5,2 millions d'euros, 5 pour cent.", "5.2 million euros, 5 percent."),
        ("Le troisième essai.", "The third trial."),
        ("Un bâtiment neuf, en quarantaine.", "A new building, in quarantine."),
    ],
)
def test_numbers_in_words_that_agree(fr: str, en: str) -> None:
    assert numbers(en, fr) == []


def test_seed_has_no_number_flags(seed_pair: tuple[str, str]) -> None:
    target, source = seed_pair
    assert numbers(target, source) == []


def test_french_number_style_in_english() -> None:
    flags = [
        f for f in check_texts("It cost 5 200 dollars, or 3,5 times more, at 17 h.") if f.rule == "AUD404"
    ]
    assert [f.text for f in flags] == ["5 200", "3,5", "17 h"]
    clean = "It cost 5,200 dollars, or 3.5 times more, at 5 p.m., in 2019, with 1, 2 and 3."
    assert [f for f in check_texts(clean) if f.rule == "AUD404"] == []


@pytest.fixture
def seed_pair() -> tuple[str, str]:
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "fixtures"
    return (root / "article.en.txt").read_text(encoding="utf-8"), (root / "article.fr.txt").read_text(
        encoding="utf-8"
    )
