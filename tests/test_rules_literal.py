"""Literal renderings (AUD304) and false friends (AUD305) found by the translation table, the word alignment
and the model, with the curated phrase lexicon switched off."""

from __future__ import annotations

from auditor.align.lexicon import load_lexicon
from auditor.checks import RuleConfig
from auditor.checks.config import resolve_codes
from auditor.checks.literal import look_alike, options, support
from auditor.pipeline import audit
from auditor.report import Flag

NO_LEXICON = RuleConfig(disabled=resolve_codes(["lexicon"], "test"))


def flags_of(target: str, source: str, model: object, code: str) -> list[Flag]:
    report = audit(target, source, src_lang="fr", tgt_lang="en", model=model, encoder=None, rules=NO_LEXICON)  # type: ignore[arg-type]
    return [f for f in report.flags if f.rule == code]


def test_table_lookup_folds_french_inflections_and_english_plurals() -> None:
    lexicon = load_lexicon("fr", "en")
    assert lexicon is not None
    assert "monstres" not in lexicon.forward and options(lexicon, "monstres")  # back to "monstre"
    assert support(lexicon, "défilés", "parades") == support(lexicon, "défilés", "parade") > 0
    assert look_alike("librairie", "library") and look_alike("hommage", "homage")
    assert not look_alike("librairie", "bookshop") and not look_alike("hausse", "rise")


def test_false_friend_confirmed_by_the_model(lm: object) -> None:
    source = "Les honoraires de l'avocat sont très élevés."
    (flag,) = flags_of("The lawyer's honorary are very high.", source, lm, "AUD305")
    assert flag.text == "honorary" and flag.source_text == "honoraires" and "fees" in flag.message
    assert flags_of("The lawyer's fees are very high.", source, lm, "AUD305") == []


def test_false_friend_left_alone_where_the_model_expects_it(lm: object) -> None:
    # "efficacité" -> "efficacy": the table prefers "effectiveness", but the model, given the source, finds
    # "efficacy" likely here: a cognate used rightly is no false friend
    source = "L'efficacité du vaccin a été démontrée chez les enfants."
    assert flags_of("The efficacy of the vaccine has been shown in children.", source, lm, "AUD305") == []


def test_literal_rendering_names_the_source_phrase(lm: object) -> None:
    source = "La ministre a annoncé une hausse importante des impôts."
    (flag,) = flags_of("The minister announced a rise important of taxes.", source, lm, "AUD304")
    assert flag.text == "important" and flag.source_text == "hausse importante"
    assert flag.category == "fluency/calque" and "word for word as “rise important”" in flag.message
    assert flags_of("The minister announced a large rise in taxes.", source, lm, "AUD304") == []


def test_both_need_the_model() -> None:
    source = "La ministre a annoncé une hausse importante des impôts."
    assert flags_of("The minister announced a rise important of taxes.", source, None, "AUD304") == []
    source = "Les honoraires de l'avocat sont très élevés."
    assert flags_of("The lawyer's honorary are very high.", source, None, "AUD305") == []
