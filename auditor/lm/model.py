"""A causal language model wrapper that scores texts token by token, batched.

Only the positions that are scored go through the output layer: Gemma's vocabulary has 262k entries, so a
full-vocabulary log-softmax over prompt positions would cost more than the rest of the network.
"""

from __future__ import annotations

import hashlib
import math
import os
import sys
import warnings
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from auditor.errors import ModelError
from auditor.lm import cache
from auditor.lm.manifest import DEFAULT_MODEL, Manifest, PromptTemplate, ad_hoc_manifest, find_manifest
from auditor.scoring.head import QualityHead, load_head

END_OF_TEXT = "\n"
_POSITION_CHUNK = 512  # scored positions per pass over the output weights (0.7 GB for Gemma's 262k x 640)
_VOCAB_CHUNK = 8192  # vocabulary rows per product: 512 x 8192 floats = 16 MB of logits, cache-sized
_KEPT_BYTES = 160 * 2**20  # key/value states kept from `score` for `continue_texts` (~4,500 Gemma tokens)


@dataclass
class ScoredText:
    """Log-probabilities of a text's tokens after a prefix; spans are character offsets into the text."""

    spans: list[tuple[int, int]]
    logprobs: np.ndarray
    end_logprob: float
    pooled: np.ndarray | None = None  # mean hidden state of the text's tokens at the pooled layer
    states: np.ndarray | None = None  # float32, one row per token: the hidden states at the states layer

    @property
    def total(self) -> float:
        return float(self.logprobs.sum())

    @property
    def mean(self) -> float:
        return float(self.logprobs.mean()) if len(self.logprobs) else 0.0


@dataclass
class _Request:
    index: int
    ids: list[int]
    first_scored: int  # position of the first scored token in ids
    spans: list[tuple[int, int]]


class LanguageModel:
    """Holds one causal LM and its tokenizer; everything else in the auditor passes plain data."""

    def __init__(
        self, model: Any, tokenizer: Any, manifest: Manifest, identity: str, dtype: str = "float32"
    ) -> None:
        self.model = model
        self.dtype = dtype
        self.tokenizer = tokenizer
        self.manifest = manifest
        self.identity = identity
        self.name = manifest.name
        self._end_ids: list[int] = tokenizer(END_OF_TEXT, add_special_tokens=False).input_ids
        self.pad_id = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        self._quality_head: QualityHead | None = None
        self._head_read = False
        self.on_batch: Callable[[int, int], None] | None = None  # (texts scored so far, texts asked)
        self._kept: list[tuple[list[int], list[tuple[Any, Any]]]] = []  # key/value states from `score`
        self._kept_bytes = 0
        self._head: _OutputLayer | None = None

    @property
    def prompt(self) -> PromptTemplate:
        return self.manifest.prompt

    @property
    def quality_head(self) -> QualityHead | None:
        """The manifest's trained ranker, when it was trained on exactly these weights."""
        if not self._head_read:
            self._quality_head = load_head(self.manifest, self.identity)
            self._head_read = True
        return self._quality_head

    @property
    def head_layer(self) -> int | None:
        """The layer whose pooled states the quality head reads; None without a head."""
        head = self.quality_head
        return head.layer if head is not None else None

    def _non_finite(self, what: str) -> str:
        fix = f"`auditor models verify {self.name}`" if self.manifest.package else "its checkpoint"
        return f"model {self.name} produced non-finite {what} (corrupt weights?): check {fix}"

    def _prefix_ids(self, prefix: str) -> list[int]:
        ids: list[int] = self.tokenizer(prefix, add_special_tokens=True).input_ids
        return ids

    def _request(self, index: int, prefix_ids: list[int], text: str) -> _Request:
        # The text follows the prompt after one space, so that its first word tokenizes as mid-text.
        encoded = self.tokenizer(" " + text, add_special_tokens=False, return_offsets_mapping=True)
        spans = [(max(0, s - 1), max(0, e - 1)) for s, e in encoded.offset_mapping]
        ids = prefix_ids + list(encoded.input_ids) + self._end_ids
        return _Request(index, ids, len(prefix_ids), spans)

    def score(
        self,
        prefixes: list[str],
        texts: list[str],
        *,
        batch_tokens: int = 2048,
        pool_layer: int | None = None,
        states_layer: int | None = None,
        states_of: Collection[int] | None = None,
    ) -> list[ScoredText]:
        """Score each text after its prefix, batched: sorted by length, padded to a token budget per batch.

        A request whose tokens begin another's (the target alone, "English: target", begins the back-
        translation prompt "English: target\nFrench: source") is read off that request's forward pass:
        attention is causal, so the shared tokens' hidden states are the same. With `pool_layer`, each
        result also carries the mean hidden state of its text's tokens at that layer (0 = embeddings),
        from the same forward pass; with `states_layer`, each token's own hidden state at that layer (only
        for the requests numbered in `states_of`, when given: a document's states are large)."""
        import torch

        if len(prefixes) != len(texts):
            raise ValueError("prefixes and texts differ in length")
        layers = getattr(self.model.config, "num_hidden_layers", None)
        for asked in (pool_layer, states_layer):
            if asked is not None and layers is not None and not 0 <= asked <= layers:
                raise ModelError(f"{self.identity} has no hidden-state layer {asked} (0-{layers})")
        prefix_cache: dict[str, list[int]] = {}
        requests = []
        for i, (prefix, text) in enumerate(zip(prefixes, texts, strict=True)):
            if prefix not in prefix_cache:
                prefix_cache[prefix] = self._prefix_ids(prefix)
            requests.append(self._request(i, prefix_cache[prefix], text))
        results: list[ScoredText | None] = [None] * len(requests)
        riders = _hosts(requests)
        order = sorted((r for r in requests if r.index in riders), key=lambda r: len(r.ids), reverse=True)
        base = self.model.base_model
        logits_of = self._output_layer()
        n_end = len(self._end_ids)
        done = 0
        window = getattr(self.model.config, "sliding_window", None) or math.inf
        self.forget_states()
        with torch.inference_mode():
            start = 0
            while start < len(order):
                longest = len(order[start].ids)
                size = max(1, min(len(order) - start, batch_tokens // max(1, longest)))
                batch = order[start : start + size]
                start += size
                input_ids = torch.full((len(batch), longest), self.pad_id, dtype=torch.long)
                mask = torch.zeros((len(batch), longest), dtype=torch.long)
                for row, req in enumerate(batch):
                    input_ids[row, : len(req.ids)] = torch.tensor(req.ids)
                    mask[row, : len(req.ids)] = 1
                keep = longest < window and self._kept_bytes < _KEPT_BYTES
                output = base(
                    input_ids=input_ids,
                    attention_mask=mask,
                    output_hidden_states=pool_layer is not None or states_layer is not None,
                    use_cache=keep,
                )
                if keep:
                    for row, req in enumerate(batch):
                        self._keep(output.past_key_values, row, req.ids)
                hidden = output.last_hidden_state
                layer_states = output.hidden_states[pool_layer] if pool_layer is not None else None
                token_states = output.hidden_states[states_layer] if states_layer is not None else None
                placed = [(row, req) for row, host in enumerate(batch) for req in (host, *riders[host.index])]
                rows, cols, targets = [], [], []
                for row, req in placed:
                    for pos in range(req.first_scored, len(req.ids)):
                        rows.append(row)
                        cols.append(pos - 1)
                        targets.append(req.ids[pos])
                values = logits_of.logprobs(hidden[torch.tensor(rows), torch.tensor(cols)], targets)
                if not np.isfinite(values).all():
                    raise ModelError(self._non_finite("log-probabilities"))
                offset = 0
                for row, req in placed:
                    count = len(req.ids) - req.first_scored
                    seq = values[offset : offset + count]
                    offset += count
                    pooled = None
                    if layer_states is not None and count > n_end:
                        text_states = layer_states[row, req.first_scored : len(req.ids) - n_end]
                        pooled = text_states.float().mean(0).numpy().astype(np.float64)
                        if not np.isfinite(pooled).all():
                            raise ModelError(self._non_finite("hidden states"))
                    states = None
                    if token_states is not None and (states_of is None or req.index in states_of):
                        # a copy: a view would keep the batch's whole layer alive
                        states = np.array(
                            token_states[row, req.first_scored : len(req.ids) - n_end].float().numpy(),
                            dtype=np.float32,
                        )
                        if not np.isfinite(states).all():
                            raise ModelError(self._non_finite("hidden states"))
                    results[req.index] = ScoredText(
                        req.spans,
                        seq[: count - n_end].astype(np.float64),
                        float(seq[count - n_end :].sum()),
                        pooled,
                        states,
                    )
                done += len(placed)
                if self.on_batch is not None:
                    self.on_batch(done, len(requests))
        return [r for r in results if r is not None]

    def continue_text(self, prefix: str, max_new_tokens: int = 8) -> str:
        """Greedy continuation of a prompt (suggestions at flagged spans); the output layer runs only on the
        last position of each step, never on the whole prompt."""
        import torch

        ids = torch.tensor([self._prefix_ids(prefix)])
        produced: list[int] = []
        past = None
        with torch.inference_mode():
            step_ids = ids
            for _ in range(max_new_tokens):
                with warnings.catch_warnings():
                    # transformers 5.x renames past_key_values to cache for some models, not all
                    warnings.simplefilter("ignore", FutureWarning)
                    out = self.model.base_model(input_ids=step_ids, past_key_values=past, use_cache=True)
                past = out.past_key_values
                chosen = self._output_layer().greedy(out.last_hidden_state[:, -1])
                if chosen is None:
                    raise ModelError(self._non_finite("logits"))
                token = int(chosen[0])
                if token == self.tokenizer.eos_token_id or token in self._end_ids:
                    break
                produced.append(token)
                step_ids = torch.tensor([[token]])
        text: str = self.tokenizer.decode(produced, skip_special_tokens=True)
        return text

    def _output_layer(self) -> _OutputLayer:
        if self._head is None:
            self._head = _OutputLayer(self.model)
        return self._head

    def forget_states(self) -> None:
        """Drop the key/value states kept from the last `score` call."""
        self._kept = []
        self._kept_bytes = 0

    def _keep(self, past: Any, row: int, ids: list[int]) -> None:
        size = len(ids) * sum(
            layer.keys[row, :, :1].numel() * 2 * layer.keys.element_size() for layer in past.layers
        )
        if self._kept_bytes + size > _KEPT_BYTES:
            return
        self._kept_bytes += size
        states = [
            (layer.keys[row, :, : len(ids)].clone(), layer.values[row, :, : len(ids)].clone())
            for layer in past.layers
        ]
        self._kept.append((ids, states))

    def _kept_context(self, ids: list[int]) -> list[tuple[Any, Any]] | None:
        """The kept states of ids[:-1], when a scored sequence began with ids."""
        for kept_ids, states in self._kept:
            if len(kept_ids) >= len(ids) and kept_ids[: len(ids)] == ids:
                return [(k[:, : len(ids) - 1], v[:, : len(ids) - 1]) for k, v in states]
        return None

    def continue_texts(
        self, prefixes: list[str], max_new_tokens: int = 8, *, batch_size: int = 16
    ) -> list[str]:
        """Greedy continuations of many prompts in a few batched passes: prompts sorted by length and
        left-padded (position ids follow each prompt's own tokens), one prefill per batch, then one step per
        new token for the whole batch with the KV cache; the output layer runs on the last position only.
        A prompt whose tokens begin a sequence the last `score` call ran (a suggestion's prompt is the
        source prompt and the target up to the flag) starts from that pass's kept key/value states instead
        of a prefill. Equal prompts are generated once. Gives what `continue_text` gives for each prompt
        alone."""
        import torch

        unique = list(dict.fromkeys(prefixes))
        encoded = {p: self._prefix_ids(p) for p in unique}
        window = getattr(self.model.config, "sliding_window", None) or math.inf
        contexts = {
            p: self._kept_context(ids) if len(ids) > 1 and len(ids) + max_new_tokens < window else None
            for p, ids in encoded.items()
        }
        produced: dict[str, list[int]] = {}
        kept = sorted((p for p in unique if contexts[p] is not None), key=lambda p: len(encoded[p]))
        fresh = sorted((p for p in unique if contexts[p] is None), key=lambda p: len(encoded[p]))
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            for group in (kept, fresh):
                for b in range(0, len(group), batch_size):
                    batch = group[b : b + batch_size]
                    start = self._from_kept(batch, encoded, contexts) if group is kept else None
                    tokens = self._greedy(start or _prefill(batch, encoded, self.pad_id), max_new_tokens)
                    produced.update(zip(batch, tokens, strict=True))
        return [str(self.tokenizer.decode(produced[p], skip_special_tokens=True)) for p in prefixes]

    def _from_kept(
        self, batch: list[str], encoded: dict[str, list[int]], contexts: dict[str, Any]
    ) -> tuple[Any, Any, Any, Any]:
        """A left-padded cache of the batch's kept states of all but each prompt's last token, which is
        the first step's input."""
        import torch
        from transformers import DynamicCache

        lengths = [len(encoded[p]) - 1 for p in batch]
        longest = max(lengths)
        past = DynamicCache(config=self.model.config)
        first = contexts[batch[0]]
        for layer, (k0, v0) in enumerate(first):
            keys = k0.new_zeros((len(batch), k0.shape[0], longest, k0.shape[2]))
            values = v0.new_zeros((len(batch), v0.shape[0], longest, v0.shape[2]))
            for row, p in enumerate(batch):
                k, v = contexts[p][layer]
                keys[row, :, longest - lengths[row] :] = k
                values[row, :, longest - lengths[row] :] = v
            past.update(keys, values, layer)
        mask = torch.zeros((len(batch), longest + 1), dtype=torch.long)
        for row, length in enumerate(lengths):
            mask[row, longest - length :] = 1
        step_ids = torch.tensor([[encoded[p][-1]] for p in batch])
        positions = torch.tensor([[length] for length in lengths])
        return step_ids, mask, positions, past

    def _greedy(self, start: tuple[Any, Any, Any, Any], max_new_tokens: int) -> list[list[int]]:
        import torch

        step_ids, mask, positions, past = start
        stop = {*self._end_ids, self.tokenizer.eos_token_id}
        tokens: list[list[int]] = [[] for _ in range(len(step_ids))]
        done = [False] * len(step_ids)
        head = self._output_layer()
        for _ in range(max_new_tokens):
            out = self.model.base_model(
                input_ids=step_ids,
                attention_mask=mask,
                position_ids=positions,
                past_key_values=past,
                use_cache=True,
            )
            past = out.past_key_values
            chosen = head.greedy(out.last_hidden_state[:, -1])
            if chosen is None:
                raise ModelError(self._non_finite("logits"))
            for row, token in enumerate(chosen.tolist()):
                if done[row]:
                    continue
                if token in stop:
                    done[row] = True
                else:
                    tokens[row].append(token)
            if all(done):
                break
            step_ids = chosen[:, None]
            mask = torch.cat([mask, torch.ones((len(step_ids), 1), dtype=torch.long)], dim=1)
            positions = positions[:, -1:] + 1
        return tokens


def _prefill(batch: list[str], encoded: dict[str, list[int]], pad_id: int) -> tuple[Any, Any, Any, Any]:
    """The first step of a batch without kept states: the whole left-padded prompts."""
    import torch

    longest = max(len(encoded[p]) for p in batch)
    input_ids = torch.full((len(batch), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(batch), longest), dtype=torch.long)
    for row, p in enumerate(batch):
        ids = encoded[p]
        input_ids[row, longest - len(ids) :] = torch.tensor(ids)
        mask[row, longest - len(ids) :] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return input_ids, mask, positions, None


def _hosts(requests: list[_Request]) -> dict[int, list[_Request]]:
    """The requests to run (by index), each with the requests whose ids are a prefix of its own. In
    lexicographic order a prefix sorts before its extensions and everything between them shares it, so each
    request needs comparing with the nearest host after it only."""
    riders: dict[int, list[_Request]] = {}
    host: _Request | None = None
    for req in sorted(requests, key=lambda r: r.ids, reverse=True):
        if host is not None and host.ids[: len(req.ids)] == req.ids:
            riders[host.index].append(req)
        else:
            host = req
            riders[req.index] = []
    return riders


class _OutputLayer:
    """The output layer at picked positions only: log p(target), and the argmax for greedy decoding.

    log p is taken _POSITION_CHUNK positions at a time, each against the vocabulary _VOCAB_CHUNK rows at a
    time with a running log-sum-exp: the chunk's logits stay in cache through the max, exp and sum passes,
    where a full 512 x 262k block (0.5 GB) went out to memory and back for each pass. Each logit is the same
    dot product as in one big product (the target's is read off its chunk)."""

    def __init__(self, model: Any) -> None:
        self.head = model.get_output_embeddings()
        self.softcap = getattr(model.config, "final_logit_softcapping", None)
        self.buffer: Any = None

    def _logits(self, rows: Any, start: int, stop: int, out: Any | None = None) -> Any:
        import torch

        weight, bias = self.head.weight[start:stop], getattr(self.head, "bias", None)
        if weight.dtype == torch.float32 and out is not None:
            logits = torch.mm(rows, weight.t(), out=out)
        else:
            logits = torch.nn.functional.linear(rows, weight).float()
        if bias is not None:
            logits.add_(bias[start:stop].float())
        if self.softcap:
            logits.div_(self.softcap).tanh_().mul_(self.softcap)
        return logits

    def logprobs(self, picked: Any, targets: list[int]) -> np.ndarray:
        import torch

        vocab = self.head.weight.shape[0]
        target_ids = torch.tensor(targets)
        out = torch.empty(len(targets))
        for c in range(0, len(targets), _POSITION_CHUNK):
            rows = picked[c : c + _POSITION_CHUNK]
            wanted = target_ids[c : c + _POSITION_CHUNK]
            if self.buffer is None or self.buffer.shape[0] < len(rows):
                self.buffer = torch.empty((min(_POSITION_CHUNK, len(targets)), min(_VOCAB_CHUNK, vocab)))
            top = torch.full((len(rows),), -math.inf)
            total = torch.zeros(len(rows))
            chosen = torch.empty(len(rows))
            for v in range(0, vocab, _VOCAB_CHUNK):
                stop = min(vocab, v + _VOCAB_CHUNK)
                logits = self._logits(rows, v, stop, self.buffer[: len(rows), : stop - v])
                here = ((wanted >= v) & (wanted < stop)).nonzero().squeeze(1)
                chosen[here] = logits[here, wanted[here] - v]
                new_top = torch.maximum(top, logits.amax(-1))
                total.mul_((top - new_top).exp_())
                total.add_(logits.sub_(new_top[:, None]).exp_().sum(-1))
                top = new_top
            out[c : c + _POSITION_CHUNK] = chosen - (total.log_() + top)
        values: np.ndarray = out.numpy()
        return values

    def greedy(self, last: Any) -> Any:
        """The likeliest next token for each row of last-position hidden states. The vocabulary-major
        product (262k x 640 times 640 x rows) runs 2x faster than the row-major one at a few rows: each
        decoding step is one pass over the 0.7 GB of output weights."""
        import torch

        weight, bias = self.head.weight, getattr(self.head, "bias", None)
        logits = (weight @ last.to(weight.dtype).t()).t().float()
        if bias is not None:
            logits.add_(bias.float())
        if not torch.isfinite(logits).all():
            return None
        return logits.argmax(-1)  # a softcap (tanh) keeps the order


def _hash_weights(folder: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(list(folder.glob("*.safetensors")) + list(folder.glob("*.bin")))
    for path in files:
        digest.update(cache.sha256_of(path).encode())
    return digest.hexdigest()


DTYPES = ("auto", "float32", "bfloat16")


def _cpu_has_bf16() -> bool:
    """Whether the CPU multiplies bfloat16 natively (AVX512-BF16 or AMX): there bf16 weights run about 1.7x
    faster than float32 (benchmarks/speed.py) and move scores by ~0.01 nats per token on average."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "avx512_bf16" in flags or "amx_bf16" in flags


def resolve_dtype(requested: str | None = None) -> str:
    """float32 or bfloat16: the argument, else $AUDITOR_DTYPE, else auto (bf16 where the hardware has it)."""
    import torch

    choice = (requested or os.environ.get("AUDITOR_DTYPE") or "auto").lower()
    if choice not in DTYPES:
        raise ModelError(f"unknown dtype {choice!r}: use one of {', '.join(DTYPES)}")
    if choice != "auto":
        return choice
    if torch.cuda.is_available():
        return "bfloat16" if torch.cuda.is_bf16_supported() else "float32"
    return "bfloat16" if _cpu_has_bf16() else "float32"


def _load_checkpoint(
    location: str | Path, manifest: Manifest, identity: str, dtype: str | None
) -> LanguageModel:
    cache.quiet_transformers()
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    chosen = resolve_dtype(dtype)
    try:
        tokenizer = AutoTokenizer.from_pretrained(location)
        model = AutoModelForCausalLM.from_pretrained(location, dtype=getattr(torch, chosen))
    except MemoryError:
        raise
    except Exception as error:  # safetensors, tokenizers and torch raise their own types on a bad file
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        fix = f": run `auditor models prepare {manifest.name} --force`" if manifest.package else ""
        raise ModelError(f"cannot load model {manifest.name!r}: {first}{fix}") from None
    model.eval()
    torch.set_num_threads(fit_threads(torch.get_num_threads()))
    return LanguageModel(model, tokenizer, manifest, identity, chosen)


def fit_threads(current: int) -> int:
    """The intra-op threads to score with: `current` (torch's, or the caller's), fewer where other work
    already keeps the cores busy (1-minute load average), and untouched where $OMP_NUM_THREADS says.

    Every parallel region waits for its slowest thread, and on an oversubscribed machine a thread waits for
    a time slice: with 2 threads on 2 cores at load ~8, each of the decoding steps' small matrix products
    took ~42 ms instead of well under 1, and a Bio-MQM document's audit took 3x as long as with 1 thread
    (the --speed driver of benchmarks/spans.py, one document, 2026-12-01)."""
    if os.environ.get("OMP_NUM_THREADS"):
        return current
    try:
        cores = len(os.sched_getaffinity(0))
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):
        return current
    return max(1, min(current, round(cores - busy)))


def resolve(name_or_path: str | None) -> Manifest:
    name = name_or_path or DEFAULT_MODEL
    return find_manifest(name) or ad_hoc_manifest(name)


def load_model(
    name_or_path: str | None = None, *, prepare_missing: bool = True, dtype: str | None = None
) -> LanguageModel:
    """A manifest name (prepared into the cache on first use), a local checkpoint folder, or a hub id.

    `dtype`: float32, bfloat16 or auto (the default, or $AUDITOR_DTYPE): bfloat16 where the hardware
    multiplies it natively, float32 elsewhere. The choice is part of every report's signature."""
    manifest = resolve(name_or_path)
    if manifest.package:
        if not cache.is_prepared(manifest):
            if not prepare_missing:
                raise ModelError(f"model {manifest.name!r} is not prepared: run `auditor models prepare`")
            print(f"preparing model {manifest.name} (once)…", file=sys.stderr)
            cache.prepare(manifest)
        folder = cache.check_prepared(manifest)
        return _load_checkpoint(folder, manifest, manifest.sha256 or "", dtype)
    location = manifest.hub_id or manifest.name
    local = Path(location).expanduser()
    if local.is_dir():
        return _load_checkpoint(local, manifest, _hash_weights(local), dtype)
    if local.exists():
        raise ModelError(f"{location} is a file; give the folder of a Hugging Face checkpoint")
    return _load_checkpoint(location, manifest, manifest.sha256 or f"hub:{location}", dtype)
