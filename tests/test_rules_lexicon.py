"""The calque and false-friend lexicon (AUD301, AUD302, AUD206, AUD321) and how hits are confirmed."""

from __future__ import annotations

from pathlib import Path

from auditor.checks.context import build_context, check_texts
from auditor.checks.lexicon import LEXICON_PATH, load_lexicon, parse_lexicon
from auditor.checks.registry import REGISTRY, RuleConfig, run_checks
from auditor.report import Severity, TokenScore


def lexicon_flags(target: str, source: str | None = None) -> list[tuple[str, str, Severity]]:
    codes = {"AUD301", "AUD302", "AUD206", "AUD321"}
    return [(f.rule, f.text, f.severity) for f in check_texts(target, source) if f.rule in codes]


def test_lexicon_file_loads_and_every_entry_compiles() -> None:
    lexicon = load_lexicon()
    assert LEXICON_PATH.is_file() and len(lexicon.entries) >= 50
    assert {e.rule for e in lexicon.entries} == {"AUD301", "AUD302", "AUD206", "AUD321"}
    assert all(code in REGISTRY for code in {e.rule for e in lexicon.entries})


def test_missing_lexicon_file_gives_an_empty_lexicon(tmp_path: Path) -> None:
    assert load_lexicon(tmp_path / "absent.toml").entries == ()


def test_false_friend_confirmed_by_the_source_word() -> None:
    source = "Le président est actuellement à Paris."
    target = "The president is actually in Paris."
    assert lexicon_flags(target, source) == [("AUD302", "actually", Severity.MAJOR)]


def test_correct_use_is_not_flagged_when_the_source_word_is_absent() -> None:
    source = "En fait, le président est à Paris."
    target = "Actually, the president is in Paris."
    assert lexicon_flags(target, source) == []


def test_ambiguous_hit_without_source_or_model_is_not_flagged() -> None:
    assert lexicon_flags("The president is actually in Paris.") == []
    assert lexicon_flags("They gathered to pay homage to the general.") == []


def test_unambiguous_calque_target_only_is_minor_and_low_confidence() -> None:
    flags = check_texts("A day of monster parades in Baghdad.")
    hit = [f for f in flags if f.rule == "AUD301"]
    assert [(f.text, f.severity) for f in hit] == [("monster parades", Severity.MINOR)]
    assert hit[0].confidence < 0.5


def test_calques_confirmed_by_the_source() -> None:
    source = "Une journée de défilés monstres pour rendre hommage au général, en représailles à sa mort."
    target = "A day of monster parades to pay homage to the general, in reprisals to his death."
    found = {(code, text) for code, text, _ in lexicon_flags(target, source)}
    assert found == {("AUD301", "monster parades"), ("AUD301", "pay homage"), ("AUD301", "in reprisals to")}


def test_grammar_entries() -> None:
    assert lexicon_flags("Trump threatens to retaliate Iran.", "Trump menace de riposter contre l'Iran.") == [
        ("AUD321", "retaliate Iran", Severity.MINOR)
    ]
    assert (
        lexicon_flags("Trump threatens to retaliate against Iran.", "Trump menace de riposter contre l'Iran.")
        == []
    )


def _context_with_logprob(target: str, logprob: float):
    ctx = build_context(target)
    row = ctx.segments[0]
    # Token scores as the pipeline writes them: one per word of the target, with its log-probability.
    start = 0
    for word in target.split(" "):
        row.tokens.append(TokenScore(start, start + len(word), logprob))
        start += len(word) + 1
    return ctx


def test_ambiguous_hit_target_only_confirmed_by_low_model_probability() -> None:
    import auditor.checks  # noqa: F401

    threshold = load_lexicon().max_logprob
    unlikely = _context_with_logprob("They gathered to pay homage to the general.", threshold - 1)
    likely = _context_with_logprob("They gathered to pay homage to the general.", threshold + 5)
    assert [f.text for f in run_checks(unlikely, RuleConfig()) if f.rule == "AUD301"] == ["pay homage"]
    assert [f.text for f in run_checks(likely, RuleConfig()) if f.rule == "AUD301"] == []


def test_parse_lexicon_rejects_unknown_kind() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown rule"):
        parse_lexicon({"entry": [{"name": "x", "rule": "nonsense", "en": "x"}]})
