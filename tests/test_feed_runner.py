"""The feed runner: the Python API, results in feed order from every backend, the document cache, and
`auditor check` interrupted, resumed and refused an unwritable output."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

import auditor
from auditor.errors import InputError
from auditor.feed import FeedOptions, run_feed
from auditor.feed.cache import ResultCache
from auditor.io.feed import FeedDocument, read_feed

ROOT = Path(__file__).resolve().parent.parent


def default_sigint() -> None:
    """In the child: Ctrl-C as a terminal delivers it, even where this test runs as a background job (a shell
    starts those with SIGINT ignored, and an ignored signal stays ignored across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


FEED = ROOT / "fixtures" / "feed"


def records(results) -> list[str]:
    from auditor.feed.outputs import document_record, dumps

    return [dumps(document_record(r)) for r in results]


def test_check_api_streams_gated_results_in_feed_order(tmp_path):
    results = list(auditor.check(FEED / "news.jsonl", model=None, cache=False))
    assert [r.document.id for r in results] == ["budget", "strike", "weather", "museum", "notice"]
    assert [r.passed for r in results] == [True, False, True, True, True]
    assert any("AUD201" in reason for reason in results[1].reasons)
    assert results[2].metrics is not None and results[2].metrics["BLEU"] > 0
    with pytest.raises(ValueError, match="unknown severity"):
        auditor.check(FEED / "news.jsonl", model=None, fail_on="fatal")


def test_unchanged_documents_come_from_the_cache(tmp_path):
    path = tmp_path / "results.sqlite3"
    docs = read_feed(FEED / "news.jsonl")
    options = FeedOptions(model=None, cache_path=path)
    first = run_feed(docs, options)
    before = records(first)
    assert (first.stats.documents_hit, first.stats.documents_missed) == (0, 5)
    docs[3] = FeedDocument(**{**docs[3].__dict__, "target": docs[3].target.replace("museum", "Museum")})
    second = run_feed(docs, options)
    after = list(second)
    assert [r.cached for r in after] == [True, True, True, False, True]
    assert (second.stats.documents_hit, second.stats.documents_missed) == (4, 1)
    assert [x for i, x in enumerate(records(after)) if i != 3] == [x for i, x in enumerate(before) if i != 3]
    info = ResultCache(path).info()
    assert info["entries"]["documents"] == 6 and info["last_run"]["documents_hit"] == 4
    # Another rule configuration is another key: nothing reused.
    from auditor.checks.registry import RuleConfig

    other = run_feed(docs, FeedOptions(model=None, cache_path=path, rules=RuleConfig(disabled={"AUD201"})))
    assert not any(r.cached for r in other)


def test_a_bad_document_stops_the_run_with_its_origin():
    docs = [FeedDocument("a", "Fine.", origin="x.jsonl:1"), FeedDocument("b", "   ", origin="x.jsonl:2")]
    with pytest.raises(InputError, match=r"x\.jsonl:2: .*empty"):
        list(run_feed(docs, FeedOptions(model=None, cache=False)))


def test_worker_processes_give_the_same_results_in_feed_order():
    docs = read_feed(FEED / "news.jsonl") + read_feed(FEED / "pairs") + read_feed(FEED / "bilingual")
    one = records(run_feed(docs, FeedOptions(model=None, cache=False)))
    two = records(run_feed(docs, FeedOptions(model=None, cache=False, jobs=2)))
    assert two == one


def test_ray_gives_the_same_results_in_feed_order():
    import ray

    docs = read_feed(FEED / "news.jsonl") + read_feed(FEED / "bilingual")
    one = records(run_feed(docs, FeedOptions(model=None, cache=False)))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        options = FeedOptions(model=None, cache=False, backend="ray", jobs=2, batch_size=2)
        assert records(run_feed(docs, options)) == one
    finally:
        ray.shutdown()


def test_model_results_are_the_same_in_one_and_two_jobs(tmp_path):
    """With the real model: two worker processes (each loading it once) give byte-identical results."""
    docs = read_feed(FEED / "news.jsonl")[:3]
    one = records(run_feed(docs, FeedOptions(cache=False)))
    two = records(run_feed(docs, FeedOptions(cache=False, jobs=2)))
    assert two == one
    assert json.loads(one[0])["report"]["scores"]["overall"] is not None


def auditor_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from auditor.cli import main; main()", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env=env,
    )


def test_interrupted_check_resumes_without_auditing_finished_documents(tmp_path):
    env = {**os.environ, "AUDITOR_RESULT_CACHE": str(tmp_path / "cache")}
    out = tmp_path / "reports"
    command = [
        sys.executable,
        "-c",
        "from auditor.cli import main; main()",
        "check",
        str(FEED / "news.jsonl"),
    ]
    command += ["--fail-on", "none", "-o", str(out), "--progress-every", "1"]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        preexec_fn=default_sigint,
    )  # fmt: skip
    assert process.stderr is not None
    lines = []
    for line in process.stderr:
        lines.append(line)
        if line.startswith("[1/5] budget"):
            process.send_signal(signal.SIGINT)
            break
    rest = process.communicate(timeout=600)[1]
    assert process.returncode == 130, "".join(lines) + rest
    assert "Traceback" not in rest
    message = [line for line in rest.splitlines() if line.startswith("interrupted:")]
    assert len(message) == 1 and "of 5 documents finished" in message[0] and "resumes" in message[0]
    finished = int(message[0].split()[1])
    assert finished >= 1
    assert (out / "budget.html").is_file() and not (out / "index.html").exists()
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == finished
    # The rerun: the same command (no --force needed for the folder it left), finished documents reused.
    again = auditor_cli(*command[3:], env=env)
    assert again.returncode == 0, again.stderr[-2000:]
    progress = [line for line in again.stderr.splitlines() if line.startswith("[")]
    assert [" cached " in line for line in progress] == [i < finished for i in range(5)]
    assert f"cache: {finished} documents" in again.stdout  # the summary goes to stdout
    assert (out / "index.html").is_file()
    assert len((out / "results.jsonl").read_text(encoding="utf-8").splitlines()) == 5


def _read_only(folder: Path) -> None:
    folder.mkdir()
    folder.chmod(0o555)
    if os.geteuid() == 0:  # root writes through file modes; an immutable folder stops it too
        subprocess.run(["chattr", "+i", str(folder)], check=True)


def test_unwritable_output_fails_before_any_work(tmp_path):
    folder = tmp_path / "ro"
    _read_only(folder)
    try:
        for args in (("-o", folder / "reports"), ("-o", folder), ("--junit", folder / "junit.xml")):
            done = auditor_cli("check", FEED / "news.jsonl", *args)
            assert done.returncode == 3, (args, done.stderr[-2000:])
            assert "Traceback" not in done.stderr and "checking" not in done.stderr  # nothing ran
            errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
            assert len(errors) == 1 and "cannot" in errors[0], done.stderr
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.chmod(0o755)


def test_a_truncated_model_exits_3_with_one_line(lm, tmp_path):
    """A damaged checkpoint is a model error (3), not a failed gate (1) nor bad input (2)."""
    from auditor.lm.cache import checkpoint_dir

    prepared = checkpoint_dir(lm.manifest)
    broken = tmp_path / "model"
    broken.mkdir()
    for name in ("config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"):
        (broken / name).write_bytes((prepared / name).read_bytes())
    with (prepared / "model.safetensors").open("rb") as handle:
        (broken / "model.safetensors").write_bytes(handle.read(1 << 20))
    done = auditor_cli("check", FEED / "news.jsonl", "--model", broken, "--no-cache")
    assert done.returncode == 3, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "model" in errors[0], done.stderr


def test_cache_info_and_clear(tmp_path):
    env = {**os.environ, "AUDITOR_RESULT_CACHE": str(tmp_path)}
    assert auditor_cli("check", FEED / "pairs", "--no-model", "--fail-on", "none", env=env).returncode == 0
    info = auditor_cli("cache", "info", "--json", env=env)
    data = json.loads(info.stdout)
    assert data["entries"]["documents"] == 2 and data["bytes"] > 0
    assert data["last_run"]["documents_missed"] == 2 and data["last_run"]["hit_rate"]["documents"] == 0
    assert auditor_cli("check", FEED / "pairs", "--no-model", "--fail-on", "none", env=env).returncode == 0
    text = auditor_cli("cache", "info", env=env).stdout
    assert "2 documents" in text and "hit rate 100.0%" in text
    cleared = auditor_cli("cache", "clear", env=env)
    assert "removed 2 documents" in cleared.stdout
    assert json.loads(auditor_cli("cache", "info", "--json", env=env).stdout)["entries"]["documents"] == 0
