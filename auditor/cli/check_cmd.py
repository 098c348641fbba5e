"""`auditor check FEED`: audit every document of a feed and gate CI on the results.

Parses options, checks every output place before any work, runs the feed runner (auditor/feed) and renders
what it yields. Exit status: 0 every document passed the gate, 1 at least one failed it, 2 usage or input
error, 3 model or environment error, 130 interrupted (finished documents are cached: a rerun resumes).
"""

from __future__ import annotations

import sys
import time
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from auditor.cli import app, fail
from auditor.cli.options import (
    ConfigOption,
    DisableOption,
    EncoderOption,
    ModelOption,
    NoModelOption,
    SeverityOption,
    SrcLangOption,
    TgtLangOption,
)
from auditor.errors import AuditorError, ModelError
from auditor.render.gate import Gate, fmt_score, known

if TYPE_CHECKING:
    from auditor.feed.runner import Checked


class CheckFormat(StrEnum):
    text = "text"
    json = "json"
    junit = "junit"
    sarif = "sarif"


class Backend(StrEnum):
    local = "local"
    ray = "ray"


def exit_code(error: AuditorError) -> int:
    """2 for usage or input, 3 for model or environment."""
    if isinstance(error, ModelError):
        return 3
    return int(getattr(error, "exit_code", 2))


@app.command()
def check(
    feed: Annotated[
        Path,
        typer.Argument(help="A .jsonl feed, a folder of NAME.src.txt/NAME.tgt.txt pairs, or XLIFF/TMX/PO."),
    ],
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on",
            help="Fail a document with a flag this severe or worse: minor, major, critical, none.",
        ),
    ] = "critical",
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", help="Fail a document whose overall score (0-100) is under this."),
    ] = None,
    output_format: Annotated[
        CheckFormat,
        typer.Option("--format", help="What goes to stdout: text (summary table), json, junit, sarif."),
    ] = CheckFormat.text,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write an HTML report and a results.jsonl line per document as each finishes, and an "
            "index.html at the end, into this folder.",
        ),
    ] = None,
    junit: Annotated[Path | None, typer.Option("--junit", help="Also write JUnit XML to this file.")] = None,
    sarif: Annotated[
        Path | None, typer.Option("--sarif", help="Also write SARIF 2.1.0 to this file.")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite existing output files; write into a non-empty folder.")
    ] = False,
    model: ModelOption = "gemma-3-270m",
    no_model: NoModelOption = False,
    encoder: EncoderOption = "use-m3",
    src_lang: SrcLangOption = None,
    tgt_lang: TgtLangOption = None,
    disable: DisableOption = None,
    severity: SeverityOption = None,
    config: ConfigOption = None,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache",
            help="Neither read nor write the result cache: audit every document again.",
        ),
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=1, help="Worker processes (each loads the model once).")
    ] = 1,
    backend: Annotated[
        Backend, typer.Option("--backend", help="local (this machine) or ray (a Ray cluster, --ray-address).")
    ] = Backend.local,
    ray_address: Annotated[
        str | None,
        typer.Option(
            "--ray-address", help="A running Ray cluster (ray://HOST:10001 or auto); else a local Ray."
        ),
    ] = None,
    progress_every: Annotated[
        int | None,
        typer.Option(
            "--progress-every", min=1, help="Without a terminal: a progress line every N documents."
        ),
    ] = None,
) -> None:
    """Audit every document of FEED; exit 0 if all pass the gate, 1 if any fails, 2 on bad input, 3 on a
    model or environment error."""
    from auditor.checks.config import rule_config
    from auditor.feed.outputs import is_resumable
    from auditor.feed.runner import FeedOptions
    from auditor.io.feed import iter_feed
    from auditor.io.output import check_output_dir, check_writable, check_writable_dir

    try:
        gate = Gate.parse(fail_on, fail_under)
    except ValueError as error:
        fail(str(error))
        return
    if no_model and fail_under is not None:
        fail("--fail-under needs model scores; drop --no-model or gate with --fail-on")
        return
    if ray_address and backend is not Backend.ray:
        fail("--ray-address needs --backend ray")
        return
    try:
        if output is not None:
            if is_resumable(output):
                check_writable_dir(output)
            else:
                check_output_dir(output, force=force)
        for path in (junit, sarif):
            if path is not None:
                check_writable(path, force=force)
        rules = rule_config(
            pyproject=config, start=Path.cwd(), disable=disable or (), severity=severity or ()
        )
        total = sum(1 for _ in iter_feed(feed))  # reads the whole feed once: bad input fails before any work
    except AuditorError as error:
        fail(str(error), exit_code(error))
        return
    options = FeedOptions(
        model=None if no_model else model,
        encoder=None if encoder.lower() == "none" else encoder,
        gate=gate,
        src_lang=src_lang,
        tgt_lang=tgt_lang,
        rules=rules,
        cache=not no_cache,
        jobs=jobs,
        backend=str(backend),
        ray_address=ray_address,
    )
    view = _CheckView(output_format, output, junit, sarif, gate, feed, total, progress_every)
    try:
        view.run(iter_feed(feed), options)
    except AuditorError as error:
        view.abort()
        fail(str(error), exit_code(error))
        return
    except (OSError, MemoryError) as error:
        view.abort()
        fail(f"{type(error).__name__}: {error}", 3)
        return
    except KeyboardInterrupt:
        view.abort()
        resume = (
            "a rerun of the same command resumes from the result cache"
            if not no_cache
            else "a rerun audits them again (--no-cache)"
        )
        typer.echo(f"interrupted: {view.finished} of {total} documents finished; {resume}", err=True)
        raise typer.Exit(130) from None
    raise typer.Exit(1 if view.failed else 0)


def _console(*, stderr: bool) -> Any:
    from rich.console import Console

    console = Console(stderr=stderr)
    # In CI logs (no terminal) rich would wrap at 80 columns; a wider table reads better there.
    return console if console.is_terminal else Console(stderr=stderr, width=120)


SUMMARY_ROWS = 60


class _CheckView:
    """Renders a check as it runs: progress, per-document outputs, then the summary and final files."""

    def __init__(
        self,
        fmt: CheckFormat,
        output: Path | None,
        junit: Path | None,
        sarif: Path | None,
        gate: Gate,
        feed: Path,
        total: int,
        progress_every: int | None,
    ) -> None:
        self.fmt, self.output, self.junit, self.sarif = fmt, output, junit, sarif
        self.gate, self.feed, self.total = gate, feed, total
        self.err = _console(stderr=True)
        self.every = progress_every or max(1, total // 50)
        self.finished = 0
        self.failed = 0
        self.seconds = 0.0
        # The summary table's rows: the first documents, and the first failed ones (a few, whatever the
        # feed's size).
        self.rows: list[tuple[Any, ...]] = []
        self.failed_rows: list[tuple[Any, ...]] = []
        self.folder: Any = None
        self.stream: Any = None
        self.ci: Any = None

    def run(self, documents: Any, options: Any) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
        from rich.text import Text

        from auditor.feed.outputs import CiFiles, JsonStream, ReportFolder
        from auditor.feed.runner import CorpusMetrics, run_feed

        if self.output is not None:
            self.folder = ReportFolder(self.output, title=f"Check of {self.feed.name}")
        if self.fmt is CheckFormat.json:
            self.stream = JsonStream(sys.stdout, self.gate)
        stdout = str(self.fmt) if self.fmt in (CheckFormat.junit, CheckFormat.sarif) else None
        if self.junit or self.sarif or stdout:
            self.ci = CiFiles(self.gate, junit=self.junit, sarif=self.sarif, stdout=stdout)
        corpus = CorpusMetrics()
        run = run_feed(documents, options)
        columns = (
            TextColumn("[bold]checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[doc]}"),
        )
        lines = not self.err.is_terminal
        started = time.perf_counter()
        segments = 0
        with Progress(*columns, console=self.err, transient=False) as progress:
            task = progress.add_task("check", total=self.total, doc="", rate="")
            for result in run:
                self.finished += 1
                self.failed += not result.passed
                segments += len(result.report.segments)
                corpus.add(result)
                self._keep(result)
                elapsed = max(1e-9, time.perf_counter() - started)
                rate = f"{self.finished / elapsed:.2f} docs/s {segments / elapsed:.1f} seg/s"
                progress.update(task, advance=1, doc=result.document.id[:40], rate=rate)
                if lines and (self.finished % self.every == 0 or self.finished == self.total):
                    eta = (self.total - self.finished) * elapsed / self.finished
                    status = "pass" if result.passed else "FAIL"
                    cached = " cached" if result.cached else ""
                    line = (
                        f"[{self.finished}/{self.total}] {result.document.id} {result.seconds:.1f}s{cached} "
                        f"{status} ({rate}, ETA {eta:.0f}s)"
                    )
                    self.err.print(Text(line), soft_wrap=True)
            progress.update(task, doc="")
        self.corpus = corpus.scores()
        self.stats = run.stats
        self._finish()

    def _keep(self, result: Checked) -> None:
        if self.folder is not None:
            self.folder.add(result)
        if self.stream is not None:
            self.stream.add(result)
        if self.ci is not None:
            self.ci.add(result)
        self.seconds += result.seconds
        if len(self.rows) < SUMMARY_ROWS:
            self.rows.append(_summary_row(result))
        if not result.passed and len(self.failed_rows) < SUMMARY_ROWS:
            self.failed_rows.append(_summary_row(result))

    def _finish(self) -> None:
        if self.ci is not None:
            self.ci.finish_files()
        if self.folder is not None:
            self.folder.finish(self.gate, self.corpus)
        out = self.err if self.fmt is not CheckFormat.text else _console(stderr=False)
        self._print_summary(out)
        if self.stream is not None:
            self.stream.finish(self.corpus)
        elif self.ci is not None:
            self.ci.write_stdout(sys.stdout)
        sys.stdout.flush()
        if self.ci is not None:
            self.ci.close()

    def abort(self) -> None:
        if self.folder is not None:
            self.folder.close()
        if self.ci is not None:
            self.ci.close()

    def _print_summary(self, console: Any) -> None:
        from rich.table import Table
        from rich.text import Text

        with_refs = self.corpus is not None
        with_scores = any(row[1] is not None for row in (*self.rows, *self.failed_rows))
        table = Table(title=f"auditor check ({self.gate.describe()})", title_justify="left")
        table.add_column("document", overflow="fold", min_width=12)
        for name in ("overall", "fluency", "fidelity") if with_scores else ():
            table.add_column(name, justify="right")
        for name in ("critical", "major", "minor"):
            table.add_column(name, justify="right")
        if with_refs:
            for name in ("BLEU", "chrF", "TER"):
                table.add_column(name, justify="right")
        table.add_column("gate")
        shown = self.rows if self.finished <= SUMMARY_ROWS else self.failed_rows
        for doc_id, overall, fluency, fidelity, counts, metrics, passed in shown:
            row: list[Any] = [Text(doc_id)]
            if with_scores:
                row += [fmt_score(overall), fmt_score(fluency), fmt_score(fidelity)]
            row += [str(counts["critical"]), str(counts["major"]), str(counts["minor"])]
            if with_refs:
                row += [f"{metrics[m]:.1f}" if metrics else "-" for m in ("BLEU", "chrF", "TER")]
            row.append("[green]pass[/]" if passed else "[red]FAIL[/]")
            table.add_row(*row)
        console.print(table)
        if len(shown) < self.finished:
            console.print(
                f"({self.finished - len(shown)} more documents not shown; see --output or --format json)"
            )
        stats = self.stats
        seconds = self.seconds
        console.print(
            f"{self.finished} documents, {self.finished - self.failed} passed, {self.failed} failed "
            f"in {seconds:.1f}s ({self.finished / seconds if seconds else 0:.2f} docs/s)"
        )
        console.print(
            f"cache: {stats.documents_hit} documents and {stats.segments_hit} segments reused, "
            f"{stats.segments_scored} segments scored"
        )
        if self.corpus:
            corpus = self.corpus
            console.print(
                f"corpus BLEU {corpus['BLEU']:.2f}  chrF {corpus['chrF']:.2f}  TER {corpus['TER']:.2f}"
            )
            for signature in corpus["signature"].split("; "):
                console.print(Text(f"  {signature}"), soft_wrap=True)
        if self.output is not None:
            console.print(f"reports: {self.output / 'index.html'}")


def _summary_row(result: Checked) -> tuple[Any, ...]:
    from auditor.feed.outputs import counts

    scores = result.report.scores
    return (
        result.document.id,
        known(scores.overall),
        known(scores.fluency),
        known(scores.fidelity),
        counts(result.report),
        result.metrics,
        result.passed,
    )
