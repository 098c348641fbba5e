"""Omissions and additions with the sentence encoder: null links from the aligner, and sentences inside n-m
links that the other side does not render (auditor/checks/alignment.py). The texts are in
tests/data/omission_pairs.toml, written for these tests."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from auditor.checks.alignment import additions, omissions
from auditor.checks.context import rows_from_links
from auditor.checks.registry import REGISTRY, CheckContext
from auditor.document import Document, SentenceLink
from auditor.encoder import load_encoder
from auditor.pipeline import audit
from auditor.segment import split_sentences

DATA = Path(__file__).resolve().parent / "data" / "omission_pairs.toml"
PAIRS = tomllib.loads(DATA.read_text(encoding="utf-8"))["pair"]
UNRELATED = "My cousin collects old postage stamps from countries that no longer exist."
ALIGNMENT_RULES = {"AUD501", "AUD502"}


def _without(text: str, sentence: str) -> str:
    assert sentence in text
    return text.replace(sentence + " ", "").replace(" " + sentence, "")


def _alignment_flags(target: str, source: str) -> list:
    report = audit(target, source, src_lang="fr", tgt_lang="en", model=None)
    return [f for f in report.flags if f.rule in ALIGNMENT_RULES]


def _forced_context(french: str, english: str, merge: tuple[str, int], encoder) -> CheckContext:
    """Sentences paired in order, except that `merge` = ("source"|"target", k) links sentence k of that side
    together with sentence k+1 to one sentence of the other side (a 2-1 or 1-2 link)."""
    src = split_sentences(Document(french, "fr"))
    tgt = split_sentences(Document(english, "en"))
    side, k = merge
    links, i, j = [], 0, 0
    while i < len(src) and j < len(tgt):
        a = 2 if (side, i) == ("source", k) else 1
        b = 2 if (side, j) == ("target", k) else 1
        links.append(SentenceLink(tuple(range(i, i + a)), tuple(range(j, j + b))))
        i, j = i + a, j + b
    assert i == len(src) and j == len(tgt)
    rows = rows_from_links(links, src, tgt)
    return CheckContext(Document(english, "en"), Document(french, "fr"), tgt, src, rows, encoder=encoder)


@pytest.mark.parametrize("pair", PAIRS, ids=[p["name"] for p in PAIRS])
def test_a_dropped_sentence_is_an_omission_naming_it(pair: dict[str, str]) -> None:
    flags = _alignment_flags(_without(pair["english"], pair["translation"]), pair["french"])
    assert [(f.rule, f.category) for f in flags] == [("AUD501", "accuracy/omission")]
    flag = flags[0]
    assert flag.source_text == pair["dropped"]
    assert flag.source_span is not None
    assert pair["french"][flag.source_span[0] : flag.source_span[1]] == pair["dropped"]


@pytest.mark.parametrize("pair", PAIRS, ids=[p["name"] for p in PAIRS])
def test_a_dropped_sentence_inside_a_two_to_one_link_is_an_omission(pair: dict[str, str]) -> None:
    """The aligner may join the dropped sentence to its surviving neighbour: the check reads the link's members."""
    english = _without(pair["english"], pair["translation"])
    src = split_sentences(Document(pair["french"], "fr"))
    k = next(n for n, s in enumerate(src) if s.text == pair["dropped"])
    first = k - 1 if k > 0 and src[k - 1].paragraph == src[k].paragraph else k  # joined to a neighbour
    ctx = _forced_context(pair["french"], english, ("source", first), load_encoder())
    merged = next(row for row in ctx.segments if len(row.source_indices) == 2)
    assert k in merged.source_indices and merged.link == "2-1"
    flags = list(omissions(ctx, REGISTRY["AUD501"]))
    assert [f.source_text for f in flags] == [pair["dropped"]]
    assert flags[0].segment == merged.index and pair["dropped"][:20] in flags[0].message
    assert not list(additions(ctx, REGISTRY["AUD502"]))


@pytest.mark.parametrize("pair", PAIRS, ids=[p["name"] for p in PAIRS])
def test_an_inserted_unrelated_sentence_is_an_addition(pair: dict[str, str]) -> None:
    english = pair["english"].replace(pair["translation"], pair["translation"] + " " + UNRELATED)
    flags = _alignment_flags(english, pair["french"])
    assert [(f.rule, f.text) for f in flags] == [("AUD502", UNRELATED)]
    assert flags[0].category == "accuracy/addition"
    # the same sentence joined to its neighbour's link (1-2) is found among the link's members
    tgt = [t.text for t in split_sentences(Document(english, "en"))]
    ctx = _forced_context(pair["french"], english, ("target", tgt.index(pair["translation"])), load_encoder())
    assert [f.text for f in additions(ctx, REGISTRY["AUD502"])] == [UNRELATED]
    assert not list(omissions(ctx, REGISTRY["AUD501"]))


@pytest.mark.parametrize("pair", PAIRS, ids=[p["name"] for p in PAIRS])
def test_a_faithful_translation_has_no_alignment_flags(pair: dict[str, str]) -> None:
    assert _alignment_flags(pair["english"], pair["french"]) == []


def test_a_sentence_split_in_two_is_not_an_addition() -> None:
    """A 1-2 link whose two target sentences each render part of the source is no addition."""
    french = "Le musée rouvrira en septembre après deux ans de travaux, avec une nouvelle aile consacrée à la photographie."
    english = "The museum will reopen in September after two years of work. It will have a new wing devoted to photography."
    ctx = _forced_context(french, english, ("target", 0), load_encoder())
    assert ctx.segments[0].link == "1-2"
    assert not list(additions(ctx, REGISTRY["AUD502"]))


def test_no_alignment_flags_on_the_seed_pair(seed_texts: tuple[str, str]) -> None:
    source, target = seed_texts
    assert _alignment_flags(target, source) == []
