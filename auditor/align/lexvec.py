"""Lexical sentence vectors: a cheap cross-lingual sentence similarity from a bilingual translation table.

Each sentence becomes one vector in a space the two languages share, made of three blocks:
- target-word space: a target sentence's own words; a source sentence's words carried over by their likely
  translations p(target word | source word) (a word with no entry is carried as itself: names, numbers);
- source-word space: the same the other way round, through p(source word | target word);
- anchor space: the language-independent keys of anchors.py (numbers, names, cognate prefixes, punctuation).
Words are weighted by inverse document frequency over both documents, so function words count for little,
and every block is unit-normalised before the blocks are weighted and added. Two sentences that translate
each other share much of their mass: the cosine of their vectors is Hunalign's and Bleualign's "how many
words have a translation on the other side", in a form that sums over runs of sentences (n-m links).

The features are hashed into a fixed width (the hashing trick), so memory does not grow with the vocabulary.
"""

from __future__ import annotations

import math
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from auditor.align import anchors
from auditor.align.lexicon import Lexicon, tokenize


@dataclass(frozen=True)
class LexicalWeights:
    """How the vectors are built. Defaults were set on TransRead dev novels (benchmarks/align_sentences.py)."""

    translations: int = 3  # a word's most likely translations kept
    floor: float = 0.05  # ... with at least this probability
    target_block: float = 1.0
    source_block: float = 1.0
    anchor_block: float = 0.5
    width: int = 4096  # hashed dimensions


DEFAULT_WEIGHTS = LexicalWeights()


def lexical_vectors(
    source: Sequence[str],
    target: Sequence[str],
    lexicon: Lexicon,
    *,
    source_lang: str | None,
    target_lang: str | None,
    weights: LexicalWeights = DEFAULT_WEIGHTS,
) -> tuple[np.ndarray, np.ndarray]:
    """One row per source and per target sentence, in the shared space described above."""
    src_words = [_content(tokenize(s, source_lang)) for s in source]
    tgt_words = [_content(tokenize(t, target_lang)) for t in target]
    src_keys = [anchors.keys(s) for s in source]
    tgt_keys = [anchors.keys(t) for t in target]
    idf = _idf([*src_words, *tgt_words], [*src_keys, *tgt_keys])
    table = _Translations(lexicon, weights)
    src_rows = [
        (table.forward(ws, idf), _bag("s:", ws, idf), _keys(ks, idf))
        for ws, ks in zip(src_words, src_keys, strict=True)
    ]
    tgt_rows = [
        (_bag("t:", ws, idf), table.backward(ws, idf), _keys(ks, idf))
        for ws, ks in zip(tgt_words, tgt_keys, strict=True)
    ]
    return _matrix(src_rows, weights), _matrix(tgt_rows, weights)


Block = dict[str, float]


def _content(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t[:1].isalnum()]


def _idf(word_lists: Sequence[list[str]], key_bags: Sequence[Counter[str]]) -> dict[str, float]:
    """log(N / document frequency) of every word and anchor key ("k:" prefixed) over all sentences."""
    df: Counter[str] = Counter()
    for ws in word_lists:
        df.update(set(ws))
    for bag in key_bags:
        df.update("k:" + k for k in bag)
    total = len(word_lists) + 1
    return {w: math.log(total / (count + 0.5)) for w, count in df.items()}


class _Translations:
    """Each word's kept translations, looked up once."""

    def __init__(self, lexicon: Lexicon, weights: LexicalWeights) -> None:
        self.lexicon = lexicon
        self.weights = weights
        self._fwd: dict[str, list[tuple[str, float]]] = {}
        self._bwd: dict[str, list[tuple[str, float]]] = {}

    def _options(self, table: dict[str, dict[str, float]], word: str) -> list[tuple[str, float]]:
        ranked = sorted(table.get(word, {}).items(), key=lambda kv: -kv[1])[: self.weights.translations]
        kept = [(w, p) for w, p in ranked if p >= self.weights.floor]
        return kept or [(word, 1.0)]

    def forward(self, words: list[str], idf: dict[str, float]) -> Block:
        """Source words carried into the target-word space."""
        return self._carry(words, idf, self.lexicon.forward, self._fwd, "t:")

    def backward(self, words: list[str], idf: dict[str, float]) -> Block:
        """Target words carried into the source-word space."""
        return self._carry(words, idf, self.lexicon.backward, self._bwd, "s:")

    def _carry(
        self,
        words: list[str],
        idf: dict[str, float],
        table: dict[str, dict[str, float]],
        seen: dict[str, list[tuple[str, float]]],
        prefix: str,
    ) -> Block:
        out: Block = {}
        for word in words:
            options = seen.get(word)
            if options is None:
                options = seen[word] = self._options(table, word)
            for other, p in options:
                key = prefix + other
                out[key] = out.get(key, 0.0) + idf.get(word, 0.0) * p
        return out


def _bag(prefix: str, words: list[str], idf: dict[str, float]) -> Block:
    out: Block = {}
    for word in words:
        out[prefix + word] = out.get(prefix + word, 0.0) + idf.get(word, 0.0)
    return out


def _keys(bag: Counter[str], idf: dict[str, float]) -> Block:
    return {"k:" + k: n * idf.get("k:" + k, 0.0) for k, n in bag.items()}


def _matrix(rows: list[tuple[Block, Block, Block]], weights: LexicalWeights) -> np.ndarray:
    scales = (weights.target_block, weights.source_block, weights.anchor_block)
    out = np.zeros((len(rows), weights.width), dtype=np.float32)
    for r, blocks in enumerate(rows):
        for block, scale in zip(blocks, scales, strict=True):
            if not block or not scale:
                continue
            values = np.fromiter(block.values(), dtype=np.float32, count=len(block))
            norm = float(np.linalg.norm(values))
            if norm <= 0:
                continue
            columns, signs = _hash(list(block), weights.width)
            np.add.at(out[r], columns, scale * signs * values / norm)
    return out


@lru_cache(maxsize=1 << 18)
def _code(feature: str) -> int:
    return zlib.crc32(feature.encode("utf-8"))


def _hash(features: list[str], width: int) -> tuple[np.ndarray, np.ndarray]:
    """Stable column and sign of each feature (crc32, so runs and machines agree)."""
    array = np.asarray([_code(f) for f in features], dtype=np.int64)
    return array % width, np.where((array // width) % 2 == 0, 1.0, -1.0).astype(np.float32)
