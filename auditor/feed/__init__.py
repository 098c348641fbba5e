"""Auditing a translation feed: streamed, cached, gated, on one process, local workers or Ray.

`check(feed, ...)` is the Python API of `auditor check`: iterating it gives a `Checked` per document, in
feed order, as soon as each is done.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from auditor.feed.runner import Checked, CorpusMetrics, FeedOptions, FeedRun, gate_reasons, run_feed
from auditor.io.feed import FeedDocument, iter_feed
from auditor.render.gate import Gate

if TYPE_CHECKING:
    from auditor.checks.registry import RuleConfig
    from auditor.lm.model import LanguageModel


def check(
    feed: str | Path | Iterable[FeedDocument],
    *,
    model: str | LanguageModel | None = "gemma-3-270m",
    encoder: str | None = "use-m3",
    fail_on: str | None = "critical",
    fail_under: float | None = None,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    rules: RuleConfig | None = None,
    cache: bool = True,
    jobs: int = 1,
    backend: str = "local",
    ray_address: str | None = None,
) -> FeedRun:
    """Audit every document of `feed` (a path `auditor check` takes, or FeedDocuments) and gate it.

    Iterate the result for a `Checked` (report, gate verdict and reasons, reference metrics) per document in feed order (its `stats`: cache hits).
    `model=None`: rules only; `encoder=None`: no sentence encoder. `jobs`/`backend`/`ray_address`: where to audit (see `auditor check --help`)."""
    documents = iter_feed(feed) if isinstance(feed, str | Path) else feed
    options = FeedOptions(
        model=model,
        encoder=encoder,
        gate=Gate.parse(fail_on, fail_under),
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        rules=rules,
        cache=cache,
        jobs=jobs,
        backend=backend,
        ray_address=ray_address,
    )
    return run_feed(documents, options)


__all__ = ["Checked", "CorpusMetrics", "FeedOptions", "FeedRun", "check", "gate_reasons", "run_feed"]
