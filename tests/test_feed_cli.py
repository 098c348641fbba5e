"""`auditor check` as CI runs it: exit statuses, JUnit/SARIF/JSON on stdout, reports on disk.

Rules only (`--no-model`) so that these stay fast; the model path is the same code with scores added.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

ROOT = Path(__file__).resolve().parent.parent
FEED = ROOT / "fixtures" / "feed"
SCHEMA = json.loads((ROOT / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def auditor(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", "from auditor.cli import main; main()", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def assert_usage_error(done: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    for needle in needles:
        assert needle in errors[0]


def test_gate_fails_on_a_number_error_and_writes_junit(tmp_path):
    # "strike": the source says 250 employees, the translation 205: a critical accuracy flag.
    done = auditor("check", FEED / "news.jsonl", "--no-model", "--fail-on", "critical", "--format", "junit")
    assert done.returncode == 1, done.stderr[-2000:]
    root = ET.fromstring(done.stdout)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert sorted(cases) == ["budget", "museum", "notice", "strike", "weather"]
    failures = cases["strike"].findall("failure")
    assert failures and any("AUD201" in (f.get("type") or "") for f in failures)
    assert cases["weather"].findall("failure") == []
    assert (
        "checking" in done.stderr and "5/5" in done.stderr and "[2/5] strike" in done.stderr
    )  # progress, on stderr


def test_no_gate_passes_and_reports_land_in_a_folder(tmp_path):
    out = tmp_path / "reports"
    done = auditor("check", FEED / "pairs", "--no-model", "--fail-on", "none", "--output", out)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "harbour" in done.stdout and "school" in done.stdout  # the summary table
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="harbour.html"' in index and 'href="school.html"' in index
    page = (out / "harbour.html").read_text(encoding="utf-8")
    assert "Diff with reference" in page and "cruise ships" in page
    # The folder is not empty any more: a second run refuses it unless --force.
    again = auditor("check", FEED / "pairs", "--no-model", "--fail-on", "none", "--output", out)
    assert_usage_error(again, "not empty", "--force")
    forced = auditor("check", FEED / "pairs", "--no-model", "--fail-on", "none", "--output", out, "--force")
    assert forced.returncode == 0


def test_fail_under_needs_model_scores():
    # Rules-only reports have no overall score: a score gate cannot be judged, so it is a usage error.
    # (The score gate itself is tested on hand-built reports in test_render_junit.py.)
    done = auditor("check", FEED / "bilingual" / "glossary.tmx", "--no-model", "--fail-under", "60")
    assert_usage_error(done, "--fail-under needs model scores")


def test_sarif_on_stdout_validates(tmp_path):
    junit = tmp_path / "junit.xml"
    done = auditor("check", FEED / "news.jsonl", "--no-model", "--format", "sarif", "--junit", junit)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    log = json.loads(done.stdout)
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert ET.parse(junit).getroot().tag == "testsuites"
    again = auditor("check", FEED / "news.jsonl", "--no-model", "--junit", junit)
    assert_usage_error(again, "already exists")


def test_references_give_sacrebleu_scores_with_signature():
    done = auditor("check", FEED / "news.jsonl", "--no-model", "--fail-on", "none", "--format", "json")
    assert done.returncode == 0, done.stderr[-2000:]
    payload = json.loads(done.stdout)
    corpus = payload["corpus_metrics"]
    assert set(corpus) == {"BLEU", "chrF", "TER", "signature"}
    assert "nrefs:1" in corpus["signature"] and "version:" in corpus["signature"]
    docs = {d["id"]: d for d in payload["documents"]}
    assert docs["weather"]["reference_metrics"]["BLEU"] > 0
    assert docs["museum"]["reference_metrics"] is None


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("check", "fixtures/feed/missing.jsonl"), ("missing.jsonl", "no such file")),
        (("check", "fixtures/article.en.txt"), ("unknown feed format",)),
        (("check", "fixtures/feed/news.jsonl", "--fail-on", "fatal"), ("unknown severity",)),
        (("check", "fixtures/feed/news.jsonl", "--fail-under", "120"), ("between 0 and 100",)),
    ],
)
def test_usage_and_input_errors_exit_2(args, needles):
    assert_usage_error(auditor(*args, "--no-model"), *needles)


def test_bad_jsonl_line_is_named(tmp_path):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "a", "target": "Fine."}\n{"id": "b", "target": \n', encoding="utf-8")
    assert_usage_error(auditor("check", feed, "--no-model"), "feed.jsonl:2:", "invalid JSON")
