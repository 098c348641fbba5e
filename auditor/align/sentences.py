"""Sentence alignment: banded dynamic programming over n-m link types.

The cost of a link adds up, in nats-like units:
- a prior on its type (1-1 cheap, 2-1 dearer, 1-0 dearest per sentence);
- a Gale-Church length term: how unlikely the target length is given the source length. The expected ratio is
  first the two documents' ratio, then (`ratio_passes`) the ratio over the first pass's 1-1 links, and the
  alignment is searched again: an abridged translation makes the documents' ratio pull dropped sentences into
  their neighbours' links;
- anchor evidence (numbers, names, cognates, quotes and punctuation shared by both sides, and words with their
  lexicon translations; see anchors.py);
- the similarity of the two sides' sentence vectors: lexical vectors from the shipped translation table
  (lexvec.py: how much of each side has a likely translation on the other), and, when given, the language
  model's sentence embeddings (embed.py) beside them; a run of sentences is the length-weighted sum of its
  rows, and the cosine is standardised against random pairs of the same documents, so that its scale does not
  depend on the evidence;
- with a sentence encoder (auditor/encoder), the cosine of the link's two sides, each side's sentences joined
  into one text as Bertalign does (runs of more than three sentences sum the rows of their parts), weighted by
  the link's size so that one 2-2 link can beat the two 1-1 links it would be cut into; and, for each edge
  sentence of a multi-sentence side, a charge when the link is about as similar without it (a sentence the
  other side leaves out, which a null link should take rather than its neighbour's link);
- a penalty for a link whose side spans a paragraph break, when paragraphs are known.

Leaving a sentence out (a 1-0 or 0-1 link) costs a flat `skip`, or, with an encoder, a cost that follows the
encoder's evidence: high for a sentence that resembles something on the other side in the corridor, low
(down to `skip_floor`) for one that resembles nothing there, so an untranslated passage becomes a null link
instead of joining a neighbour's link.

The search is banded: it first runs in a corridor around the diagonal, then re-runs in a corridor around the
path it found, widening it whenever the path comes near its edge, so time and memory grow linearly with the
document's length (times the corridor's width), and a whole novel fits.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from auditor.align import anchors
from auditor.align.lexicon import load_lexicon
from auditor.align.lexvec import DEFAULT_WEIGHTS, LexicalWeights, lexical_vectors
from auditor.document import Segment, SentenceLink

Embedder = Callable[[list[str], str | None], np.ndarray]
"""Texts and their language -> one row per text (any width); rows need not be normalised."""


@dataclass(frozen=True)
class Evidence:
    """Precomputed model evidence: one embedding row per source and per target segment."""

    source: np.ndarray
    target: np.ndarray


Similarity = Embedder | Evidence | None

Encoder = Callable[[list[str]], np.ndarray]
"""A cross-lingual sentence encoder (auditor.encoder.SentenceEncoder.encode): texts -> unit rows."""


@dataclass(frozen=True)
class AlignParams:
    """The aligner's knobs. Defaults were set on TransRead dev novels (see benchmarks/align_sentences.py)."""

    link_types: tuple[tuple[int, int], ...] = (
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 2),
        (1, 3),
        (3, 1),
        (2, 3),
        (3, 2),
        (1, 4),
        (4, 1),
        (2, 4),
        (4, 2),
        (3, 4),
        (4, 3),
        (2, 5),
        (5, 2),
    )
    # -log prior of each link type (per link); 1-0 and 0-1 cost `skip` per sentence instead.
    prior: dict[tuple[int, int], float] = field(
        default_factory=lambda: {
            (1, 1): 0.0,
            (1, 2): 1.0,
            (2, 1): 1.0,
            (2, 2): 2.0,
            (1, 3): 2.4,
            (3, 1): 2.4,
            (2, 3): 3.5,
            (3, 2): 3.5,
            (1, 4): 3.5,
            (4, 1): 3.5,
            # a free translation regroups whole passages (TransRead's Emma has 2-4, 3-4 and 2-5 links)
            (2, 4): 3.6,
            (4, 2): 3.6,
            (3, 4): 4.0,
            (4, 3): 4.0,
            (2, 5): 4.4,
            (5, 2): 4.4,
        }
    )
    skip: float = 3.2
    length_weight: float = 1.0
    length_variance: float = 6.8  # Gale & Church's s^2, per character
    anchor_weight: float = 4.0
    # a multi-sentence side where one sentence has no anchor in common with the other side pays for it
    unmatched_weight: float = 0.5
    # weight of the sentence-vector similarity (lexical vectors and, when given, the model's embeddings)
    embed_weight: float = 2.0
    paragraph_penalty: float = 3.0  # a link whose side spans a paragraph break
    lexicon_keys: bool = True  # words and their translations from models/lexicon, when the pair has one
    # lexical sentence vectors (lexvec.py) from the same table; None leaves them out
    lexical: LexicalWeights | None = DEFAULT_WEIGHTS
    model_weight: float = 1.0  # the model's embeddings beside the lexical vectors (relative block weight)
    # the sentence encoder's cosine between a link's two sides, each side's sentences joined into one text
    # (as Bertalign does); the term is -encoder_weight * size * (cosine - encoder_pivot)
    encoder_weight: float = 20.0
    encoder_pivot: float = 0.2
    # the term grows with the link's size, ((a + b) / 2) ** encoder_size_power: without it two 1-1 links earn
    # twice what one 2-2 link over the same sentences does, so a regrouped passage is always cut up
    encoder_size_power: float = 0.5
    encoder_floor: float = 0.35  # cosines below this count as this (a loose verse translation is still 1-1)
    # an edge sentence of a multi-sentence side that adds under member_margin to the link's cosine (the link
    # without it is about as similar) pays member_weight per unit short: it is more likely a sentence left out
    # (TransRead's Emma, an abridged translation, leaves English sentences beside their neighbours' links)
    member_weight: float = 20.0
    member_margin: float = 0.03
    # runs up to this many sentences are encoded as one text; a longer run is the sum of its first
    # encoder_max_run sentences' row and the rest's (encoding cost grows with the text's length)
    encoder_max_run: int = 3
    # with an encoder, leaving a sentence unaligned costs encoder_skip + skip_slope * (best - skip_pivot), floored at
    # skip_floor, where best is its highest cosine with the other side's sentences (and pairs of them) in
    # the search corridor: a sentence nothing resembles is cheap to leave out
    encoder_skip: float = 5.0
    skip_slope: float = 12.0
    skip_pivot: float = 0.4
    skip_floor: float = 2.5
    # a sentence's cosine with a sentence of the other side counts skip_rival times less what a neighbour of it
    # (on its own side) has more with that sentence: the neighbour is that sentence's translation, and a
    # sentence beside a translated one that matches only the same text is more likely one the translation left
    # out (TransRead's Emma: "He will be able to tell her how we all are ." before the sentence translated)
    skip_rival: float = 0.5
    merge_nulls: bool = True
    ratio_passes: int = 1  # re-align with the length ratio measured on the previous pass's 1-1 links


DEFAULT_PARAMS = AlignParams()
MAX_BAND_CELLS = 4_000_000  # the corridor stops widening here: 1,777 sentences (TransRead's Alice) may
# still reach the whole matrix, a 1 MB line of 6,000 sentences a corridor of 330 on each side


def align_sentences(
    source_segments: list[Segment],
    target_segments: list[Segment],
    *,
    similarity: Similarity = None,
    encoder: Encoder | None = None,
    band: int = 30,
    params: AlignParams = DEFAULT_PARAMS,
    source_lang: str | None = None,
    target_lang: str | None = None,
) -> list[SentenceLink]:
    """Links covering every source and target segment once, in document order.

    `similarity` is model evidence: an `Evidence` of precomputed embeddings, or an embedder called with
    each side's texts (and its language), or None for length and anchors only. `encoder` is a cross-lingual
    sentence encoder (auditor.encoder): it scores each candidate link and sets the cost of leaving a
    sentence out. `band` is the corridor's
    starting half-width in sentences; it widens where the alignment needs it.
    """
    src_texts = [s.text for s in source_segments]
    tgt_texts = [t.text for t in target_segments]
    return align_texts(
        src_texts,
        tgt_texts,
        similarity=similarity,
        encoder=encoder,
        band=band,
        params=params,
        source_lang=source_lang or (source_segments[0].lang if source_segments else None),
        target_lang=target_lang or (target_segments[0].lang if target_segments else None),
        source_paragraphs=[s.paragraph for s in source_segments],
        target_paragraphs=[t.paragraph for t in target_segments],
    )


def align_texts(
    source: Sequence[str],
    target: Sequence[str],
    *,
    similarity: Similarity = None,
    encoder: Encoder | None = None,
    band: int = 30,
    params: AlignParams = DEFAULT_PARAMS,
    source_lang: str | None = None,
    target_lang: str | None = None,
    source_paragraphs: Sequence[int] | None = None,
    target_paragraphs: Sequence[int] | None = None,
) -> list[SentenceLink]:
    """`align_sentences` on plain strings (indices are list positions; paragraphs, if given, per string)."""
    n, m = len(source), len(target)
    if n == 0 or m == 0:
        return [SentenceLink((i,), ()) for i in range(n)] + [SentenceLink((), (j,)) for j in range(m)]
    scorer = _Scorer(source, target, similarity, params, source_lang, target_lang)
    if encoder is not None and params.encoder_weight:
        scorer.set_encoder(encoder, source, target)
    scorer.src_par = list(source_paragraphs) if source_paragraphs is not None else None
    scorer.tgt_par = np.asarray(target_paragraphs) if target_paragraphs is not None else None
    path = _banded_path(scorer, params, [(i * m / n, i * m / n) for i in range(n + 1)], m, band)
    for _ in range(params.ratio_passes):
        ratio = _one_to_one_ratio(path, scorer)
        if ratio is None or abs(ratio - scorer.ratio) < 0.01 * scorer.ratio:
            break
        scorer.ratio = ratio
        path = _banded_path(scorer, params, _path_rows(path, n), m, band)
    links = _links(path, scorer)
    return _merge_nulls(links) if params.merge_nulls else links


def _banded_path(
    scorer: _Scorer, params: AlignParams, centre: list[tuple[float, float]], m: int, band: int
) -> list[tuple[int, int]]:
    """The best path in a corridor around `centre` (per source row, a range of target columns) that starts
    `band` wide on each side and doubles while the path hugs an edge, up to MAX_BAND_CELLS cells in all
    (so that a huge or self-repeating document costs time linear in its length)."""
    n = len(centre) - 1
    width = max(band, 4)
    while True:
        windows = _windows(centre, width, m)
        path = _search(scorer, windows, params)
        if not _touches_edge(path, windows, m) or width >= max(n, m) or 4 * width * (n + 1) > MAX_BAND_CELLS:
            return path
        width *= 2
        centre = _path_rows(path, n)


def _one_to_one_ratio(path: list[tuple[int, int]], scorer: _Scorer) -> float | None:
    """Target/source length ratio over the path's 1-1 links (None when it has too few).

    The two documents' overall ratio overstates it when one side has material the other dropped (an abridged
    translation), and the length term then pulls the dropped sentences into their neighbours' links.
    """
    src = tgt = count = 0
    for (pi, pj), (i, j) in itertools.pairwise(path):
        if i - pi == 1 and j - pj == 1:
            src += scorer.src_len[pi]
            tgt += scorer.tgt_len[pj]
            count += 1
    return tgt / src if count >= 10 else None


def _windows(centre: list[tuple[float, float]], width: int, m: int) -> list[tuple[int, int]]:
    return [(max(0, int(lo) - width), min(m, math.ceil(hi) + width)) for lo, hi in centre]


def _path_rows(path: list[tuple[int, int]], n: int) -> list[tuple[float, float]]:
    """For each source row, the range of target columns the path visits there (or passes between)."""
    rows: list[list[float]] = [[math.inf, -math.inf] for _ in range(n + 1)]
    for (pi, pj), (i, j) in itertools.pairwise(path):
        for r in range(pi, i + 1):
            rows[r][0] = min(rows[r][0], pj)
            rows[r][1] = max(rows[r][1], j)
    return [(lo, hi) for lo, hi in rows]


def _touches_edge(path: list[tuple[int, int]], windows: list[tuple[int, int]], m: int) -> bool:
    margin = 3
    for i, j in path:
        lo, hi = windows[i]
        if (lo > 0 and j - lo < margin) or (hi < m and hi - j < margin):
            return True
    return False


class _Scorer:
    """Per-link costs, with the per-sentence evidence computed once."""

    def __init__(
        self,
        source: Sequence[str],
        target: Sequence[str],
        similarity: Similarity,
        params: AlignParams,
        source_lang: str | None,
        target_lang: str | None,
    ) -> None:
        self.params = params
        self.src_len = [max(1, len(s)) for s in source]
        self.tgt_len = [max(1, len(t)) for t in target]
        self.ratio = sum(self.tgt_len) / sum(self.src_len)
        self.src_bags = [anchors.keys(s) for s in source]
        self.tgt_bags = [anchors.keys(t) for t in target]
        lexicon = load_lexicon(source_lang, target_lang)
        if lexicon is not None and params.lexicon_keys:
            for bag, text in zip(self.src_bags, source, strict=True):
                bag.update(anchors.lexical_keys(text, source_lang, lexicon, forward=True))
            for bag, text in zip(self.tgt_bags, target, strict=True):
                bag.update(anchors.lexical_keys(text, target_lang, lexicon, forward=False))
        self.idf = anchors.idf_weights(self.src_bags, self.tgt_bags)
        self.src_weight = [anchors.weight(b, self.idf) for b in self.src_bags]
        self.tgt_weight = np.array([anchors.weight(b, self.idf) for b in self.tgt_bags], dtype=np.float64)
        self.src_cum = list(itertools.accumulate(self.src_len, initial=0))
        self.tgt_cum = np.cumsum([0, *self.tgt_len])
        self.src_weight_cum = list(itertools.accumulate(self.src_weight, initial=0.0))
        self.tgt_weight_cum = np.cumsum([0.0, *self.tgt_weight])
        # per source sentence: (first column, what it shares with each target sentence from there on)
        self._shared_rows: dict[int, tuple[int, np.ndarray]] = {}
        self.src_par: list[int] | None = None
        self.tgt_par: np.ndarray | None = None
        self.src_emb: np.ndarray | None = None
        self.tgt_emb: np.ndarray | None = None
        self.enc_runs: dict[tuple[str, int], np.ndarray] | None = None
        # the cost of leaving each source / target sentence unaligned (set per search when an encoder is given)
        self.src_skip = np.full(len(source), params.skip)
        self.tgt_skip = np.full(len(target), params.skip)
        if params.embed_weight:
            blocks = []
            if lexicon is not None and params.lexical is not None:
                lex_src, lex_tgt = lexical_vectors(
                    source,
                    target,
                    lexicon,
                    source_lang=source_lang,
                    target_lang=target_lang,
                    weights=params.lexical,
                )
                blocks.append((_centred(lex_src), _centred(lex_tgt)))
            if similarity is not None and params.model_weight:
                src_emb, tgt_emb = _model_embeddings(similarity, source, target, source_lang, target_lang)
                blocks.append(
                    (params.model_weight * _centred(src_emb), params.model_weight * _centred(tgt_emb))
                )
            if blocks:
                self._set_embeddings(np.hstack([b[0] for b in blocks]), np.hstack([b[1] for b in blocks]))

    def _set_embeddings(self, src: np.ndarray, tgt: np.ndarray) -> None:
        # Centre each side on its own mean (removes the language direction), then unit-normalise runs.
        src = src - src.mean(axis=0, keepdims=True)
        tgt = tgt - tgt.mean(axis=0, keepdims=True)
        self.src_emb, self.tgt_emb = src, tgt
        rng = np.random.default_rng(0)
        a = rng.integers(0, len(src), size=2000)
        b = rng.integers(0, len(tgt), size=2000)
        sims = np.einsum("ij,ij->i", _unit(src[a]), _unit(tgt[b]))
        self.emb_mean = float(sims.mean())
        self.emb_std = float(sims.std()) or 1.0
        self._runs: dict[tuple[str, int], np.ndarray] = {}

    def set_encoder(self, encoder: Encoder, source: Sequence[str], target: Sequence[str]) -> None:
        """Encoder rows of every run of consecutive sentences each link type needs, on both sides."""
        sizes = {"s": {a for a, _ in self.params.link_types}, "t": {b for _, b in self.params.link_types}}
        for side in sizes:  # a link without one edge sentence (the member charge)
            sizes[side] |= {size - 1 for size in sizes[side] if size > 1}
        longest = max(1, self.params.encoder_max_run)
        texts: list[str] = []
        spans: list[tuple[str, int, int, int]] = []
        for side, sentences in (("s", source), ("t", target)):
            for size in sorted({s for s in sizes[side] if s <= longest} | {1, 2}):
                runs = [" ".join(sentences[k : k + size]) for k in range(len(sentences) - size + 1)]
                spans.append((side, size, len(texts), len(texts) + len(runs)))
                texts.extend(runs)
        rows = np.asarray(encoder(texts), dtype=np.float32)
        self.enc_runs = {(side, size): rows[lo:hi] for side, size, lo, hi in spans}
        for side in ("s", "t"):
            for size in sorted(s for s in sizes[side] if s > longest):
                head, rest = self.enc_runs[(side, longest)], self.enc_runs[(side, size - longest)]
                count = len(head) - (size - longest)
                self.enc_runs[(side, size)] = _unit(head[:count] + rest[longest : longest + count])

    def encoder_runs(self, side: str, size: int) -> np.ndarray:
        assert self.enc_runs is not None
        return self.enc_runs[(side, size)]

    def set_skip_costs(self, windows: list[tuple[int, int]]) -> None:
        """Each sentence's skip cost from its best encoder cosine with the other side inside the corridor."""
        if self.enc_runs is None:
            return
        p = self.params
        s1, s2 = self.encoder_runs("s", 1), self.encoder_runs("s", 2)
        t1, t2 = self.encoder_runs("t", 1), self.encoder_runs("t", 2)
        n, m = len(s1), len(t1)
        src_best = np.full(n, -1.0)
        tgt_best = np.full(m, -1.0)
        rival = p.skip_rival
        for x in range(n):
            lo, hi = windows[x][0], min(m, windows[x + 1][1])
            if hi <= lo:
                continue
            pairs = t2[lo : min(hi, m - 1)] @ s1[x]
            # cosines of x with target sentences lo-1..hi (the neighbours of the window's edges), -1 outside
            cols = np.full(hi - lo + 2, -1.0)
            cols[max(0, 1 - lo) : hi - lo + 1 + (hi < m)] = t1[max(0, lo - 1) : min(m, hi + 1)] @ s1[x]
            single = cols[1:-1]
            near = [t1[lo:hi] @ s1[k] for k in (x - 1, x + 1) if 0 <= k < n]
            src_single = single
            if rival and near:
                src_single = single - rival * np.maximum(0.0, np.max(near, axis=0) - single)
            src_best[x] = max(float(src_single.max()), float(pairs.max(initial=-1.0)))
            seen = single
            if rival:
                seen = single - rival * np.maximum(0.0, np.maximum(cols[:-2], cols[2:]) - single)
            if x + 1 < n:
                seen = np.maximum(seen, t1[lo:hi] @ s2[x])
            tgt_best[lo:hi] = np.maximum(tgt_best[lo:hi], seen)
        self.src_skip = np.maximum(p.skip_floor, p.encoder_skip + p.skip_slope * (src_best - p.skip_pivot))
        self.tgt_skip = np.maximum(p.skip_floor, p.encoder_skip + p.skip_slope * (tgt_best - p.skip_pivot))

    def run_embeddings(self, side: str, size: int) -> np.ndarray:
        """Unit vectors of every run of `size` consecutive sentences (row k = sentences k..k+size-1)."""
        cached = self._runs.get((side, size))
        if cached is None:
            emb = self.src_emb if side == "s" else self.tgt_emb
            lengths = np.asarray(self.src_len if side == "s" else self.tgt_len, dtype=np.float32)
            assert emb is not None
            weighted = emb * lengths[:, None]
            csum = np.concatenate([np.zeros((1, emb.shape[1]), np.float32), np.cumsum(weighted, axis=0)])
            cached = _unit(csum[size:] - csum[:-size])
            self._runs[(side, size)] = cached
        return cached

    def shared_row(self, x: int, start: int, stop: int) -> np.ndarray:
        """Anchor weight source sentence x shares with each target sentence start..stop-1 (cached, widened
        on demand: the search asks for overlapping ranges of the same row from several rows of its grid)."""
        first, values = self._shared_rows.get(x, (start, np.zeros(0)))
        last = first + len(values)
        if start < first or stop > last:

            def compute(lo: int, hi: int) -> np.ndarray:
                bag = self.src_bags[x]
                return np.array([anchors.shared(bag, self.tgt_bags[y], self.idf) for y in range(lo, hi)])

            values = np.concatenate([compute(start, first), values, compute(last, stop)])
            first = min(start, first)
            self._shared_rows[x] = (first, values)
        return values[start - first : stop - first]

    def skip_cost(self, side: str, index: int) -> float:
        """Cost of leaving source (side "s") or target sentence `index` unaligned."""
        return float((self.src_skip if side == "s" else self.tgt_skip)[index])

    def length_costs(self, src_chars: int, tgt_chars: np.ndarray) -> np.ndarray:
        mean = (src_chars + tgt_chars / self.ratio) / 2
        delta = (tgt_chars - src_chars * self.ratio) / np.sqrt(self.params.length_variance * mean)
        return _neg_log_two_tail(np.abs(delta))

    def link_costs(
        self,
        i: int,
        a: int,
        b: int,
        starts: np.ndarray,
        emb_sim: np.ndarray | None,
        enc_sim: np.ndarray | None = None,
    ) -> np.ndarray:
        """Cost of linking source i..i+a-1 with target j..j+b-1, for each j in `starts` (a, b >= 1)."""
        p = self.params
        ends = starts + b
        cost = np.full(len(starts), p.prior[(a, b)])
        src_chars = self.src_cum[i + a] - self.src_cum[i]
        cost += p.length_weight * self.length_costs(src_chars, self.tgt_cum[ends] - self.tgt_cum[starts])
        if p.anchor_weight and len(starts):
            lo, hi = int(starts[0]), int(ends[-1])
            rows = np.stack([self.shared_row(x, lo, hi) for x in range(i, i + a)])  # a x columns
            src_shares = np.zeros((a, len(starts)))  # what each source sentence shares with each target run
            for t in range(b):
                src_shares += rows[:, starts - lo + t]
            total = src_shares.sum(axis=0)
            denom = (self.src_weight_cum[i + a] - self.src_weight_cum[i]) + (
                self.tgt_weight_cum[ends] - self.tgt_weight_cum[starts]
            )
            has = denom > 0
            safe = np.where(has, denom, 1.0)
            dice = 2 * np.minimum(total, safe / 2) / safe
            anchor = -p.anchor_weight * (dice - 0.15)
            if p.unmatched_weight and (a > 1 or b > 1):
                weakest = np.ones(len(starts))
                if a > 1:
                    for k, x in enumerate(range(i, i + a)):
                        if self.src_weight[x] > 0:
                            weakest = np.minimum(weakest, src_shares[k] / self.src_weight[x])
                if b > 1:
                    column_shares = rows.sum(axis=0)  # what each target sentence shares with the source run
                    for t in range(b):
                        weight = self.tgt_weight[starts + t]
                        share = column_shares[starts - lo + t] / np.where(weight > 0, weight, 1.0)
                        weakest = np.minimum(weakest, np.where(weight > 0, share, 1.0))
                anchor += p.anchor_weight * p.unmatched_weight * np.maximum(0.0, dice - weakest)
            cost += np.where(has, anchor, 0.0)
        if emb_sim is not None:
            cost -= p.embed_weight * (emb_sim.astype(np.float64) - self.emb_mean) / self.emb_std
        if enc_sim is not None:
            value = np.maximum(enc_sim.astype(np.float64), p.encoder_floor)
            size = ((a + b) / 2) ** p.encoder_size_power if p.encoder_size_power else 1.0
            cost -= p.encoder_weight * size * (value - p.encoder_pivot)
            if p.member_weight:
                cost += p.member_weight * self._member_shortfall(i, a, b, starts, enc_sim)
        if a > 1 and self.src_par is not None and self.src_par[i] != self.src_par[i + a - 1]:
            cost += p.paragraph_penalty
        if b > 1 and self.tgt_par is not None:
            cost += p.paragraph_penalty * (self.tgt_par[starts] != self.tgt_par[ends - 1])
        return cost

    def _member_shortfall(
        self, i: int, a: int, b: int, starts: np.ndarray, enc_sim: np.ndarray
    ) -> np.ndarray:
        """Sum over the edge sentences of each multi-sentence side of max(0, margin - what it adds to the
        link's cosine): the first and last sentences are the ones a null link could take instead."""
        margin = self.params.member_margin
        full = enc_sim.astype(np.float64)
        out = np.zeros(len(starts))
        if b > 1:
            src = self.encoder_runs("s", a)[i]
            rest = self.encoder_runs("t", b - 1)
            for shift in (0, 1):  # without the last sentence, without the first
                out += np.maximum(0.0, margin - (full - rest[starts + shift] @ src))
        if a > 1:
            tgt = self.encoder_runs("t", b)[starts]
            rest_s = self.encoder_runs("s", a - 1)
            for shift in (0, 1):
                out += np.maximum(0.0, margin - (full - tgt @ rest_s[i + shift]))
        return out

    def link_cost(self, i: int, j: int, a: int, b: int) -> float:
        """`link_costs` for one link."""
        sims = enc = None
        if self.src_emb is not None:
            sims = np.array([self.run_embeddings("s", a)[i] @ self.run_embeddings("t", b)[j]])
        if self.enc_runs is not None:
            enc = np.array([self.encoder_runs("s", a)[i] @ self.encoder_runs("t", b)[j]])
        return float(self.link_costs(i, a, b, np.array([j]), sims, enc)[0])


def _model_embeddings(
    similarity: Embedder | Evidence,
    source: Sequence[str],
    target: Sequence[str],
    source_lang: str | None,
    target_lang: str | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The model's rows for both sides."""
    if isinstance(similarity, Evidence):
        src, tgt = similarity.source, similarity.target
    else:
        src, tgt = similarity(list(source), source_lang), similarity(list(target), target_lang)
    return np.asarray(src, dtype=np.float32), np.asarray(tgt, dtype=np.float32)


def _centred(x: np.ndarray) -> np.ndarray:
    """Rows minus their mean (mostly "which language is this"), unit-normalised."""
    return _unit(x - x.mean(axis=0, keepdims=True))


def _unit(x: np.ndarray) -> np.ndarray:
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.asarray(x / np.maximum(norm, 1e-8), dtype=np.float32)


_ERFC = np.frompyfunc(math.erfc, 1, 1)


def _neg_log_two_tail(z: np.ndarray) -> np.ndarray:
    """-log P(|N(0,1)| >= z), elementwise, stable for large z."""
    out = np.empty(len(z))
    small = z < 5
    out[small] = -np.log(np.maximum(np.asarray(_ERFC(z[small] / math.sqrt(2)), dtype=np.float64), 1e-300))
    big = z[~small]
    out[~small] = big * big / 2 + np.log(big * math.sqrt(math.pi / 2))
    return out


def _search(scorer: _Scorer, windows: list[tuple[int, int]], params: AlignParams) -> list[tuple[int, int]]:
    """Best path through the corridor: the list of (i, j) grid points it visits, from (0, 0) to (n, m).

    Row by row; within a row every link type is costed for all the row's columns at once.
    """
    n = len(windows) - 1
    inf = math.inf
    cost: list[np.ndarray] = []
    back: list[np.ndarray] = []
    steps = [(0, 1), (1, 0), *list(params.link_types)]
    scorer.set_skip_costs(windows)
    use_emb = scorer.src_emb is not None
    use_enc = scorer.enc_runs is not None
    for i in range(n + 1):
        lo, hi = windows[i]
        width = hi - lo + 1
        # candidates[k]: the cost of reaching (i, j) by step k, for every column j of the row (step 0 below)
        candidates = np.full((len(steps), width), inf)
        if i > 0:
            for k, (a, b) in enumerate(steps[1:], start=1):
                if a > i:
                    continue
                plo, phi = windows[i - a]
                j0, j1 = max(lo, b, plo + b), min(hi, phi + b)  # columns whose step starts inside row i-a
                if j1 < j0:
                    continue
                prev = cost[i - a][j0 - b - plo : j1 - b - plo + 1]
                if b == 0:
                    candidates[k, j0 - lo : j1 - lo + 1] = prev + scorer.src_skip[i - 1]
                    continue
                sims = enc = None
                if use_emb:
                    src_run = scorer.run_embeddings("s", a)[i - a]
                    sims = scorer.run_embeddings("t", b)[j0 - b : j1 - b + 1] @ src_run
                if use_enc:
                    enc = (
                        scorer.encoder_runs("t", b)[j0 - b : j1 - b + 1] @ scorer.encoder_runs("s", a)[i - a]
                    )
                starts = np.arange(j0 - b, j1 - b + 1)
                candidates[k, j0 - lo : j1 - lo + 1] = prev + scorer.link_costs(
                    i - a, a, b, starts, sims, enc
                )
        best_step = candidates[1:].argmin(axis=0) + 1
        best = candidates[best_step, np.arange(width)]
        row = np.empty(width)
        brow = np.empty(width, dtype=np.int64)
        previous = inf
        # step (0, 1) comes from this row's previous column, so it is taken in order; it wins ties, being first
        tgt_skip = scorer.tgt_skip.tolist()
        for c in range(width):
            from_left = previous + tgt_skip[lo + c - 1] if lo + c > 0 else inf
            if i == 0 and lo + c == 0:
                row[c], brow[c] = 0.0, -1
            elif from_left <= best[c] and from_left < inf:
                row[c], brow[c] = from_left, 0
            elif best[c] < inf:
                row[c], brow[c] = best[c], best_step[c]
            else:
                row[c], brow[c] = inf, -1
            previous = row[c]
        cost.append(row)
        back.append(brow)
    path = [(n, windows[n][1])]
    i, j = path[0]
    while i or j:
        k = int(back[i][j - windows[i][0]])
        if k < 0:
            raise RuntimeError("sentence alignment found no path through its corridor")
        a, b = steps[k]
        i, j = i - a, j - b
        path.append((i, j))
    path.reverse()
    return path


def _links(path: list[tuple[int, int]], scorer: _Scorer) -> list[SentenceLink]:
    links = []
    for (pi, pj), (i, j) in itertools.pairwise(path):
        a, b = i - pi, j - pj
        if a and b:
            cost = scorer.link_cost(pi, pj, a, b)
        else:
            cost = scorer.skip_cost("s", pi) if a else scorer.skip_cost("t", pj)
        links.append(SentenceLink(tuple(range(pi, i)), tuple(range(pj, j)), _squash(cost)))
    return links


def _squash(cost: float) -> float:
    """A link's cost mapped into (0, 1) for reports: near 0 = strong evidence, near 1 = none (null links)."""
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, cost)))), 4)


def _merge_nulls(links: list[SentenceLink]) -> list[SentenceLink]:
    """Adjacent links that drop sentences of the same side become one link ([3]:[] + [4]:[] -> [3, 4]:[])."""
    out: list[SentenceLink] = []
    for link in links:
        if out and _same_null_side(out[-1], link):
            prev = out[-1]
            out[-1] = SentenceLink(
                prev.source + link.source, prev.target + link.target, max(prev.cost, link.cost)
            )
        else:
            out.append(link)
    return out


def _same_null_side(a: SentenceLink, b: SentenceLink) -> bool:
    return (not a.target and not b.target) or (not a.source and not b.source)
