"""Word alignment: the HMM aligner on small pairs, character spans, flags mapped to source words, `align --words`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from auditor.align.lexicon import load_lexicon, tokenize_spans
from auditor.align.words import (
    align_words,
    link_posteriors,
    link_texts,
    read_pairs,
    source_words,
)
from auditor.errors import InputError
from auditor.report import AlignedSegment, Flag, Severity


def _align(line: str) -> set[tuple[int, int]]:
    src, tgt = read_pairs(line, "<test>")[0]
    return set(align_words(src, tgt, load_lexicon("fr", "en")))


def test_obvious_pair_links_each_word_to_its_translation() -> None:
    assert _align("le chat noir ||| the black cat") == {(0, 0), (1, 2), (2, 1)}


def test_longer_sentence_follows_word_order_changes() -> None:
    links = _align("le gouvernement a présenté un projet de loi . ||| the government introduced a bill .")
    assert {(0, 0), (1, 1), (3, 2), (4, 3), (8, 5)} <= links
    assert (5, 4) in links or (7, 4) in links  # "projet de loi" -> "bill"


def test_names_and_numbers_align_without_a_table() -> None:
    src, tgt = ["Trump", "a", "parlé", "52", "fois"], ["Trump", "spoke", "52", "times"]
    links = set(align_words(src, tgt, None))
    assert {(0, 0), (3, 2)} <= links


def test_posteriors_are_probabilities() -> None:
    src, tgt = ["la", "maison", "bleue"], ["the", "blue", "house"]
    posterior = link_posteriors(src, tgt, load_lexicon("fr", "en"))
    assert posterior.shape == (3, 3)
    assert np.all(posterior >= 0) and np.all(posterior.sum(axis=0) <= 1 + 1e-9)


def test_empty_side_has_no_links() -> None:
    assert align_words([], ["the"], None) == []
    assert align_words(["le"], [], None) == []


def test_token_spans_cover_elisions() -> None:
    text = "L'homme n'a vu l’État."
    tokens = tokenize_spans(text, "fr")
    assert [t[0] for t in tokens] == ["le", "homme", "ne", "a", "vu", "le", "état", "."]
    assert [text[a:b] for _, a, b in tokens] == ["L'", "homme", "n'", "a", "vu", "l’", "État", "."]


def test_link_texts_gives_character_spans() -> None:
    source, target = "Le chat noir dort.", "The black cat sleeps."
    pairs = {(source[a:b], target[c:d]) for (a, b), (c, d) in link_texts(source, target, "fr", "en")}
    assert {("Le", "The"), ("chat", "cat"), ("noir", "black"), (".", ".")} <= pairs


def test_flag_is_mapped_to_its_source_words() -> None:
    source, target = "Le chat noir dort.", "The black cat sleeps."
    row = AlignedSegment(0, "1-1", [0], [0], source, target, (0, len(source)), (0, len(target)))
    row.word_links = link_texts(source, target, "fr", "en")
    start = target.index("cat")
    flag = Flag("AUD100", "model", Severity.MINOR, (start, start + 3), (0, len(source)), "cat", "m")
    kept = Flag(
        "AUD200", "numbers", Severity.MINOR, (start, start + 3), (3, 7), "cat", "m", source_text="chat"
    )
    source_words([flag, kept], [row], source)
    assert flag.source_text == "chat" and flag.source_span == (3, 7)
    assert kept.source_span == (3, 7)  # a rule's own source words are kept


def test_bad_pair_line_is_an_input_error() -> None:
    with pytest.raises(InputError, match="<test>:2"):
        read_pairs("le chat ||| the cat\nno separator here", "<test>")


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    from auditor.cli import _register_commands

    _register_commands()
    return CliRunner()


def test_align_words_command_prints_pharaoh_lines(runner: CliRunner, tmp_path: Path) -> None:
    from auditor.cli import app

    pairs = tmp_path / "pairs.txt"
    pairs.write_text("le chat noir ||| the black cat\nmerci . ||| thank you .\n", encoding="utf-8")
    result = runner.invoke(
        app, ["align", "--words", str(pairs), "--no-model", "--src-lang", "fr", "--tgt-lang", "en"]
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert set(lines[0].split()) == {"0-0", "1-2", "2-1"}
    assert "1-2" in lines[1].split()


def test_align_words_command_bad_input_is_one_line(runner: CliRunner, tmp_path: Path) -> None:
    from auditor.cli import app

    bad = tmp_path / "bad.txt"
    bad.write_text("le chat noir, the black cat\n", encoding="utf-8")
    for args in (["align", "--words", str(bad)], ["align", "--words", str(tmp_path / "missing.txt")]):
        result = runner.invoke(app, [*args, "--no-model"])
        assert result.exit_code == 2
        assert len(result.output.strip().splitlines()) == 1
        assert result.output.startswith("error: ")
