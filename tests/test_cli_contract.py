"""Issue 13's CLI contract: exit codes, preflight, `-`, piped output, limits, language sanity, encodings,
umask, --version, --debug and Ctrl-C. Each numbered case of the issue has a test here or in
tests/test_integrity.py (cases 1, 2 and 9)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]


def default_sigint() -> None:
    """In the child: Ctrl-C as a terminal delivers it, even where this test runs as a background job (a shell
    starts those with SIGINT ignored, and an ignored signal stays ignored across exec)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


SEED_FR = ROOT / "fixtures" / "article.fr.txt"
SEED_EN = ROOT / "fixtures" / "article.en.txt"
GERMAN = (
    "Der Bundestag hat am Donnerstag nach einer langen Debatte ein neues Gesetz über die Förderung der "
    "erneuerbaren Energien beschlossen. Die Regierung will damit den Ausbau der Windkraft an Land "
    "beschleunigen, während die Opposition vor steigenden Strompreisen für die Verbraucher warnt.\n"
)


def run_cli(
    *args: str, cwd: Path = ROOT, stdin: str | bytes | None = None, timeout: float = 900, **popen: object
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    data = stdin.encode() if isinstance(stdin, str) else stdin
    result = subprocess.run(
        [sys.executable, "-m", "auditor", *args], input=data, capture_output=True, env=env, cwd=cwd,
        timeout=timeout, **popen,  # type: ignore[call-overload]
    )  # fmt: skip
    return subprocess.CompletedProcess(
        result.args, result.returncode, result.stdout.decode(), result.stderr.decode()
    )


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-3000:]
    assert "Traceback" not in result.stderr + result.stdout
    return lines[0]


def unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process cannot create files in (root ignores modes, so root gets /sys)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    candidates = [folder, Path("/sys")] if os.geteuid() != 0 else [Path("/sys")]
    for candidate in candidates:
        try:
            fd, name = tempfile.mkstemp(dir=candidate)
        except OSError:
            return candidate
        os.close(fd)
        os.unlink(name)
    pytest.skip("no unwritable folder on this machine")


# case 3: an unwritable output is refused before any work (the model is not even looked for)
def test_output_into_a_read_only_folder_exits_3_before_any_work(tmp_path):
    folder = unwritable_folder(tmp_path)
    result = run_cli(
        "audit", str(SEED_EN), "--source", str(SEED_FR), "--model", str(tmp_path / "no-such-model"),
        "-o", str(folder / "report.json"), "--format", "json",
    )  # fmt: skip
    assert result.returncode == 3
    line = one_line_error(result)
    assert str(folder) in line and "cannot write" in line


def test_check_into_a_read_only_folder_exits_3_before_any_work(tmp_path):
    folder = unwritable_folder(tmp_path)
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "doc.src.txt").write_bytes(SEED_FR.read_bytes())
    (feed / "doc.tgt.txt").write_bytes(SEED_EN.read_bytes())
    result = run_cli(
        "check", str(feed), "--model", str(tmp_path / "no-such-model"), "-o", str(folder / "reports")
    )
    assert result.returncode == 3
    assert "cannot write" in one_line_error(result)


def test_progress_follows_stages_and_batches():
    from auditor.cli.progress import DocumentProgress

    with DocumentProgress(10, force=True) as progress:
        assert progress.enabled
        progress.stage("scoring")
        progress.batch(3, 10)
        assert progress._bar.tasks[0].completed == 3 and progress._bar.tasks[0].description == "scoring"
    assert not DocumentProgress(10).enabled  # short, and not a terminal under pytest


def test_preflight_contract(tmp_path):
    from auditor.errors import EnvError, InputError
    from auditor.io.output import preflight

    preflight([tmp_path / "a.json", None, Path("-")], [tmp_path / "new" / "reports"], force=False)
    (tmp_path / "a.json").write_text("mine")
    with pytest.raises(InputError, match="already exists"):
        preflight([tmp_path / "a.json"], force=False)
    with pytest.raises(InputError, match="no such folder"):
        preflight([tmp_path / "missing" / "a.json"], force=False)
    with pytest.raises(InputError, match="same file"):
        preflight([tmp_path / "b.json", tmp_path / "." / "b.json"], force=False)
    folder = unwritable_folder(tmp_path)
    with pytest.raises(EnvError, match="cannot write"):
        preflight([folder / "a.json"], force=False)
    with pytest.raises(EnvError, match="cannot write"):
        preflight(folders=[folder / "reports"], force=False)


# case 7: `-` reads stdin and `-o -` writes stdout (no file named `-`)
def test_dash_reads_stdin_and_writes_stdout(tmp_path):
    text = SEED_EN.read_text(encoding="utf-8")
    result = run_cli(
        "audit", "-", "--source", str(SEED_FR), "--no-model", "--format", "json", "-o", "-", cwd=tmp_path,
        stdin=text,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["documents"]["target"] == "-" and report["segments"]
    assert not (tmp_path / "-").exists() and list(tmp_path.iterdir()) == []
    lines = run_cli("score", "-t", "-", "--format", "json", stdin="A cat sleeps on the sofa.\n", cwd=tmp_path)
    assert lines.returncode == 0, lines.stderr
    assert len(json.loads(lines.stdout)["segments"]) == 1


# case 8: piped text output is not wrapped at 80 columns; the signature stays one line
def test_piped_text_output_keeps_the_signature_whole(tmp_path):
    source = "Le président a menacé l'Iran dimanche soir.\nLes dirigeants iraniens ont répondu lundi.\n"
    target = "The president threatened Iran on Sunday evening.\nThe Iranian leaders answered on Monday.\n"
    (tmp_path / "s.fr").write_text(source, encoding="utf-8")
    (tmp_path / "t.en").write_text(target, encoding="utf-8")
    result = run_cli("audit", str(tmp_path / "t.en"), "--source", str(tmp_path / "s.fr"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    signature = [line for line in lines if line.startswith("auditor:")]
    assert len(signature) == 1
    fields = [part.split(":", 1)[0] for part in signature[0].split("|")]
    assert fields == ["auditor", "model", "sha256", "prompt", "dtype", "mapping", "head", "errors", "encoder"]
    assert any("The president threatened Iran on Sunday evening." in line for line in lines)
    assert max(len(line) for line in lines) > 80


# case 4: a document over --max-chars is refused at once, naming the option
def test_a_20_mb_target_is_refused_naming_max_chars(tmp_path):
    big = tmp_path / "big.en.txt"
    big.write_text("The cat sleeps on the sofa. " * 720_000, encoding="utf-8")  # 20 MB
    result = run_cli("audit", str(big), "--no-model", timeout=120)
    assert result.returncode == 2
    assert "--max-chars" in one_line_error(result)


# case 4: a 1 MB single line is cut into bounded segments; rules-only audit and align finish
def test_a_1_mb_single_line_is_cut_into_bounded_segments(tmp_path):
    from auditor.segment import MAX_SEGMENT_CHARS

    words = [
        "le",
        "chat",
        "noir",
        "dort",
        "sur",
        "le",
        "canapé",
        "rouge",
        "pendant",
        "que",
        "la",
        "pluie",
        "tombe",
    ]
    source = " ".join(words[i % len(words)] for i in range(160_000))[:1_000_000]
    target_words = [
        "the",
        "black",
        "cat",
        "sleeps",
        "on",
        "the",
        "red",
        "sofa",
        "while",
        "the",
        "rain",
        "falls",
    ]
    target = " ".join(target_words[i % len(target_words)] for i in range(160_000))[:1_000_000]
    (tmp_path / "s.fr").write_text(source, encoding="utf-8")
    (tmp_path / "t.en").write_text(target, encoding="utf-8")
    aligned = run_cli("align", str(tmp_path / "s.fr"), str(tmp_path / "t.en"), "--no-model", "--format", "json",
                      "--max-chars", "2000000", timeout=600)  # fmt: skip
    assert aligned.returncode == 0, aligned.stderr[-2000:]
    payload = json.loads(aligned.stdout)
    assert payload["source"]["sentences"] >= len(source) // MAX_SEGMENT_CHARS
    assert max(len(link["target_text"]) for link in payload["links"]) <= 6 * MAX_SEGMENT_CHARS


# case 5: a copy of the source, a same-language pair, a German source: critical flags, default gate fails
@pytest.mark.parametrize("case", ["copy", "english-to-english", "german-source"])
def test_language_sanity_fails_the_default_gate(tmp_path, case):
    source = {"copy": SEED_FR, "english-to-english": SEED_EN}.get(case)
    if case == "german-source":
        source = tmp_path / "s.de"
        source.write_text(GERMAN, encoding="utf-8")
    target = SEED_FR if case == "copy" else SEED_EN
    if case == "german-source":
        target = tmp_path / "t.en"
        target.write_text(
            "The Bundestag passed a new law on the promotion of renewable energy on Thursday after a long "
            "debate. The government wants to speed up onshore wind power, while the opposition warns of "
            "rising electricity prices for consumers.\n",
            encoding="utf-8",
        )
    result = run_cli("audit", str(target), "--source", str(source), "--no-model", "--format", "json")
    flags = json.loads(result.stdout)["flags"]
    expected = {"copy": "AUD601", "english-to-english": "AUD602", "german-source": "AUD604"}[case]
    assert any(f["rule"] == expected and f["severity"] == "critical" for f in flags)
    gated = run_cli("audit", str(target), "--source", str(source), "--no-model", "--fail-on", "critical")
    assert gated.returncode == 1, gated.stderr
    feed = tmp_path / "feed"
    feed.mkdir()
    (feed / "doc.src.txt").write_bytes(source.read_bytes())
    (feed / "doc.tgt.txt").write_bytes(target.read_bytes())
    checked = run_cli("check", str(feed), "--no-model")  # check's default gate: fail on critical
    assert checked.returncode == 1, checked.stderr[-2000:]


def test_declared_language_that_does_not_match_is_critical():
    from auditor.checks.context import check_texts

    flags = check_texts(
        SEED_EN.read_text(encoding="utf-8"), SEED_FR.read_text(encoding="utf-8"), tgt_lang="de"
    )
    assert [f.rule for f in flags if f.rule == "AUD603"] == ["AUD603"]
    clean = check_texts(SEED_EN.read_text(encoding="utf-8"), SEED_FR.read_text(encoding="utf-8"))
    assert not [f for f in clean if f.rule.startswith("AUD6")]


@pytest.mark.parametrize("command", [["audit", str(SEED_EN), "--no-model"], ["score", "-t", str(SEED_EN)]])
def test_unknown_language_code_is_a_usage_error(command):
    result = run_cli(*command, "--src-lang", "xx")
    assert result.returncode == 2
    assert "unknown language code 'xx'" in one_line_error(result)


# case 6: `auditor score` detects the source language when --src-lang is omitted
def test_score_detects_the_source_language(tmp_path):
    (tmp_path / "s.de").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "t.en").write_text(
        "The Bundestag passed a new law on renewable energy on Thursday.\n", encoding="utf-8"
    )
    args = ["score", "-s", str(tmp_path / "s.de"), "-t", str(tmp_path / "t.en"), "--format", "json"]
    detected = json.loads(run_cli(*args).stdout)
    declared = json.loads(run_cli(*args, "--src-lang", "de").stdout)
    assert detected["system"]["languages"] == {"source": "de", "target": "en"}
    assert detected["segments"] == declared["segments"]


# case 10: --version, literal [tool.auditor] in help, UTF-16/32 with a BOM, umask, Ctrl-C
def test_version_prints_the_signature_fields():
    result = run_cli("--version")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith("auditor 0.")
    fields = dict(part.split(":", 1) for part in lines[1].split("|"))
    assert set(fields) == {
        "auditor",
        "model",
        "sha256",
        "prompt",
        "dtype",
        "mapping",
        "head",
        "errors",
        "encoder",
    }


def test_config_help_shows_tool_auditor_literally():
    from auditor.cli import _register_commands, app

    _register_commands()
    result = CliRunner().invoke(app, ["audit", "--help"], env={"COLUMNS": "200"})
    assert "[tool.auditor]" in result.output
    assert (
        "Exit status: 0 passed; 1 the quality gate failed; 2 usage or input error; 3"
        in run_cli("--help").stdout
    )


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_text_with_a_bom_is_decoded(tmp_path, encoding):
    from auditor.io.text import read_text_file

    text = SEED_EN.read_text(encoding="utf-8")
    path = tmp_path / "t.txt"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    path.write_bytes(data)
    assert read_text_file(path) == text
    result = run_cli("audit", str(path), "--no-model", "--format", "json")
    assert result.returncode == 0, result.stderr
    first = json.loads(result.stdout)["segments"][0]
    start, end = first["target_span"]
    assert first["target_text"] == text[start:end] and first["target_text"].startswith("Donald Trump")


def test_written_files_follow_the_umask(tmp_path):
    out = tmp_path / "report.json"
    result = run_cli(
        "audit", str(SEED_EN), "--no-model", "--format", "json", "-o", str(out), preexec_fn=lambda: os.umask(0o027)
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert out.stat().st_mode & 0o777 == 0o640


def test_ctrl_c_in_audit_says_so_and_exits_130(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "auditor", "audit", str(SEED_EN), "--source", str(SEED_FR), "-o", str(tmp_path / "r.txt")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        preexec_fn=default_sigint,
    )  # fmt: skip
    time.sleep(6)  # inside the command by now: the model alone takes longer than this to load and score
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=300)
    assert process.returncode == 130
    assert "interrupted: no report was written" in err and "Traceback" not in err
    assert not (tmp_path / "r.txt").exists()


# exit 3 for a bug, with the traceback only under --debug
@pytest.mark.parametrize("debug", [False, True])
def test_an_internal_error_is_one_line_exit_3(monkeypatch, capsys, debug):
    import auditor.pipeline
    from auditor import cli

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(auditor.pipeline, "audit", boom)
    argv = ["auditor", *(["--debug"] if debug else []), "audit", str(SEED_EN), "--no-model"]
    monkeypatch.setattr(sys, "argv", argv)
    monkeypatch.delenv("AUDITOR_DEBUG", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert err.strip().splitlines()[-1].startswith("error: internal error (RuntimeError: boom)")
    assert ("Traceback" in err) is debug
    monkeypatch.setattr(cli, "_debug", False)


def test_memory_error_is_exit_3(monkeypatch, capsys):
    import auditor.pipeline
    from auditor import cli

    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(auditor.pipeline, "audit", exhausted)
    monkeypatch.setattr(sys, "argv", ["auditor", "audit", str(SEED_EN), "--no-model"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    assert capsys.readouterr().err.startswith("error: out of memory")


def test_language_codes_and_supported_pairs():
    from auditor.checks.context import check_texts
    from auditor.checks.language import check_language_code
    from auditor.errors import InputError

    for good in ("fr", "EN", "en-US", "pt_BR", "zh"):
        check_language_code(good)
    for bad in ("xx", "english", "", "f", "fr-"):
        with pytest.raises(InputError, match="unknown language code"):
            check_language_code(bad)
    french = SEED_FR.read_text(encoding="utf-8")
    assert "AUD604" in {f.rule for f in check_texts(french, tgt_lang="fr")}  # target-only French
    assert "AUD604" not in {f.rule for f in check_texts(SEED_EN.read_text(encoding="utf-8"))}
