"""The encoder interface: a list of texts → one unit row per text, batched, each distinct text encoded once."""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np


class SentenceEncoder(ABC):
    """Subclasses encode a batch of distinct texts; this class memoises per text and normalises rows.

    `identity` names the exact weights (it goes into the report's signature, `encoder:<identity>`).
    """

    name: str
    identity: str
    batch_size: int = 256
    memo_limit: int = 100_000  # rows kept (2 KiB each at 512 dimensions); past it the memo starts afresh

    def __init__(self) -> None:
        self._memo: dict[str, np.ndarray] = {}

    @abstractmethod
    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        """Rows for `texts` (any scale)."""

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors, shape (len(texts), dimensions), float32. Empty texts get a zero row."""
        missing = [t for t in dict.fromkeys(texts) if t not in self._memo and t.strip()]
        if len(self._memo) + len(missing) > self.memo_limit:
            self._memo.clear()
            missing = [t for t in dict.fromkeys(texts) if t.strip()]
        for start in range(0, len(missing), self.batch_size):
            chunk = missing[start : start + self.batch_size]
            rows = np.asarray(self._encode_batch(chunk), dtype=np.float32)
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            rows = rows / np.maximum(norms, 1e-8)
            for text, row in zip(chunk, rows, strict=True):
                self._memo[text] = row
        width = self.dimensions
        out = np.zeros((len(texts), width), dtype=np.float32)
        for k, text in enumerate(texts):
            row = self._memo.get(text)
            if row is not None:
                out[k] = row
        return out

    def forget(self) -> None:
        """Drop the memo: the texts encoded next are batched only with each other (rows vary in the last
        bits with their batch, so a caller that wants a document's vectors to depend on it alone calls this
        between documents)."""
        self._memo.clear()

    @property
    def dimensions(self) -> int:
        if self._memo:
            return len(next(iter(self._memo.values())))
        return len(self._encode_batch(["a"])[0])

    def similarity(self, a: str, b: str) -> float:
        rows = self.encode([a, b])
        return float(rows[0] @ rows[1])

    def __call__(self, texts: list[str], lang: str | None = None) -> np.ndarray:
        """The `similarity` callable of align_sentences (the encoder is language-agnostic)."""
        return self.encode(texts)
