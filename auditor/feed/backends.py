"""Where a feed's documents are audited: here, in local worker processes, or on a Ray cluster.

Each backend takes batches of documents in feed order and gives back a handle per batch whose `result()`
blocks until that batch is done; the runner asks for results in the order it submitted them, so results
stream back in feed order whatever finishes first.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

from auditor.errors import AuditorError, ModelError
from auditor.feed.worker import Audited, FeedWorker, WorkerSpec
from auditor.io.feed import FeedDocument

if TYPE_CHECKING:
    from auditor.lm.model import LanguageModel


class Handle(Protocol):
    def result(self) -> list[Audited]: ...


class Backend(Protocol):
    signature: str
    batch_size: int
    in_flight: int  # how many batches may be submitted and not yet collected

    def submit(self, docs: list[FeedDocument]) -> Handle: ...

    def close(self) -> None: ...


class _Deferred:
    """The local backend's handle: the batch runs when its result is asked for, so nothing runs ahead."""

    def __init__(self, run: Callable[[], list[Audited]]) -> None:
        self._run = run

    def result(self) -> list[Audited]:
        return self._run()


class LocalBackend:
    """The calling process audits, one document at a time."""

    batch_size = 1
    in_flight = 1

    def __init__(self, spec: WorkerSpec, lm: LanguageModel | None = None) -> None:
        self.worker = FeedWorker(spec, lm)
        self.signature = self.worker.signature

    def submit(self, docs: list[FeedDocument]) -> Handle:
        return _Deferred(lambda: self.worker.audit_batch(docs))

    def close(self) -> None:
        self.worker.close()


# One worker per process, made by the pool's initializer; module-level so that spawned processes find it.
_process_worker: FeedWorker | None = None


def _start_process_worker(spec: WorkerSpec) -> None:
    global _process_worker
    # Ctrl-C reaches the whole process group: the parent decides what happens, workers just stop with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _process_worker = FeedWorker(spec)


def _process_signature() -> str:
    assert _process_worker is not None
    return _process_worker.signature


def _process_batch(docs: list[FeedDocument]) -> list[Audited]:
    assert _process_worker is not None
    return _process_worker.audit_batch(docs)


class ProcessBackend:
    """`jobs` worker processes (spawned, so no parent state is shared), each loading the model once."""

    batch_size = 1

    def __init__(self, spec: WorkerSpec, jobs: int) -> None:
        import multiprocessing

        self.in_flight = 2 * jobs
        self.pool = ProcessPoolExecutor(
            max_workers=jobs,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_process_worker,
            initargs=(spec,),
        )
        if spec.signature is not None:
            self.signature = spec.signature
            return
        try:
            self.signature = _unwrap(self.pool.submit(_process_signature))
        except BaseException:
            self.close()
            raise

    def submit(self, docs: list[FeedDocument]) -> Handle:
        return _PoolHandle(self.pool.submit(_process_batch, docs))

    def close(self) -> None:
        processes = list((getattr(self.pool, "_processes", None) or {}).values())
        self.pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()


def _unwrap(future: Future[Any]) -> Any:
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool as error:
        raise ModelError(f"a worker process died ({error}); rerun with --jobs 1 to see why") from None


class _PoolHandle:
    def __init__(self, future: Future[list[Audited]]) -> None:
        self.future = future

    def result(self) -> list[Audited]:
        value: list[Audited] = _unwrap(self.future)
        return value


class RayBackend:
    """One actor per worker, each loading the model once; a task is a batch of documents.

    Connects to `address` (a running cluster: `ray://head:10001` or `auto`), else starts a local Ray
    with `jobs` CPUs; a Ray already initialised by the caller is used as it is."""

    def __init__(self, spec: WorkerSpec, jobs: int, *, address: str | None, batch_size: int = 4) -> None:
        try:
            import ray
            from ray.util.actor_pool import ActorPool
        except ImportError:
            raise AuditorError("--backend ray needs Ray: pip install 'translation-auditor[ray]'") from None
        self.ray = ray
        self.ActorPool = ActorPool
        self.spec, self.jobs, self.address = spec, jobs, address
        self.batch_size = batch_size
        self.in_flight = 2 * jobs
        self._started = False
        self.pool: Any = None
        self.actors: list[Any] = []
        if spec.signature is not None:
            self.signature: str = spec.signature
        else:
            self._start()

    def _start(self) -> None:
        # Ray and its actors start when the first document needs them: a cached feed never starts them.
        ray, spec, jobs, address = self.ray, self.spec, self.jobs, self.address
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address:
                kwargs["address"] = address
            else:
                kwargs["num_cpus"] = jobs
                # Local workers import this checkout as the driver does.
                kwargs["runtime_env"] = {"env_vars": {"PYTHONPATH": os.environ.get("PYTHONPATH", "")}}
            ray.init(**kwargs)
            self._started = True
        actor: Any = ray.remote(num_cpus=1)(FeedWorker)
        try:
            self.actors = [actor.remote(spec) for _ in range(jobs)]
            self.signature = ray.get(self.actors[0].get_signature.remote())
        except ray.exceptions.RayError as error:
            self.close()
            raise ModelError(f"a Ray worker could not start: {_first_line(error)}") from None
        self.pool = self.ActorPool(self.actors)

    def submit(self, docs: list[FeedDocument]) -> Handle:
        if self.pool is None:
            self._start()
        self.pool.submit(lambda actor, batch: actor.audit_batch.remote(batch), docs)
        return _RayHandle(self)

    def next_result(self) -> list[Audited]:
        try:
            value: list[Audited] = self.pool.get_next()
        except self.ray.exceptions.RayError as error:
            raise ModelError(f"a Ray worker failed: {_first_line(error)}") from None
        return value

    def close(self) -> None:
        for actor in self.actors:
            self.ray.kill(actor)
        self.actors = []
        if self._started:
            self.ray.shutdown()
            self._started = False


class _RayHandle:
    # ActorPool returns results in submission order, and the runner collects them in that order too.
    def __init__(self, backend: RayBackend) -> None:
        self.backend = backend

    def result(self) -> list[Audited]:
        return self.backend.next_result()


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[-1] if text else type(error).__name__
