"""Reference-based scores with sacreBLEU (BLEU, chrF, TER), per document and for a corpus, with signatures.

A document is compared line by line when it and its reference have the same number of non-empty lines
(the usual case for a feed of segment-aligned text); otherwise as one segment. Document BLEU uses
effective order (short documents would otherwise score 0); corpus BLEU uses sacreBLEU's defaults, its
statistics summed a document at a time (`CorpusStatistics`).
"""

from __future__ import annotations

from typing import Any

METRICS = ("BLEU", "chrF", "TER")


def reference_segments(hypothesis: str, reference: str) -> tuple[list[str], list[str]]:
    hyp_lines = [line.strip() for line in hypothesis.split("\n") if line.strip()]
    ref_lines = [line.strip() for line in reference.split("\n") if line.strip()]
    if len(hyp_lines) == len(ref_lines) and hyp_lines:
        return hyp_lines, ref_lines
    return [" ".join(hyp_lines)], [" ".join(ref_lines)]


def _metrics(target_lang: str | None, *, effective_order: bool) -> dict[str, Any]:
    from sacrebleu.metrics import BLEU, CHRF, TER

    bleu = BLEU(effective_order=effective_order, trg_lang=target_lang or "")
    return {"BLEU": bleu, "chrF": CHRF(), "TER": TER()}


def _score(
    hyps: list[str], refs: list[str], target_lang: str | None, effective_order: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    signatures = []
    for name, metric in _metrics(target_lang, effective_order=effective_order).items():
        out[name] = round(float(metric.corpus_score(hyps, [refs]).score), 2)
        signatures.append(f"{name} {metric.get_signature()}")
    out["signature"] = "; ".join(signatures)
    return out


def document_scores(hypothesis: str, reference: str, target_lang: str | None = None) -> dict[str, Any]:
    """{"BLEU", "chrF", "TER", "signature"} for one document against its reference."""
    hyps, refs = reference_segments(hypothesis, reference)
    return _score(hyps, refs, target_lang, effective_order=True)


class CorpusStatistics:
    """Corpus BLEU/chrF/TER gathered a document at a time, as sacreBLEU's sufficient statistics (n-gram
    matches, lengths, edits) summed as the documents come, so that memory does not grow with the corpus.

    `scores()` equals `corpus_scores` over the same documents, with the target language it would be given:
    the one every added document had, else none. BLEU's tokenizer depends on that language, so BLEU is
    gathered both under each document's language and under none, and the one that applies is read at the end.
    """

    def __init__(self) -> None:
        from sacrebleu.metrics import CHRF, TER

        self.languages: set[str | None] = set()
        self._bleu: dict[str | None, _Summed] = {}
        self._others = {"chrF": _Summed(CHRF()), "TER": _Summed(TER())}

    def add_language(self, target_lang: str | None) -> None:
        """A document without a reference still decides which language the corpus is in."""
        self.languages.add(target_lang)

    def add(self, hypothesis: str, reference: str, target_lang: str | None) -> None:
        from sacrebleu.metrics import BLEU

        self.add_language(target_lang)
        hyps, refs = reference_segments(hypothesis, reference)
        for lang in dict.fromkeys((target_lang, None)):
            if lang not in self._bleu:
                self._bleu[lang] = _Summed(BLEU(effective_order=False, trg_lang=lang or ""))
            self._bleu[lang].add(hyps, refs)
        for summed in self._others.values():
            summed.add(hyps, refs)

    def scores(self) -> dict[str, Any] | None:
        """{"BLEU", "chrF", "TER", "signature"} over every document added with a reference; None if none was."""
        lang = next(iter(self.languages)) if len(self.languages) == 1 else None
        bleu = self._bleu.get(lang)
        if bleu is None or bleu.stats is None:
            return None
        out: dict[str, Any] = {}
        signatures = []
        for name, summed in {"BLEU": bleu, **self._others}.items():
            out[name] = summed.score()
            signatures.append(f"{name} {summed.metric.get_signature()}")
        out["signature"] = "; ".join(signatures)
        return out


class _Summed:
    """One sacreBLEU metric's corpus statistics, summed segment by segment in corpus order (as sacreBLEU
    sums them, so the score is the same to the last digit)."""

    def __init__(self, metric: Any) -> None:
        self.metric = metric
        self.stats: list[Any] | None = None

    def add(self, hyps: list[str], refs: list[str]) -> None:
        for segment in self.metric._extract_corpus_statistics(hyps, [refs]):
            if self.stats is None:
                self.stats = list(segment)
            else:
                self.stats = [total + value for total, value in zip(self.stats, segment, strict=True)]

    def score(self) -> float:
        assert self.stats is not None
        return round(float(self.metric._compute_score_from_stats(self.stats).score), 2)
