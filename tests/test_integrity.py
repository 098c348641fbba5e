"""Model integrity (issue 13, cases 1-2): a corrupt or truncated prepared checkpoint never scores.

One copy of the prepared checkpoint (about 1.1 GB, float32) per session lives in a temporary AUDITOR_CACHE;
each test damages it, runs the real CLI, and restores it.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from auditor.errors import ModelError

ROOT = Path(__file__).resolve().parents[1]
FIX = "auditor models prepare gemma-3-270m --force"


@pytest.fixture(scope="session")
def cache_copy(tmp_path_factory) -> Path:
    """A private AUDITOR_CACHE holding a verified copy of the prepared embedded model."""
    from auditor.lm import cache
    from auditor.lm.manifest import find_manifest

    manifest = find_manifest("gemma-3-270m")
    assert manifest is not None
    cache.prepare(manifest)
    source = cache.check_prepared(manifest)  # adopts a folder prepared before file manifests existed
    root = tmp_path_factory.mktemp("auditor-cache")
    copy = root / "models" / source.name
    shutil.copytree(source, copy)  # copy2 keeps the modification times the verified stamp records
    return root


@pytest.fixture
def checkpoint(cache_copy) -> Path:
    (folder,) = [p for p in (cache_copy / "models").iterdir() if p.is_dir()]
    return folder / "model.safetensors"


def _tensors(path: Path) -> list[tuple[str, int, int]]:
    """(name, first byte, end byte) of every tensor in a safetensors file, in file order."""
    with path.open("rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(length))
    base = 8 + length
    spans = [
        (k, base + v["data_offsets"][0], base + v["data_offsets"][1])
        for k, v in header.items()
        if k != "__metadata__"
    ]
    return sorted(spans, key=lambda t: t[1])


def run_cli(*args: str, cache_root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AUDITOR_CACHE": str(cache_root), "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=900,
    )


def _audit(cache_root: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(
        "audit", "fixtures/article.en.txt", "--source", "fixtures/article.fr.txt", "--fail-under", "60",
        cache_root=cache_root,
    )  # fmt: skip


def _assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 3, result.stderr[-2000:]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and FIX in lines[0], result.stderr[-2000:]
    assert result.stdout == ""  # nothing scored, nothing printed


@pytest.fixture
def saved(checkpoint) -> Iterator[dict[int, bytes]]:
    """Restores whatever a test overwrote in model.safetensors (offset -> original bytes)."""
    originals: dict[int, bytes] = {}
    yield originals
    with checkpoint.open("r+b") as handle:
        for offset, data in originals.items():
            handle.seek(offset)
            handle.write(data)


def _scribble(path: Path, offset: int, size: int, saved: dict[int, bytes]) -> None:
    rng = np.random.default_rng(offset)
    with path.open("r+b") as handle:
        handle.seek(offset)
        saved[offset] = handle.read(size)
        handle.seek(offset)
        handle.write(rng.integers(0, 256, size, dtype=np.uint8).tobytes())


@pytest.mark.parametrize("which", ["first", "middle", "last"])
def test_random_bytes_in_any_tensor_exit_3_before_any_score(checkpoint, saved, cache_copy, which):
    tensors = _tensors(checkpoint)
    _name, start, end = tensors[{"first": 0, "middle": len(tensors) // 2, "last": -1}[which]]
    size = min(end - start, 1 << 16)
    _scribble(checkpoint, start + (end - start - size) // 2, size, saved)
    result = _audit(cache_copy)
    _assert_refused(result)
    assert "corrupt" in result.stderr


def test_truncated_checkpoint_is_one_line_exit_3(checkpoint, cache_copy):
    kept = checkpoint.with_name("kept.bin")
    os.replace(checkpoint, kept)
    try:
        with kept.open("rb") as whole, checkpoint.open("wb") as cut:
            cut.write(whole.read(50 << 20))
        result = _audit(cache_copy)
        _assert_refused(result)
        assert "truncated" in result.stderr
    finally:
        os.replace(kept, checkpoint)


def test_models_verify_hashes_even_when_the_stamp_looks_fresh(checkpoint, saved, cache_copy):
    result = run_cli("models", "verify", "gemma-3-270m", cache_root=cache_copy)
    assert result.returncode == 0 and "match" in result.stdout, result.stderr
    stat = checkpoint.stat()
    _name, start, end = _tensors(checkpoint)[3]
    _scribble(checkpoint, start, min(4096, end - start), saved)
    os.utime(checkpoint, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # hide the write from the cheap check
    result = run_cli("models", "verify", "gemma-3-270m", cache_root=cache_copy)
    _assert_refused(result)


def test_a_file_missing_from_the_manifest_record_is_refused(checkpoint, cache_copy):
    config = checkpoint.with_name("config.json")
    kept = config.read_bytes()
    config.unlink()
    try:
        _assert_refused(run_cli("models", "verify", cache_root=cache_copy))
    finally:
        config.write_bytes(kept)


def test_nan_evidence_is_a_model_error_never_a_score():
    from auditor.scoring.mapping import sigmoid_100

    assert sigmoid_100(1e9, 0.0, 1.0) == 100.0  # a huge finite value still clamps
    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ModelError, match="non-finite"):
            sigmoid_100(bad, 0.0, 1.0)


def test_nan_weights_raise_in_scoring_and_embedding(lm, tmp_path):
    """Plumbing, on a tiny random-weight model with one weight set to NaN: log-probabilities and hidden
    states are checked wherever the model's numbers leave it."""
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from auditor.align.embed import embed_texts
    from auditor.lm.model import load_model
    from auditor.pipeline import audit

    config = Gemma3TextConfig(
        vocab_size=262144, hidden_size=16, intermediate_size=32, num_hidden_layers=2, num_attention_heads=1,
        num_key_value_heads=1, head_dim=16, pad_token_id=0,
    )  # fmt: skip
    torch.manual_seed(0)
    tiny = Gemma3ForCausalLM(config).eval()
    with torch.no_grad():
        tiny.model.layers[1].mlp.down_proj.weight[0, 0] = float("nan")
    tiny.save_pretrained(tmp_path / "tiny")
    lm.tokenizer.save_pretrained(tmp_path / "tiny")
    model = load_model(str(tmp_path / "tiny"), dtype="float32")
    with pytest.raises(ModelError, match="non-finite log-probabilities"):
        model.score(["English:"], ["A short text."])
    with pytest.raises(ModelError, match="non-finite"):
        embed_texts(model, ["A short text."], layers=(2,))
    with pytest.raises(ModelError, match="non-finite"):
        audit("The cat sleeps.", "Le chat dort.", src_lang="fr", tgt_lang="en", model=model)


# case 9: parallel first runs wait on one lock, and only the first one prepares
def test_parallel_first_runs_wait_for_one_prepare(cache_copy, checkpoint, monkeypatch):
    import queue
    import threading

    from auditor.lm import cache

    monkeypatch.setenv("AUDITOR_CACHE", str(cache_copy))
    marker = checkpoint.with_name(cache.READY_MARKER)
    kept = marker.read_bytes()
    before = checkpoint.stat().st_mtime_ns
    env = {**os.environ, "AUDITOR_CACHE": str(cache_copy), "PYTHONPATH": str(ROOT)}
    lines: queue.Queue[str] = queue.Queue()
    with cache.cache_lock("gemma-3-270m"):  # this process stands for the first run, mid-prepare
        marker.unlink()
        try:
            runs = [
                subprocess.Popen(
                    [sys.executable, "-m", "auditor", "models", "prepare", "gemma-3-270m"],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                    cwd=ROOT,
                )
                for _ in range(2)
            ]
            for run in runs:
                threading.Thread(target=lambda r=run: [lines.put(x) for x in r.stderr], daemon=True).start()
            waiting = 0
            while waiting < len(runs):
                if "waiting for another auditor process" in lines.get(timeout=300):
                    waiting += 1
        finally:
            marker.write_bytes(kept)  # the first run has finished preparing
    for run in runs:
        out, _ = run.communicate(timeout=300)
        assert run.returncode == 0 and "prepared at" in out
    assert checkpoint.stat().st_mtime_ns == before  # nobody rebuilt it
    assert [p.name for p in (cache_copy / "models").iterdir() if p.is_dir()] == [checkpoint.parent.name]
