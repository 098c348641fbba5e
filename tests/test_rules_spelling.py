"""Spelling and casing (AUD330, AUD331) over the Hunspell en_US dictionary that `make setup` installs."""

from __future__ import annotations

from auditor.checks.context import check_texts
from auditor.checks.spelling import dictionary


def _spelling(target: str, source: str | None = None) -> list[tuple[str, str, str | None]]:
    flags = check_texts(target, source)
    return [(f.rule, f.text, f.suggestion) for f in flags if f.rule in ("AUD330", "AUD331")]


def test_the_dictionary_is_installed() -> None:
    assert dictionary() is not None


def test_misspelling_is_flagged_with_a_suggestion() -> None:
    assert _spelling("The samples were recieved in March.", "Les échantillons ont été reçus en mars.") == [
        ("AUD330", "recieved", "received")
    ]


def test_casing_against_the_dictionary_and_the_source() -> None:
    found = _spelling(
        "The Covid-19 pandemic affected all canadians.",
        "La pandémie de COVID-19 a touché tous les Canadiens.",
    )
    assert ("AUD331", "Covid-19", "COVID-19") in found
    assert ("AUD331", "canadians", "Canadians") in found


def test_terms_and_names_from_the_source_are_accepted() -> None:
    assert (
        _spelling(
            "Patients received tocilizumab and immunohistochemistry was done by Dr Zhuravlev.",
            "Les patients ont reçu du tocilizumab et l'immunohistochimie a été faite par le Dr Zhuravlev.",
        )
        == []
    )


def test_lowercased_text_gets_no_casing_flags() -> None:
    assert _spelling("all canadians were tested .", "Tous les Canadiens ont été testés.") == []


def test_british_spelling_is_flagged_even_when_the_french_has_it() -> None:
    assert _spelling("The programme was favourable.", "Le programme était favorable.") == [
        ("AUD330", "programme", "program"),
        ("AUD330", "favourable", "favorable"),
    ]
