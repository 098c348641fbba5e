"""Word alignment inside an aligned sentence pair.

Evidence for a link between source word i and target word j, combined into one association matrix:
- the lexical translation table (models/lexicon, IBM Model 1 both directions);
- string identity: numbers, names, punctuation and cognates ("Toronto", "52", "gouvernement"/"government");
- optionally, the cosine similarity of the two words' contextual hidden states from the language model
  (subword states averaged back into words, each sentence mean-centred), SimAlign-style;
- a distortion prior favouring links near the diagonal.
Each direction's matrix is normalised into alignment posteriors; a link is kept when it is the argmax in both
directions (intersection), then links whose two posteriors' product clears a threshold are added
(itermax-like growth). Output links are (source index, target index), 0-based, as in Pharaoh's `i-j`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from auditor.align.anchors import fold
from auditor.align.lexicon import Lexicon, load_lexicon, normalise
from auditor.errors import InputError


@dataclass(frozen=True)
class WordParams:
    lexicon_weight: float = 1.0
    identity: float = 0.6
    cognate: float = 0.25
    floor: float = 0.002
    distortion: float = 3.0  # strength of the diagonal prior
    model_weight: float = 0.0  # weight of the model's similarity (0 when no model is given)
    threshold: float = 0.15  # product of posteriors for links beyond the intersection


DEFAULT_WORD_PARAMS = WordParams()


def _is_word(token: str) -> bool:
    return any(ch.isalnum() for ch in token)


def association(
    src: Sequence[str],
    tgt: Sequence[str],
    lexicon: Lexicon | None,
    params: WordParams = DEFAULT_WORD_PARAMS,
    similarity: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Forward (src->tgt) and backward association scores, shape (len(src), len(tgt)), before normalising."""
    n, m = len(src), len(tgt)
    fwd = np.full((n, m), params.floor)
    bwd = np.full((n, m), params.floor)
    src_norm = [normalise(w) for w in src]
    tgt_norm = [normalise(w) for w in tgt]
    src_fold = [fold(w) for w in src]
    tgt_fold = [fold(w) for w in tgt]
    for i in range(n):
        row = lexicon.forward.get(src_norm[i], {}) if lexicon else {}
        for j in range(m):
            if lexicon is not None:
                p_ef = row.get(tgt_norm[j], 0.0)
                p_fe = lexicon.backward.get(tgt_norm[j], {}).get(src_norm[i], 0.0)
                fwd[i, j] += params.lexicon_weight * p_ef
                bwd[i, j] += params.lexicon_weight * p_fe
            a, b = src_fold[i], tgt_fold[j]
            if a == b and (not a.isalpha() or len(a) >= 2 or src[i][:1].isupper()):
                fwd[i, j] += params.identity
                bwd[i, j] += params.identity
            elif len(a) >= 5 and len(b) >= 5 and a[:4] == b[:4] and a.isalpha() and b.isalpha():
                fwd[i, j] += params.cognate
                bwd[i, j] += params.cognate
    if similarity is not None and params.model_weight:
        boost = params.model_weight * np.clip(similarity, 0.0, None)
        fwd += boost
        bwd += boost
    if n and m:
        pos_i = (np.arange(n) + 0.5) / n
        pos_j = (np.arange(m) + 0.5) / m
        prior = np.exp(-params.distortion * np.abs(pos_i[:, None] - pos_j[None, :]))
        fwd *= prior
        bwd *= prior
    return fwd, bwd


def decode(fwd: np.ndarray, bwd: np.ndarray, threshold: float) -> list[tuple[int, int]]:
    """Intersection of the two directions' best links, grown by links both directions find likely."""
    n, m = fwd.shape
    if n == 0 or m == 0:
        return []
    p_src = fwd / fwd.sum(axis=0, keepdims=True)  # for each target word, which source word
    p_tgt = bwd / bwd.sum(axis=1, keepdims=True)  # for each source word, which target word
    best_src = p_src.argmax(axis=0)
    best_tgt = p_tgt.argmax(axis=1)
    links = {(i, int(best_tgt[i])) for i in range(n) if best_src[best_tgt[i]] == i}
    product = p_src * p_tgt
    for i, j in zip(*np.nonzero(product >= threshold), strict=True):
        links.add((int(i), int(j)))
    return sorted(links)


def align_words(
    src: Sequence[str],
    tgt: Sequence[str],
    lexicon: Lexicon | None,
    *,
    params: WordParams = DEFAULT_WORD_PARAMS,
    similarity: np.ndarray | None = None,
) -> list[tuple[int, int]]:
    fwd, bwd = association(src, tgt, lexicon, params, similarity)
    return decode(fwd, bwd, params.threshold)


def read_pairs(text: str, where: str) -> list[tuple[list[str], list[str]]]:
    """fast_align / awesome-align input: `source tokens ||| target tokens` per line."""
    pairs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "|||" not in line:
            raise InputError(f"{where}:{number}: expected `source tokens ||| target tokens`")
        left, right = line.split("|||", 1)
        pairs.append((left.split(), right.split()))
    return pairs


def word_similarity(lm: Any, src: list[str], tgt: list[str], layer: int) -> np.ndarray:
    """Cosine similarity of words' contextual states (subwords averaged, each sentence mean-centred)."""
    a = _word_states(lm, src, layer)
    b = _word_states(lm, tgt, layer)
    a = a - a.mean(axis=0, keepdims=True)
    b = b - b.mean(axis=0, keepdims=True)
    a /= np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-8)
    b /= np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-8)
    return np.asarray(a @ b.T)


def _word_states(lm: Any, words: list[str], layer: int) -> np.ndarray:
    import torch

    tokenizer = lm.tokenizer
    ids: list[int] = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    owner: list[int] = [-1] * len(ids)
    for k, word in enumerate(words):
        piece = tokenizer((" " if k else "") + word, add_special_tokens=False).input_ids
        ids += piece
        owner += [k] * len(piece)
    base = lm.model.base_model if hasattr(lm.model, "base_model") else lm.model
    with torch.inference_mode():
        out = base(input_ids=torch.tensor([ids]), output_hidden_states=True)
    states = out.hidden_states[layer][0].float().numpy()
    width = states.shape[1]
    result = np.zeros((len(words), width), dtype=np.float32)
    counts = np.zeros(len(words))
    for pos, k in enumerate(owner):
        if k >= 0:
            result[k] += states[pos]
            counts[k] += 1
    return result / np.maximum(counts, 1)[:, None]


def align_pair_lines(
    pairs: list[tuple[list[str], list[str]]],
    *,
    model: str | None = None,
    source_lang: str | None = None,
    target_lang: str | None = None,
) -> list[list[tuple[int, int]]]:
    """Word links for each pair; languages are detected from the text when not given."""
    from auditor.segment import detect_language

    if source_lang is None:
        source_lang = detect_language(" ".join(" ".join(s) for s, _ in pairs[:200])) or "fr"
    if target_lang is None:
        target_lang = detect_language(" ".join(" ".join(t) for _, t in pairs[:200])) or "en"
    lexicon = load_lexicon(source_lang, target_lang)
    params = DEFAULT_WORD_PARAMS
    lm = None
    if model is not None and MODEL_PARAMS.model_weight:
        from auditor.align.embed import load_embedding_model

        lm = load_embedding_model(model)
        params = MODEL_PARAMS
    out = []
    for src, tgt in pairs:
        sim = word_similarity(lm, src, tgt, MODEL_LAYER) if lm is not None and src and tgt else None
        out.append(align_words(src, tgt, lexicon, params=params, similarity=sim))
    return out


MODEL_LAYER = 12
MODEL_PARAMS = WordParams(model_weight=0.0)


def aer(
    predicted: Sequence[tuple[int, int]], sure: set[tuple[int, int]], possible: set[tuple[int, int]]
) -> tuple[int, int, int, int]:
    """Counts for AER: (|A & S|, |A & P|, |A|, |S|), with P including S."""
    a = set(predicted)
    return len(a & sure), len(a & (possible | sure)), len(a), len(sure)


def aer_from_counts(counts: Sequence[int]) -> float:
    a_s, a_p, a, s = counts
    return 1.0 - (a_s + a_p) / (a + s) if a + s else math.nan
