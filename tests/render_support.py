"""Reports built by hand for the renderer tests (fast: no model, no pipeline).

The texts are written for these tests. Offsets are computed from the texts, so a change to a text keeps
every span right.
"""

from __future__ import annotations

import re

from auditor.report import AlignedSegment, Flag, Report, Scores, Severity, TokenScore

SOURCE = (
    "Le maire a annoncé lundi 3 mars, à midi, la fermeture de l'usine.\n"
    "\n"
    "Les ouvriers, au nombre de 250, ont manifesté devant la mairie.\n"
    "Ils réclament des garanties.\n"
)
TARGET = (
    "The mayor announced on Monday March 3 the closing of the factory.\n"
    "\n"
    "The workers, at the number of 205, demonstrated in front of the town hall.\n"
    "They claim guarantees.\n"
)


def span_of(text: str, needle: str, start: int = 0) -> tuple[int, int]:
    i = text.index(needle, start)
    return (i, i + len(needle))


def _tokens(text: str, span: tuple[int, int], seed: int) -> list[TokenScore]:
    tokens = []
    for k, m in enumerate(re.finditer(r"\w+|[^\w\s]", text[span[0] : span[1]])):
        # A deterministic spread of log-probabilities so the shading has something to show.
        logprob = -((k * 7 + seed * 3) % 11) * 0.8
        tokens.append(TokenScore(span[0] + m.start(), span[0] + m.end(), logprob, logprob / 2))
    return tokens


def _word_links(source: str, s_span: tuple[int, int], target: str, t_span: tuple[int, int]) -> list:
    src_words = [
        (s_span[0] + m.start(), s_span[0] + m.end())
        for m in re.finditer(r"\w+", source[s_span[0] : s_span[1]])
    ]
    tgt_words = [
        (t_span[0] + m.start(), t_span[0] + m.end())
        for m in re.finditer(r"\w+", target[t_span[0] : t_span[1]])
    ]
    return list(zip(src_words, tgt_words, strict=False))


def make_report(
    target: str = TARGET, source: str | None = SOURCE, *, extra_flags: list[Flag] | None = None
) -> Report:
    """A two-paragraph report with a number error, a calque, an omission and scored tokens."""
    target_lines = [m.span() for m in re.finditer(r"[^\n]+", target)]
    source_lines = [m.span() for m in re.finditer(r"[^\n]+", source)] if source else []
    segments = []
    for i, t_span in enumerate(target_lines):
        s_span = source_lines[i] if i < len(source_lines) else None
        overall = [88.0, 54.0, 71.0, 93.0][i % 4]
        segments.append(
            AlignedSegment(
                index=i,
                link="1-1" if s_span else "0-1",
                source_indices=[i] if s_span else [],
                target_indices=[i],
                source_text=source[s_span[0] : s_span[1]] if (source and s_span) else "",
                target_text=target[t_span[0] : t_span[1]],
                source_span=s_span,
                target_span=t_span,
                scores=Scores(fluency=overall + 3, overall=overall, fidelity=overall - 2 if source else None),
                tokens=_tokens(target, t_span, i),
                word_links=_word_links(source, s_span, target, t_span) if (source and s_span) else [],
            )
        )
    flags: list[Flag] = []
    if "205" in target and source and "250" in source:
        flags.append(
            Flag(
                "AUD201",
                "accuracy/number",
                Severity.CRITICAL,
                span_of(target, "205"),
                span_of(source, "250"),
                "205",
                "The source says 250, the translation 205.",
                "250",
                1,
                "250",
                0.98,
            )
        )
    if "at the number of" in target:
        flags.append(
            Flag(
                "AUD310",
                "fluency/calque",
                Severity.MINOR,
                span_of(target, "at the number of"),
                span_of(source, "au nombre de") if source and "au nombre de" in source else None,
                "at the number of",
                "Calque of 'au nombre de'.",
                "some",
                1,
                "au nombre de",
                0.7,
            )
        )
        flags.append(
            Flag(
                "AUD320",
                "fluency/grammar",
                Severity.MAJOR,
                span_of(target, "of 205") if "of 205" in target else None,
                None,
                "of 205",
                "Overlapping flag for the renderer.",
                None,
                1,
            )
        )
    if "claim" in target:
        flags.append(
            Flag(
                "AUD330",
                "fluency/false-friend",
                Severity.MAJOR,
                span_of(target, "claim"),
                span_of(source, "réclament") if source and "réclament" in source else None,
                "claim",
                "'réclamer' means 'demand' here.",
                "demand",
                2,
                "réclament",
                0.8,
            )
        )
    if source and "à midi" in source:
        flags.append(
            Flag(
                "AUD501",
                "accuracy/omission",
                Severity.MAJOR,
                None,
                span_of(source, "à midi"),
                "",
                "Nothing in the translation renders this source phrase.",
                None,
                0,
                "à midi",
                0.6,
            )
        )
    flags.extend(extra_flags or [])
    return Report(
        target_name="fixtures/mayor.en.txt",
        target_text=target,
        target_lang="en",
        source_name="fixtures/mayor.fr.txt" if source else None,
        source_text=source,
        source_lang="fr" if source else None,
        scores=Scores(fluency=78.5, overall=72.25, fidelity=69.0 if source else None),
        segments=segments,
        flags=flags,
        signature="auditor:test|model:none|hand-built",
    )
