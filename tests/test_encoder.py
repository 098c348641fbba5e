"""The sentence encoder: the embedded USE model (weights checked on load), memoisation, the signature, the
`--encoder` plumbing with a tiny random-weight sentence-transformers model, and `auditor models`."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from auditor.encoder import load_encoder
from auditor.encoder.backends import UseEncoder
from auditor.encoder.manifest import find_encoder_manifest
from auditor.errors import ModelError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    from auditor.cli import _register_commands

    _register_commands()
    return CliRunner()


@pytest.fixture(scope="module")
def encoder():
    return load_encoder()


def test_translations_are_closer_than_unrelated_sentences(encoder) -> None:
    rows = encoder.encode(
        [
            "Le conseil municipal a voté le budget de la ville hier soir.",
            "The town council voted on the city's budget last night.",
            "My grandmother grows tomatoes in her garden.",
        ]
    )
    assert rows.shape == (3, 512) and rows.dtype == np.float32
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert rows[0] @ rows[1] > 0.6
    assert rows[0] @ rows[2] < 0.3


def test_each_distinct_text_is_encoded_once(encoder) -> None:
    calls: list[list[str]] = []
    original = encoder._encode_batch

    def counting(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return original(texts)

    encoder._encode_batch = counting
    try:
        text = "Une phrase que personne n'a encore encodée, numéro 4417."
        first = encoder.encode([text, text, ""])
        second = encoder.encode([text])
    finally:
        del encoder._encode_batch
    assert calls == [[text]]
    assert np.array_equal(first[0], second[0]) and not first[2].any()


def test_weights_with_another_sha256_are_a_model_error() -> None:
    manifest = find_encoder_manifest("use-m3")
    assert manifest is not None
    with pytest.raises(ModelError, match="sha256"):
        UseEncoder(dataclasses.replace(manifest, sha256="0" * 64))
    with pytest.raises(ModelError, match="wants"):
        UseEncoder(dataclasses.replace(manifest, version="9.9.9"))


def test_signature_names_the_encoder(encoder) -> None:
    from auditor.pipeline import signature

    assert signature(None, encoder).endswith("|encoder:use-m3:0db566fd0af8")
    assert signature(None).endswith("|encoder:none")


def _tiny_sentence_transformer(folder: Path) -> Path:
    """A random-weight BERT with a 40-word vocabulary, saved as a sentence-transformers model (plumbing only)."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer import modules as models
    from transformers import BertConfig, BertModel, BertTokenizerFast

    words = [
        "le",
        "la",
        "de",
        "et",
        "the",
        "of",
        "and",
        "a",
        "to",
        "in",
        "est",
        "is",
        "un",
        "une",
        "chat",
        "cat",
        "maison",
        "house",
    ]
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words, *".,;!?"]
    base = folder / "bert"
    base.mkdir()
    (base / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(base / "vocab.txt")).save_pretrained(base)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
    )
    BertModel(config).save_pretrained(base)
    transformer = models.Transformer(str(base))
    pooling = models.Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    out = folder / "tiny-st"
    SentenceTransformer(modules=[transformer, pooling], device="cpu").save(str(out))
    return out


def test_a_sentence_transformers_folder_goes_through_the_same_interface(
    tmp_path: Path, runner: CliRunner
) -> None:
    from auditor.cli import app

    folder = _tiny_sentence_transformer(tmp_path)
    tiny = load_encoder(str(folder))
    rows = tiny.encode(
        ["le chat est dans la maison.", "the cat is in the house.", "le chat est dans la maison."]
    )
    assert rows.shape == (3, 16)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-4)
    assert np.array_equal(rows[0], rows[2])
    assert tiny.identity.startswith("tiny-st:")

    result = runner.invoke(
        app,
        [
            "audit",
            str(FIXTURES / "article.en.txt"),
            "--source",
            str(FIXTURES / "article.fr.txt"),
            "--no-model",
            "--encoder",
            str(folder),
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["signature"].endswith(f"|encoder:{tiny.identity}")
    aligned = runner.invoke(
        app,
        [
            "align",
            str(FIXTURES / "article.fr.txt"),
            str(FIXTURES / "article.en.txt"),
            "--no-model",
            "--encoder",
            str(folder),
            "--format",
            "json",
        ],
    )
    assert aligned.exit_code == 0, aligned.output
    assert json.loads(aligned.output)["evidence"].endswith(str(folder))


def test_a_missing_encoder_is_a_one_line_error(tmp_path: Path) -> None:
    import subprocess
    import sys

    command = [sys.executable, "-m", "auditor", "align", str(FIXTURES / "article.fr.txt")]
    command += [str(FIXTURES / "article.en.txt"), "--no-model", "--encoder", str(tmp_path / "absent-model")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode != 0
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr


def test_models_list_and_info_show_the_encoder(runner: CliRunner) -> None:
    from auditor.cli import app

    listed = runner.invoke(app, ["models", "list"])
    assert listed.exit_code == 0 and "use-m3" in listed.output
    info = runner.invoke(app, ["models", "info", "use-m3"])
    assert info.exit_code == 0
    assert "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9" in info.output
    assert "fr" in info.output and "Apache-2.0" in info.output
