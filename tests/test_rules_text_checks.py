"""Untranslated text (AUD202, AUD203), named entities (AUD204) and re-translated quotations (AUD205)."""

from __future__ import annotations

from auditor.checks.context import check_texts


def rules(target: str, source: str | None = None) -> list[tuple[str, str]]:
    return [(f.rule, f.text) for f in check_texts(target, source)]


FR = "Le Parlement irakien doit tenir dimanche une session extraordinaire au cours de laquelle il votera."
EN = "The Iraqi parliament is due to hold a special session on Sunday during which it will vote."


def test_sentence_left_in_french_is_flagged() -> None:
    target = f"{EN}\n{FR}"
    source = f"{FR}\n{FR}"
    assert ("AUD202", FR) in rules(target, source)
    assert ("AUD202", FR) in rules(target)  # target-only too


def test_translated_sentence_is_not_flagged() -> None:
    assert [r for r in rules(EN, FR) if r[0] in {"AUD202", "AUD203"}] == []


def test_text_already_in_the_target_language_in_the_source_is_not_untranslated() -> None:
    tweet = "The USA wants no more threats and those targets will be hit very fast and very hard!"
    flags = rules(f"{EN}\n{tweet}", f"{FR}\n{tweet}")
    assert [r for r in flags if r[0].startswith("AUD20")] == []


def test_copied_run_is_flagged() -> None:
    source = "Washington a annoncé le déploiement de soldats supplémentaires dans la région du Golfe."
    target = "Washington announced le déploiement de soldats supplémentaires in the Gulf region."
    assert ("AUD203", "le déploiement de soldats supplémentaires") in rules(target, source)


def test_copied_names_are_not_untranslated() -> None:
    source = "Il a rencontré Alexandria Ocasio-Cortez et Donald J. Trump à New York City Hall hier."
    target = "He met Alexandria Ocasio-Cortez and Donald J. Trump at New York City Hall yesterday."
    assert [r for r in rules(target, source) if r[0] == "AUD203"] == []


def test_missing_name_is_flagged() -> None:
    source = "Le président a rencontré le général Qassem Soleimani à Bagdad."
    target = "The president met the general in Baghdad."
    flags = [f for f in check_texts(target, source) if f.rule == "AUD204"]
    assert [f.source_text for f in flags] == ["Qassem Soleimani"]


def test_translated_and_respelled_names_are_not_flagged() -> None:
    source = "Les États-Unis et l'Otan ont parlé à Téhéran, en Pologne et à Bagdad avec Donald Trump."
    target = "The United States and NATO spoke in Tehran, in Poland and in Baghdad with Donald Trump."
    assert [r for r in rules(target, source) if r[0] == "AUD204"] == []


def test_quote_translated_back_from_the_source_paraphrase() -> None:
    tweet = "Some of these sites are at a very high level and important to Iran and the Iranian culture."
    quote = "« de très haut niveau et très importants pour l'Iran et la culture iranienne »"
    source = f"Il a cité 52 sites {quote}.\n{tweet}"
    target = (
        f'He cited 52 sites "of very high standard and very important to Iran and Iranian culture".\n{tweet}'
    )
    flags = [f for f in check_texts(target, source) if f.rule == "AUD205"]
    assert len(flags) == 1 and flags[0].text.startswith('"of very high standard')
    assert flags[0].suggestion == tweet


def test_quote_given_in_the_original_words_is_not_flagged() -> None:
    tweet = "Some of these sites are at a very high level and important to Iran and the Iranian culture."
    source = f"Il a cité 52 sites « de très haut niveau et très importants pour l'Iran ».\n{tweet}"
    target = f'He cited 52 sites "at a very high level and important to Iran".\n{tweet}'
    assert [r for r in rules(target, source) if r[0] == "AUD205"] == []
