"""Reference metrics: corpus BLEU/chrF/TER summed a document at a time equal sacreBLEU's over the corpus."""

from __future__ import annotations

from sacrebleu.metrics import BLEU, CHRF, TER

from auditor.scoring.reference import CorpusStatistics, reference_segments

DOCUMENTS = [
    (
        "The workers went on strike.\nThey want more pay.\n",
        "The workers are on strike.\nThey want higher wages.\n",
    ),
    ("A storm is coming tonight.", "A storm will hit tonight.\nStay indoors.\n"),  # lines differ: one segment
    ("", "Nothing was translated.\n"),
    ("The museum opens on Monday .\n", "The museum opens on Monday.\n"),
    ("Prices rose by 3 % in May.\nRents too.\n", "Prices rose 3% in May.\nSo did rents.\n"),
]


def _sacrebleu(documents: list[tuple[str, str]], lang: str | None) -> dict[str, float]:
    hyps: list[str] = []
    refs: list[str] = []
    for hypothesis, reference in documents:
        h, r = reference_segments(hypothesis, reference)
        hyps += h
        refs += r
    metrics = {"BLEU": BLEU(trg_lang=lang or ""), "chrF": CHRF(), "TER": TER()}
    return {name: round(float(m.corpus_score(hyps, [refs]).score), 2) for name, m in metrics.items()}


def test_summed_statistics_give_sacrebleus_corpus_scores():
    stats = CorpusStatistics()
    for hypothesis, reference in DOCUMENTS:
        stats.add(hypothesis, reference, "en")
    scores = stats.scores()
    assert scores is not None
    assert {k: scores[k] for k in ("BLEU", "chrF", "TER")} == _sacrebleu(DOCUMENTS, "en")
    assert scores["signature"].startswith("BLEU nrefs:1|case:mixed|eff:no|tok:13a")


def test_the_corpus_language_decides_the_bleu_tokenizer():
    chinese = [("工人们在罢工。", "工人在罢工。"), ("他们要求加薪。", "他们想要更高的工资。")]
    alone = CorpusStatistics()
    for hypothesis, reference in chinese:
        alone.add(hypothesis, reference, "zh")
    scores = alone.scores()
    assert scores is not None and "tok:zh" in scores["signature"]
    assert scores["BLEU"] == _sacrebleu(chinese, "zh")["BLEU"] != _sacrebleu(chinese, None)["BLEU"]
    mixed = CorpusStatistics()
    for hypothesis, reference in chinese:
        mixed.add(hypothesis, reference, "zh")
    mixed.add_language("en")  # a document without a reference, in another language
    scores = mixed.scores()
    assert scores is not None and "tok:13a" in scores["signature"]
    assert scores["BLEU"] == _sacrebleu(chinese, None)["BLEU"]
    assert CorpusStatistics().scores() is None
