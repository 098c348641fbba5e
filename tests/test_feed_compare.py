"""`auditor compare`: paired bootstrap as sacreBLEU computes it, and segment pairing through the source."""

from __future__ import annotations

import numpy as np
from render_support import make_report
from sacrebleu.significance import _compute_p_value, estimate_ci

from auditor.cli.compare_cmd import _verdict, pair_segments, paired_bootstrap


def _scores(seed: int, n: int, shift: float, noise: float) -> tuple[list[float], list[float]]:
    rng = np.random.default_rng(seed)
    a = rng.uniform(40, 90, n)
    b = np.clip(a + shift + rng.normal(0, noise, n), 0, 100)
    return a.tolist(), b.tolist()


def test_bootstrap_matches_sacrebleu_helpers():
    a, b = _scores(1, 80, 2.0, 8.0)
    result = paired_bootstrap(a, b, samples=1000, seed=12345)
    # Recompute with sacreBLEU's own p-value and CI functions over the same resamples.
    idx = np.random.default_rng(12345).choice(len(a), size=(1000, len(a)), replace=True)
    means_a, means_b = np.asarray(a)[idx].mean(axis=1), np.asarray(b)[idx].mean(axis=1)
    diffs = np.abs(means_b - means_a)
    expected_p = _compute_p_value(diffs - diffs.mean(), abs(float(np.mean(b) - np.mean(a))))
    assert result.p_value == expected_p
    assert result.mean_b == np.mean(b) and result.mean_a == np.mean(a)
    assert abs(result.ci_b - float(estimate_ci(means_b)[1])) < 1e-9
    assert result.ci_low < result.delta < result.ci_high


def test_clear_difference_is_significant_and_noise_is_not():
    a, b = _scores(2, 60, 10.0, 5.0)
    better = paired_bootstrap(a, b)
    assert better.p_value < 0.01 and better.delta > 9
    assert _verdict(better).startswith("B is better")
    worse = paired_bootstrap(b, a)
    assert _verdict(worse).startswith("A is better")
    a, b = _scores(3, 60, 0.0, 5.0)
    noise = paired_bootstrap(a, b)
    assert noise.p_value > 0.05
    assert _verdict(noise).startswith("no significant difference")
    assert noise.ci_low < 0 < noise.ci_high


def test_identical_translations_are_not_different():
    a, _ = _scores(4, 30, 0.0, 1.0)
    result = paired_bootstrap(a, list(a))
    assert result.p_value == 1.0 and result.delta == 0
    assert _verdict(result).startswith("no significant difference")


def test_deterministic_with_a_fixed_seed():
    a, b = _scores(5, 40, 1.0, 6.0)
    assert paired_bootstrap(a, b) == paired_bootstrap(a, b)


def test_segments_pair_through_the_source_sentences():
    first = make_report()
    second = make_report(target=first.target_text.replace("205", "250"))
    for segment in second.segments:
        assert segment.scores is not None
        segment.scores.overall += 5
    pairs = pair_segments(first, second)
    assert [p[0] for p in pairs] == [0, 1, 2]
    assert all(abs(sb - sa - 5) < 1e-9 for _, sa, sb in pairs)


def test_compare_with_the_real_model_prefers_the_sound_translation(lm):
    """Two translations of one source, audited with the real model: word salad scores lower."""
    from auditor import audit

    source = (
        "Le conseil municipal a voté mardi le budget de l'année prochaine.\n"
        "Les dépenses d'entretien des routes augmenteront légèrement.\n"
        "Le maire a promis de nouvelles pistes cyclables.\n"
    )
    sound = (
        "The city council voted on next year's budget on Tuesday.\n"
        "Spending on road maintenance will rise slightly.\n"
        "The mayor promised new cycle lanes.\n"
    )
    salad = (
        "Council the city Tuesday budget voted year next the of.\n"
        "Roads spending slightly the maintenance rise will on.\n"
        "Lanes cycle new the promised mayor.\n"
    )
    a = audit(sound, source, model=lm, src_lang="fr", tgt_lang="en", target_name="a", source_name="src")
    b = audit(salad, source, model=lm, src_lang="fr", tgt_lang="en", target_name="b", source_name="src")
    pairs = pair_segments(a, b)
    assert [p[0] for p in pairs] == [0, 1, 2]
    result = paired_bootstrap([p[1] for p in pairs], [p[2] for p in pairs])
    assert result.delta < 0, pairs
    assert all(sb < sa for _, sa, sb in pairs), pairs
