"""A check's outputs, written as documents finish: an HTML page and a JSON line per document, then the
index, JUnit and SARIF atomically at the end. Every output place is tried for writing before any work.

What the final files hold of each document (an index row, a testcase, SARIF results) goes to an unnamed
temporary file beside them as the document finishes, and the final files are put together from it at
the end: memory follows the documents in flight, not the size of the feed."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path
from typing import IO, Any

from auditor.feed.runner import Checked
from auditor.render.gate import Gate, json_safe, known
from auditor.report import Report, Severity

INCOMPLETE = ".auditor-check-incomplete"  # in a report folder while a check writes it
RESULTS = "results.jsonl"


def is_resumable(folder: Path) -> bool:
    """A report folder left by an interrupted check: a rerun may write into it again."""
    return (folder / INCOMPLETE).is_file()


def counts(report: Report) -> dict[str, int]:
    return {str(s): sum(1 for f in report.flags if f.severity == s) for s in Severity}


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileNames:
    """A distinct, portable file name per id as ids come (`a/b c` -> `a_b_c.html`), as safe_file_names."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        self.used: set[str] = set()

    def next(self, doc_id: str) -> str:
        base = (_UNSAFE.sub("_", doc_id).strip("._") or "document")[:100]
        name, n = base, 1
        while name.lower() in self.used or name.lower() in ("index", "results"):
            n += 1
            name = f"{base}-{n}"
        self.used.add(name.lower())
        return name + self.suffix


def document_record(result: Checked) -> dict[str, Any]:
    """A document's entry in `results.jsonl` and in `--format json` (no timing: the same every run)."""
    return {
        "id": result.document.id,
        "origin": result.document.origin,
        "passed": result.passed,
        "reasons": result.reasons,
        "reference_metrics": result.metrics,
        "report": result.report.to_json(),
    }


def dumps(data: Any, *, indent: int | None = None) -> str:
    return json.dumps(json_safe(data), ensure_ascii=False, indent=indent, allow_nan=False)


class ReportFolder:
    """`-o DIR`: a page per document and a line in results.jsonl as each finishes; index.html at the end."""

    def __init__(self, folder: Path, *, title: str) -> None:
        from auditor.io.output import write_atomic

        self.folder = folder
        self.title = title
        self.names = FileNames(".html")
        self.documents = 0
        self.passed = 0
        self.overall_sum = 0.0
        self.overall_count = 0
        self.signature = ""
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / INCOMPLETE, "a check is writing this folder; rerun it to finish\n")
        self._lines: IO[str] = (folder / RESULTS).open("w", encoding="utf-8", newline="\n")
        self._entries = spool(folder)  # the index's rows, a JSON line each

    def add(self, result: Checked) -> None:
        from auditor.io.output import write_atomic
        from auditor.render.html import render_html

        doc = result.document
        name = self.names.next(doc.id)
        compare = ("reference", doc.reference) if doc.reference else None
        write_atomic(
            self.folder / name, render_html(result.report, compare_with=compare, metrics=result.metrics)
        )
        self._lines.write(dumps(document_record(result)) + "\n")
        self._lines.flush()
        scores = result.report.scores
        entry = {
            "id": doc.id,
            "href": name,
            "overall": scores.overall,
            "fluency": scores.fluency,
            "fidelity": scores.fidelity,
            "counts": counts(result.report),
            "passed": result.passed,
            "reasons": result.reasons,
            "metrics": result.metrics,
        }
        self._entries.write(json.dumps(entry, ensure_ascii=False) + "\n")
        if (value := known(scores.overall)) is not None:
            self.overall_sum += value
            self.overall_count += 1
        self.documents += 1
        self.passed += result.passed
        self.signature = self.signature or result.report.signature

    def finish(self, gate: Gate, corpus: dict[str, Any] | None) -> None:
        from auditor.io.output import write_atomic_with
        from auditor.render.html import index_pieces

        self._lines.close()
        summary = {
            "documents": self.documents,
            "passed": self.passed,
            "failed": self.documents - self.passed,
            "gate": gate.describe(),
            "mean_overall": self.overall_sum / self.overall_count if self.overall_count else None,
            "corpus_metrics": corpus,
            "signature": self.signature,
        }
        self._entries.seek(0)
        entries = (json.loads(line) for line in self._entries)
        write_atomic_with(
            self.folder / "index.html",
            lambda out: out.writelines(index_pieces(entries, title=self.title, summary=summary)),
        )
        self.close()
        (self.folder / INCOMPLETE).unlink(missing_ok=True)

    def close(self) -> None:
        for handle in (self._lines, self._entries):
            with contextlib.suppress(OSError):
                handle.close()


def spool(folder: Path | None) -> IO[str]:
    """An unnamed temporary text file in `folder` (None: the system's), gone when closed or at exit."""
    import tempfile

    return tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=folder)


class CiFiles:
    """JUnit and SARIF (files, or stdout with --format junit/sarif): each document's testcase and results
    spooled as it finishes, beside the file they go to; written whole, atomically, by `finish`."""

    def __init__(self, gate: Gate, *, junit: Path | None, sarif: Path | None, stdout: str | None) -> None:
        from auditor.render.junit import JunitWriter
        from auditor.render.sarif import SarifWriter

        self.junit, self.sarif, self.stdout = junit, sarif, stdout
        self.handles: list[IO[str]] = []
        self.junit_writer = self.sarif_writer = None
        if junit is not None or stdout == "junit":
            self.junit_writer = JunitWriter(gate, self._spool(junit))
        if sarif is not None or stdout == "sarif":
            self.sarif_writer = SarifWriter(self._spool(sarif), self._spool(sarif))

    def _spool(self, path: Path | None) -> IO[str]:
        from auditor.io.output import is_stdio

        handle = spool(path.parent if path is not None and not is_stdio(path) else None)
        self.handles.append(handle)
        return handle

    def add(self, result: Checked) -> None:
        if self.junit_writer is not None:
            self.junit_writer.add(result.report, result.seconds)
        if self.sarif_writer is not None:
            self.sarif_writer.add(result.report)

    def finish_files(self) -> None:
        """The --junit and --sarif files."""
        from auditor.io.output import write_atomic_with

        if self.junit is not None and self.junit_writer is not None:
            write_atomic_with(self.junit, self.junit_writer.write)
        if self.sarif is not None and self.sarif_writer is not None:
            write_atomic_with(self.sarif, self.sarif_writer.write)

    def write_stdout(self, out: IO[str]) -> None:
        """--format junit or sarif."""
        if self.stdout == "junit" and self.junit_writer is not None:
            self.junit_writer.write(out)
        elif self.stdout == "sarif" and self.sarif_writer is not None:
            self.sarif_writer.write(out)

    def close(self) -> None:
        for handle in self.handles:
            with contextlib.suppress(OSError):
                handle.close()


class JsonStream:
    """`--format json` on a stream, a document at a time: the gate first, then the documents as they
    finish, then the verdict and corpus metrics (the same object as one json.dumps, in that key order)."""

    def __init__(self, stream: IO[str], gate: Gate) -> None:
        self.stream = stream
        self.count = 0
        self.passed = True
        head = {
            "schema": "auditor.check/1",
            "gate": {"fail_on": str(gate.fail_on) if gate.fail_on else None, "fail_under": gate.fail_under},
        }
        stream.write(dumps(head, indent=1)[:-2] + ',\n "documents": [')
        stream.flush()

    def add(self, result: Checked) -> None:
        record = document_record(result)
        record["seconds"] = round(result.seconds, 3)
        text = dumps(record, indent=1).replace("\n", "\n  ")
        self.stream.write(("," if self.count else "") + "\n  " + text)
        self.stream.flush()
        self.count += 1
        self.passed = self.passed and result.passed

    def finish(self, corpus: dict[str, Any] | None) -> None:
        tail = dumps({"passed": self.passed, "corpus_metrics": corpus}, indent=1)
        self.stream.write(("\n " if self.count else "") + "],\n" + tail[2:] + "\n")
        self.stream.flush()
