"""What audits documents, wherever it runs: in the calling process, a worker process or a Ray actor.

A `FeedWorker` loads the model once and holds its own connection to the result cache, so each segment it
has scored before (in any run, by any worker sharing the cache file) is read instead of scored again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import AuditorError, ModelError
from auditor.io.feed import FeedDocument

if TYPE_CHECKING:
    from auditor.checks.registry import RuleConfig
    from auditor.encoder import SentenceEncoder
    from auditor.lm.model import LanguageModel
    from auditor.report import Report


@dataclass
class WorkerSpec:
    """Everything a worker needs to audit like the caller would; plain data, so it pickles to any process."""

    model: str | None  # a model name or folder; None: rules only
    dtype: str | None = None
    encoder: str | None = "use-m3"  # the sentence encoder's name or folder; None: none
    src_lang: str | None = None
    tgt_lang: str | None = None
    rules: RuleConfig | None = None
    cache: bool = True  # read and write segment scores in the result cache
    cache_path: Path | None = None  # that cache's file; None: the default where the worker runs
    threads: int | None = None  # torch threads in this worker; None: torch's default
    signature: str | None = None  # what the model's signature must be, when the caller knows it


@dataclass
class Audited:
    """One document's outcome from a worker: its report, or the error that stopped it."""

    report: Report | None
    seconds: float
    segments_hit: int = 0
    segments_scored: int = 0
    error: AuditorError | None = field(default=None)


class FeedWorker:
    """Loads the model when the first document comes, so a feed served from the cache never loads it."""

    def __init__(self, spec: WorkerSpec, lm: LanguageModel | None = None) -> None:
        self.spec = spec
        self.lm = lm
        self._ready = False
        self._signature = spec.signature
        self._cache: Any = None
        self.encoder: SentenceEncoder | None = None

    def _load(self) -> None:
        from auditor.pipeline import signature

        if self.lm is None and self.spec.model is not None:
            if self.spec.threads:
                import torch

                torch.set_num_threads(self.spec.threads)
            from auditor.lm.model import load_model

            try:
                self.lm = load_model(self.spec.model, dtype=self.spec.dtype)
            except AuditorError:
                raise
            except Exception as error:  # a damaged checkpoint raises whatever its reader raises
                first = (str(error).strip().splitlines() or [type(error).__name__])[0]
                raise ModelError(f"cannot load model {self.spec.model!r}: {first}") from None
        from auditor.pipeline import resolve_encoder

        self.encoder = resolve_encoder(self.spec.encoder)
        loaded = signature(self.lm, self.encoder)
        if self._signature is not None and loaded != self._signature:
            raise ModelError(f"the loaded model's signature {loaded} is not the expected {self._signature}")
        self._signature = loaded
        if self.spec.cache and self.lm is not None:
            from auditor.feed.cache import ResultCache

            self._cache = ResultCache(self.spec.cache_path)
        self._ready = True

    @property
    def signature(self) -> str:
        if self._signature is None and self.lm is None and self.spec.model is not None:
            self._signature = describe_model(self.spec.model, self.spec.dtype, self.spec.encoder)
        if self._signature is None:
            self._load()
        assert self._signature is not None
        return self._signature

    def get_signature(self) -> str:
        return self.signature

    def audit(self, doc: FeedDocument) -> Audited:
        from auditor.feed.cache import SegmentScores
        from auditor.pipeline import audit

        if not self._ready:
            try:
                self._load()
            except AuditorError as error:
                return Audited(None, 0.0, error=error)
        scores = SegmentScores(self._cache, self.signature) if self._cache is not None else None
        if self.encoder is not None:
            # Each document's sentence vectors from its own texts alone, whichever documents this worker
            # saw before (a report must not depend on --jobs or on the cache); and a memo that does not
            # grow with the feed.
            self.encoder.forget()
        started = time.perf_counter()
        try:
            report = audit(
                doc.target,
                doc.source,
                src_lang=doc.source_lang or self.spec.src_lang,
                tgt_lang=doc.target_lang or self.spec.tgt_lang,
                model=self.lm,
                encoder=self.encoder,
                rules=self.spec.rules,
                target_name=doc.id,
                source_name=f"{doc.id}.source" if doc.source is not None else None,
                score_cache=scores,
            )
        except AuditorError as error:
            return Audited(None, time.perf_counter() - started, error=error)
        seconds = time.perf_counter() - started
        if scores is not None:
            return Audited(report, seconds, scores.hits, scores.misses)
        scored = sum(1 for row in report.segments if row.scores is not None)
        return Audited(report, seconds, 0, scored)

    def audit_batch(self, docs: list[FeedDocument]) -> list[Audited]:
        return [self.audit(doc) for doc in docs]

    def close(self) -> None:
        if self._cache is not None:
            self._cache.close()


@dataclass
class ModelDescription:
    """What `pipeline.signature` reads of a model, known without loading its weights (a manifest model)."""

    name: str
    identity: str
    dtype: str
    manifest: Any

    @property
    def prompt(self) -> Any:
        return self.manifest.prompt

    @property
    def quality_head(self) -> Any:
        from auditor.scoring.head import load_head

        return load_head(self.manifest, self.identity)


def describe_model(name: str, dtype: str | None, encoder: str | None = None) -> str | None:
    """The signature a loaded `name` would give, without loading it (so that a feed whose documents are
    all cached starts in a second); None where only loading tells (a checkpoint folder, a hub id)."""
    from auditor.encoder import describe_encoder
    from auditor.lm.cache import is_prepared
    from auditor.lm.model import resolve, resolve_dtype
    from auditor.pipeline import signature_of

    manifest = resolve(name)
    if not manifest.package or not is_prepared(manifest):
        return None
    encoder_identity = describe_encoder(encoder)
    if encoder is not None and encoder_identity is None:
        return None
    described = ModelDescription(manifest.name, manifest.sha256 or "", resolve_dtype(dtype), manifest)
    head = described.quality_head
    return signature_of(
        described.name,
        described.identity,
        described.prompt.version,
        described.dtype,
        head.digest if head is not None else None,
        encoder_identity=encoder_identity,
    )
