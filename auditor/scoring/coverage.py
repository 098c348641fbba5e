"""Lexical coverage: the source's content words that have no likely translation anywhere in the translation.

A small language model's likelihoods barely move when a translation drops an adjective or a phrase (the shorter
text is often the more probable one); a bilingual translation table sees it directly. A source word counts as
covered when the target contains the word itself (names, numbers), one of its translations with
p(target word | source word) or p(source word | target word) of at least FLOOR in the shipped table
(models/lexicon), or, for a word longer than PREFIX letters, a word with the same first PREFIX letters
(cognates). Function words, the FUNCTION_WORDS words the table's word-alignment model most often generates
from NULL, are not counted (further down that list come adverbs such as "toujours" and "notamment", whose loss
matters).

The count enters the fidelity score (auditor/scoring/mapping.py, version 5). FLOOR, PREFIX and FUNCTION_WORDS
were set on DEMETR-fr dev and WMT12 fr-en; pairs with no shipped table get None.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.align.lexicon import Lexicon, load_lexicon, tokenize

FLOOR = 0.02
PREFIX = 5
FUNCTION_WORDS = 100


class CoverageCheck:
    """`uncovered` for one language pair's translation table."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        null = lexicon.backward_hmm.null if lexicon.backward_hmm is not None else {}
        # backward_hmm generates source words from target words: its NULL words are the source's function words
        self.function_words = set(sorted(null, key=lambda word: -null[word])[:FUNCTION_WORDS])

    def uncovered(self, source: str, target: str) -> list[str]:
        """The source's content words (lower-cased, in order) that nothing in the target translates."""
        lexicon = self.lexicon
        target_words = {w for w in tokenize(target, lexicon.target_lang) if w[:1].isalnum()}
        missing = []
        for word in tokenize(source, lexicon.source_lang):
            if not word[:1].isalnum() or word in self.function_words or word in target_words:
                continue
            if any(max(lexicon.prob(word, t)) >= FLOOR for t in target_words):
                continue
            if len(word) > PREFIX and any(t[:PREFIX] == word[:PREFIX] for t in target_words):
                continue
            missing.append(word)
        return missing


def uncovered_per_pair(
    targets: Sequence[str], sources: Sequence[str | None], src_lang: str | None, tgt_lang: str | None
) -> list[list[str] | None]:
    """`CoverageCheck.uncovered` of each pair; None where the pair has no source or the languages no table."""
    lexicon = load_lexicon(src_lang, tgt_lang)
    if lexicon is None:
        return [None] * len(targets)
    check = CoverageCheck(lexicon)
    return [
        None if source is None else check.uncovered(source, target)
        for target, source in zip(targets, sources, strict=True)
    ]
