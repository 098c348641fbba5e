"""Sentence embeddings from the auditor's own language model: mean-pooled hidden states of one layer.

A causal LM is no sentence encoder, but its middle layers carry meaning that survives translation well enough
to tell a sentence's counterpart from its neighbours, once each document's mean vector is removed (that mean
is mostly "which language is this"; the aligner centres each side itself).
"""

from __future__ import annotations

from typing import Any

import numpy as np

DEFAULT_LAYER = 13  # of Gemma-3-270M's 18; best of 3..15 on TransRead dev (benchmarks/align_sentences.py)


def embed_texts(
    lm: Any,
    texts: list[str],
    *,
    layers: tuple[int, ...] | None = None,
    batch_tokens: int = 8192,
    max_tokens: int = 256,
) -> np.ndarray:
    """One row per text: the mean over its tokens of the hidden state after `layers` (averaged if several).

    `lm` is an auditor.lm.model.LanguageModel (or anything with `.model` and `.tokenizer`). Only the base
    network runs; the 262k-entry output layer is never touched.
    """
    chosen = layers or (DEFAULT_LAYER,)
    per_layer = embed_layers(lm, texts, layers=chosen, batch_tokens=batch_tokens, max_tokens=max_tokens)
    return np.asarray(per_layer.mean(axis=0), dtype=np.float32)


def embed_layers(
    lm: Any,
    texts: list[str],
    *,
    layers: tuple[int, ...],
    batch_tokens: int = 8192,
    max_tokens: int = 256,
) -> np.ndarray:
    """Mean-pooled hidden states of several layers in one pass: shape (len(layers), len(texts), width)."""
    import torch

    chosen = layers
    tokenizer = lm.tokenizer
    base = lm.model.base_model if hasattr(lm.model, "base_model") else lm.model
    bos = [tokenizer.bos_token_id] if tokenizer.bos_token_id is not None else []
    encoded = [bos + tokenizer(" " + t, add_special_tokens=False).input_ids[:max_tokens] for t in texts]
    width = int(lm.model.config.get_text_config().hidden_size) if hasattr(lm.model, "config") else 0
    out = np.zeros((len(chosen), len(texts), width), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda k: len(encoded[k]), reverse=True)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
    start = 0
    with torch.inference_mode():
        while start < len(order):
            longest = len(encoded[order[start]])
            size = max(1, min(len(order) - start, batch_tokens // max(1, longest)))
            batch = order[start : start + size]
            start += size
            ids = torch.full((len(batch), longest), pad, dtype=torch.long)
            mask = torch.zeros((len(batch), longest), dtype=torch.long)
            for row, k in enumerate(batch):
                ids[row, : len(encoded[k])] = torch.tensor(encoded[k])
                mask[row, : len(encoded[k])] = 1
            result = base(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            keep = mask.clone()
            if bos:
                keep[:, 0] = 0  # the BOS state is the same for every text and huge in norm
            keep_f = keep.unsqueeze(-1).float()
            for slot, layer in enumerate(chosen):
                states = result.hidden_states[layer].float()
                pooled = (states * keep_f).sum(1) / keep_f.sum(1).clamp(min=1)
                out[slot, batch] = pooled.numpy()
    if not np.isfinite(out).all():
        from auditor.errors import ModelError

        raise ModelError(
            "the model produced non-finite hidden states (corrupt weights?): check `auditor models verify`"
        )
    return out


class ModelEmbedder:
    """The `similarity` callable of align_sentences, backed by a loaded LanguageModel."""

    def __init__(self, lm: Any, layers: tuple[int, ...] | None = None) -> None:
        self.lm = lm
        self.layers = layers

    def __call__(self, texts: list[str], lang: str | None = None) -> np.ndarray:
        return embed_texts(self.lm, texts, layers=self.layers)


def load_embedding_model(name: str = "gemma-3-270m") -> Any:
    from auditor.lm.model import load_model

    return load_model(name)
