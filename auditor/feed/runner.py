"""The feed runner: documents in, gated results out, one at a time and in feed order.

For each document of the feed: look its report up in the result cache (keyed by the pipeline signature,
the rules, the auditor version and the whole document); else hand it to the backend (here, local worker
processes or Ray), whose workers re-score only the segments the cache does not know; gate the report and
yield it. At most `backend.in_flight` batches are out at once, so memory follows the documents in flight,
not the size of the feed.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor import __version__
from auditor.errors import AuditorError
from auditor.feed.backends import Backend, Handle, LocalBackend, ProcessBackend, RayBackend
from auditor.feed.cache import ResultCache, RunStats, content_key, result_cache_path
from auditor.feed.codec import report_from_dict, report_to_dict
from auditor.feed.worker import Audited, WorkerSpec
from auditor.io.feed import FeedDocument
from auditor.render.gate import Gate
from auditor.report import Report

if TYPE_CHECKING:
    from auditor.checks.registry import RuleConfig
    from auditor.lm.model import LanguageModel

BACKENDS = ("local", "ray")


@dataclass
class FeedOptions:
    """How to audit a feed. `model` None: rules only. `jobs` > 1 or `backend="ray"`: in worker processes
    (then `model` must be a name or folder, not a loaded model)."""

    model: str | LanguageModel | None = "gemma-3-270m"
    encoder: str | None = "use-m3"  # a sentence-encoder name or folder; None: none
    gate: Gate = field(default_factory=lambda: Gate.parse("critical", None))
    src_lang: str | None = None
    tgt_lang: str | None = None
    rules: RuleConfig | None = None
    cache: bool = True
    cache_path: Path | None = None  # default: result_cache_path()
    jobs: int = 1
    backend: str = "local"
    ray_address: str | None = None
    batch_size: int = 4  # documents per Ray task


@dataclass
class Checked:
    """One audited document with what the gate and the references said."""

    document: FeedDocument
    report: Report
    seconds: float
    passed: bool
    reasons: list[str]
    metrics: dict[str, Any] | None = None
    cached: bool = False  # the whole report came from the result cache
    segments_scored: int = 0  # segments the model scored for this document in this run
    segments_hit: int = 0  # segments whose scores came from the cache


def gate_reasons(report: Report, gate: Gate) -> list[str]:
    reasons = [f"{f.severity} {f.rule} {f.category}" for f in gate.gating_flags(report)]
    score = gate.score_failure(report)
    if score:
        reasons.append(score)
    return reasons


def rules_key(rules: RuleConfig | None) -> str:
    if rules is None:
        return "rules:default"
    severities = ",".join(f"{code}={int(sev)}" for code, sev in sorted(rules.severities.items()))
    return f"disabled:{','.join(sorted(rules.disabled))}|severities:{severities}"


def document_key(signature: str, options: FeedOptions, doc: FeedDocument) -> str:
    return content_key(
        "document",
        __version__,
        signature,
        rules_key(options.rules),
        doc.id,
        doc.source_lang or options.src_lang,
        doc.target_lang or options.tgt_lang,
        doc.source,
        doc.target,
    )


def make_backend(options: FeedOptions) -> Backend:
    from auditor.lm.model import LanguageModel

    if options.backend not in BACKENDS:
        raise AuditorError(f"unknown backend {options.backend!r} (expected {' or '.join(BACKENDS)})")
    if options.jobs < 1:
        raise AuditorError("--jobs must be at least 1")
    model = options.model
    loaded = model if isinstance(model, LanguageModel) else None
    spec = WorkerSpec(
        model=loaded.manifest.name if loaded is not None else model,  # type: ignore[arg-type]
        dtype=loaded.dtype if loaded is not None else None,
        encoder=options.encoder,
        src_lang=options.src_lang,
        tgt_lang=options.tgt_lang,
        rules=options.rules,
        cache=options.cache,
        # On a cluster each node keeps its own segment cache; this machine's file is not theirs.
        cache_path=None if options.ray_address else options.cache_path or result_cache_path(),
    )
    if spec.model is None:
        from auditor.encoder import describe_encoder
        from auditor.pipeline import signature_of

        spec.signature = signature_of(None, encoder_identity=describe_encoder(spec.encoder))
    elif loaded is None:
        from auditor.feed.worker import describe_model

        spec.signature = describe_model(spec.model, spec.dtype, spec.encoder)
    if options.backend == "ray":
        return RayBackend(spec, options.jobs, address=options.ray_address, batch_size=options.batch_size)
    if options.jobs == 1:
        return LocalBackend(spec, loaded)
    import os

    spec.threads = max(1, (os.cpu_count() or 1) // options.jobs)
    return ProcessBackend(spec, options.jobs)


@dataclass
class _Slot:
    doc: FeedDocument
    key: str
    done: Checked | None = None
    handle: Handle | None = None
    batch: list[_Slot] | None = None


class FeedRun:
    """One pass over a feed; iterate it for results in feed order. `stats` counts cache hits as it goes."""

    def __init__(self, documents: Iterable[FeedDocument], options: FeedOptions) -> None:
        self.documents = documents
        self.options = options
        self.stats = RunStats()
        self.finished = 0

    def __iter__(self) -> Iterator[Checked]:
        options = self.options
        backend = make_backend(options)
        cache = ResultCache(options.cache_path) if options.cache else None
        try:
            yield from self._stream(backend, cache)
        finally:
            backend.close()
            if cache is not None:
                cache.record_run(self.stats)
                cache.close()

    def _stream(self, backend: Backend, cache: ResultCache | None) -> Iterator[Checked]:
        signature = backend.signature
        window = backend.in_flight * backend.batch_size
        slots: deque[_Slot] = deque()
        batch: list[_Slot] = []
        submitted = 0
        documents = iter(self.documents)
        exhausted = False

        def submit() -> None:
            nonlocal batch, submitted
            handle = backend.submit([s.doc for s in batch])
            for slot in batch:
                slot.handle, slot.batch = handle, batch
            batch = []
            submitted += 1

        while True:
            while not exhausted and len(slots) < window:
                doc = next(documents, None)
                if doc is None:
                    exhausted = True
                    break
                slot = _Slot(doc, document_key(signature, self.options, doc))
                slots.append(slot)
                started = time.perf_counter()
                hit = cache.get("documents", slot.key) if cache is not None else None
                if hit is not None:
                    report = report_from_dict(hit)
                    slot.done = self._checked(doc, report, time.perf_counter() - started, cached=True)
                    self.stats.documents_hit += 1
                    continue
                batch.append(slot)
                if len(batch) >= backend.batch_size:
                    submit()
            if not slots:
                return
            front = slots[0]
            if front.done is None and front.handle is None:
                submit()
            if front.done is None:
                assert front.handle is not None and front.batch is not None
                for member, audited in zip(front.batch, front.handle.result(), strict=True):
                    member.done = self._finish(member, audited, cache)
            slots.popleft()
            assert front.done is not None
            self.finished += 1
            yield front.done

    def _finish(self, slot: _Slot, audited: Audited, cache: ResultCache | None) -> Checked:
        if audited.error is not None:
            error = audited.error
            raise type(error)(f"{slot.doc.origin or slot.doc.id}: {error}") from None
        assert audited.report is not None
        self.stats.documents_missed += 1
        self.stats.segments_hit += audited.segments_hit
        self.stats.segments_scored += audited.segments_scored
        if cache is not None:
            cache.put_many("documents", [(slot.key, report_to_dict(audited.report))])
        checked = self._checked(slot.doc, audited.report, audited.seconds, cached=False)
        checked.segments_scored = audited.segments_scored
        checked.segments_hit = audited.segments_hit
        return checked

    def _checked(self, doc: FeedDocument, report: Report, seconds: float, *, cached: bool) -> Checked:
        from auditor.scoring.reference import document_scores

        metrics = document_scores(doc.target, doc.reference, report.target_lang) if doc.reference else None
        reasons = gate_reasons(report, self.options.gate)
        return Checked(doc, report, seconds, not reasons, reasons, metrics, cached=cached)


def run_feed(documents: Iterable[FeedDocument], options: FeedOptions) -> FeedRun:
    """Audit `documents` as `options` say; iterate the result for `Checked` results in feed order."""
    return FeedRun(documents, options)


class CorpusMetrics:
    """Corpus BLEU/chrF/TER over every document with a reference, gathered as results stream by (as
    summed statistics: memory does not grow with the feed)."""

    def __init__(self) -> None:
        from auditor.scoring.reference import CorpusStatistics

        self.statistics = CorpusStatistics()

    def add(self, result: Checked) -> None:
        lang = result.report.target_lang
        if result.document.reference is not None:
            self.statistics.add(result.document.target, result.document.reference, lang)
        else:
            self.statistics.add_language(lang)

    def scores(self) -> dict[str, Any] | None:
        return self.statistics.scores()
