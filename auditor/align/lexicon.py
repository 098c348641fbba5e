"""A bilingual lexical translation table (IBM Model 1, both directions) and the code that trains it.

The shipped table models/lexicon/fr-en.tsv is built by `python -m benchmarks.build_lexicon` from parallel text
whose licence allows it (see models/lexicon/README.md). Rows: `fr<TAB>en<TAB>p(en|fr)<TAB>p(fr|en)`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

LEXICON_DIR = Path(__file__).resolve().parents[2] / "models" / "lexicon"
_TOKEN = re.compile(r"\w+(?:[-’']\w+)*|[^\w\s]", re.UNICODE)
_ELISION = re.compile(r"^(l|d|qu|j|n|s|c|m|t|jusqu|lorsqu|puisqu)['’](?=\w)", re.IGNORECASE)
_ELIDED = {
    "l": "le",
    "d": "de",
    "qu": "que",
    "j": "je",
    "n": "ne",
    "s": "se",
    "c": "ce",
    "m": "me",
    "t": "te",
}


def normalise(word: str) -> str:
    """Lower-case, NFC, typographic apostrophe made plain."""
    return unicodedata.normalize("NFC", word.lower().replace("’", "'"))


def tokenize(text: str, lang: str | None = None) -> list[str]:
    """Lower-cased word and punctuation tokens; French elisions become their full word ("l'" -> "le")."""
    tokens: list[str] = []
    for raw in _TOKEN.findall(text):
        word = normalise(raw)
        match = _ELISION.match(word) if lang in (None, "fr") else None
        if match:
            head = match.group(1)
            tokens.append(_ELIDED.get(head, head))
            word = word[match.end() :]
        tokens.append(word)
    return tokens


@dataclass
class Lexicon:
    """p(target word | source word) and p(source word | target word) for one language pair."""

    source_lang: str
    target_lang: str
    forward: dict[str, dict[str, float]] = field(default_factory=dict)  # src -> tgt -> p(tgt|src)
    backward: dict[str, dict[str, float]] = field(default_factory=dict)  # tgt -> src -> p(src|tgt)

    def prob(self, src: str, tgt: str) -> tuple[float, float]:
        return self.forward.get(src, {}).get(tgt, 0.0), self.backward.get(tgt, {}).get(src, 0.0)

    def translations(self, src: str, limit: int = 3, floor: float = 0.05) -> list[str]:
        options = sorted(self.forward.get(src, {}).items(), key=lambda kv: -kv[1])
        return [w for w, p in options[:limit] if p >= floor]

    def back_translations(self, tgt: str, limit: int = 3, floor: float = 0.05) -> list[str]:
        options = sorted(self.backward.get(tgt, {}).items(), key=lambda kv: -kv[1])
        return [w for w, p in options[:limit] if p >= floor]

    def reversed(self) -> Lexicon:
        return Lexicon(self.target_lang, self.source_lang, self.backward, self.forward)


@lru_cache(maxsize=4)
def _read(path: Path) -> Lexicon:
    lang_a, lang_b = path.stem.split("-")
    lexicon = Lexicon(lang_a, lang_b)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or line.startswith("#"):
                continue
            a, b, p_ba, p_ab = parts[0], parts[1], float(parts[2]), float(parts[3])
            if p_ba > 0:
                lexicon.forward.setdefault(a, {})[b] = p_ba
            if p_ab > 0:
                lexicon.backward.setdefault(b, {})[a] = p_ab
    return lexicon


def load_lexicon(source_lang: str | None, target_lang: str | None) -> Lexicon | None:
    """The shipped table for this pair (either direction), or None when there is none."""
    if not source_lang or not target_lang:
        return None
    path = LEXICON_DIR / f"{source_lang}-{target_lang}.tsv"
    if path.is_file():
        return _read(path)
    path = LEXICON_DIR / f"{target_lang}-{source_lang}.tsv"
    if path.is_file():
        return _read(path).reversed()
    return None


def train_ibm1(
    pairs: Sequence[tuple[list[str], list[str]]], iterations: int = 5, null: bool = True
) -> dict[tuple[str, str], float]:
    """IBM Model 1 by EM: t(tgt | src) for every co-occurring (src, tgt) pair (and ("<null>", tgt))."""
    src_vocab: dict[str, int] = {}
    tgt_vocab: dict[str, int] = {}
    encoded: list[tuple[np.ndarray, np.ndarray]] = []
    for src, tgt in pairs:
        s_ids = [src_vocab.setdefault(w, len(src_vocab)) for w in (["<null>"] if null else []) + src]
        t_ids = [tgt_vocab.setdefault(w, len(tgt_vocab)) for w in tgt]
        if s_ids and t_ids:
            encoded.append((np.asarray(s_ids), np.asarray(t_ids)))
    n_tgt = len(tgt_vocab)
    pair_ids: dict[int, int] = {}
    matrices = []
    for s, t in encoded:
        keys = (s[:, None].astype(np.int64) * n_tgt + t[None, :]).ravel()
        ids = np.empty(len(keys), dtype=np.int64)
        for k, key in enumerate(keys.tolist()):
            ids[k] = pair_ids.setdefault(key, len(pair_ids))
        matrices.append(ids.reshape(len(s), len(t)))
    src_of_pair = np.empty(len(pair_ids), dtype=np.int64)
    for key, pid in pair_ids.items():
        src_of_pair[pid] = key // n_tgt
    prob = np.full(len(pair_ids), 1.0 / max(1, n_tgt))
    for _ in range(iterations):
        counts = np.zeros(len(pair_ids))
        for pair_matrix in matrices:
            sub = prob[pair_matrix]
            post = sub / sub.sum(axis=0, keepdims=True)
            np.add.at(counts, pair_matrix.ravel(), post.ravel())
        totals = np.bincount(src_of_pair, weights=counts, minlength=len(src_vocab))
        prob = counts / np.maximum(totals[src_of_pair], 1e-12)
    src_words = {i: w for w, i in src_vocab.items()}
    tgt_words = {i: w for w, i in tgt_vocab.items()}
    return {
        (src_words[key // n_tgt], tgt_words[key % n_tgt]): float(prob[pid]) for key, pid in pair_ids.items()
    }


def frequent(pairs: Sequence[tuple[list[str], list[str]]]) -> tuple[Counter[str], Counter[str]]:
    src: Counter[str] = Counter()
    tgt: Counter[str] = Counter()
    for s, t in pairs:
        src.update(s)
        tgt.update(t)
    return src, tgt
