"""The audit pipeline, readable top to bottom: document → segments → alignment → scores → flags → report."""

from __future__ import annotations

from auditor import __version__
from auditor.align.sentences import align_sentences
from auditor.align.words import link_rows, source_words
from auditor.checks import CheckContext, RuleConfig, run_checks
from auditor.checks.merge import merge_flags
from auditor.document import Document, Segment, SentenceLink
from auditor.encoder import DEFAULT_ENCODER, SentenceEncoder, load_encoder
from auditor.errors import InputError
from auditor.lm.model import LanguageModel, load_model
from auditor.report import AlignedSegment, Report, Scores
from auditor.scoring import mapping
from auditor.scoring.model_flags import model_flags, suggest_fixes
from auditor.scoring.segments import score_rows
from auditor.segment import detect_language, split_sentences

ModelChoice = str | LanguageModel | None
EncoderChoice = str | SentenceEncoder | None  # a name or folder (see auditor.encoder), loaded, or "none"/None


def signature(lm: LanguageModel | None, encoder: SentenceEncoder | None = None) -> str:
    """Like sacreBLEU's: everything needed to reproduce a number."""
    parts = [f"auditor:{__version__}"]
    if lm is None:
        parts.append("model:none")
    else:
        parts += [
            f"model:{lm.name}",
            f"sha256:{lm.identity[:12] if lm.identity else 'unknown'}",
            f"prompt:{lm.prompt.version}",
            f"dtype:{lm.dtype}",
        ]
    parts.append(f"mapping:{mapping.VERSION}")
    head = lm.quality_head if lm is not None else None
    parts.append(f"head:{head.digest if head is not None else 'none'}")
    parts.append(f"encoder:{encoder.identity if encoder is not None else 'none'}")
    return "|".join(parts)


def _language(text: str, given: str | None, role: str) -> str:
    if given:
        return given.lower()
    found = detect_language(text)
    if found is None:
        raise InputError(f"cannot detect the {role} language: give it with --{role[:3]}-lang")
    return found


def _span(segments: list[Segment], indices: tuple[int, ...]) -> tuple[int, int] | None:
    if not indices:
        return None
    return (segments[indices[0]].start, segments[indices[-1]].end)


def _rows(
    links: list[SentenceLink],
    source: Document | None,
    src: list[Segment],
    target: Document,
    tgt: list[Segment],
) -> list[AlignedSegment]:
    rows = []
    for i, link in enumerate(links):
        source_span = _span(src, link.source)
        target_span = _span(tgt, link.target)
        rows.append(
            AlignedSegment(
                index=i,
                link=link.kind if source is not None else "target-only",
                source_indices=list(link.source),
                target_indices=list(link.target),
                source_text=source.text[source_span[0] : source_span[1]] if source and source_span else "",
                target_text=target.text[target_span[0] : target_span[1]] if target_span else "",
                source_span=source_span,
                target_span=target_span,
            )
        )
    return rows


def resolve_model(model: ModelChoice) -> LanguageModel | None:
    if model is None or isinstance(model, LanguageModel):
        return model
    return load_model(model)


def resolve_encoder(encoder: EncoderChoice) -> SentenceEncoder | None:
    if encoder is None or isinstance(encoder, SentenceEncoder):
        return encoder
    return None if encoder.lower() == "none" else load_encoder(encoder)


def audit(
    target: str,
    source: str | None = None,
    *,
    src_lang: str | None = None,
    tgt_lang: str | None = None,
    model: ModelChoice = "gemma-3-270m",
    encoder: EncoderChoice = DEFAULT_ENCODER,
    rules: RuleConfig | None = None,
    target_name: str = "<target>",
    source_name: str | None = None,
) -> Report:
    """Audit a translation (and its source, when given). `model=None` runs the rules alone; `encoder=None`
    aligns and checks without the sentence encoder."""
    if not target.strip():
        raise InputError(f"{target_name}: the translation is empty")
    if source is not None and not source.strip():
        raise InputError(f"{source_name or '<source>'}: the source is empty")
    lm = resolve_model(model)
    sentence_encoder = resolve_encoder(encoder) if source is not None else None
    target_doc = Document(target, _language(target, tgt_lang, "target"), target_name)
    source_doc = (
        Document(source, _language(source, src_lang, "source"), source_name or "<source>")
        if source is not None
        else None
    )
    target_segments = split_sentences(target_doc)
    source_segments = split_sentences(source_doc) if source_doc else []
    if source_doc is not None:
        links = align_sentences(source_segments, target_segments, encoder=sentence_encoder)
    else:
        links = [SentenceLink((), (seg.index,)) for seg in target_segments]
    rows = _rows(links, source_doc, source_segments, target_doc, target_segments)
    if source_doc is not None:
        link_rows(rows, source_doc.lang, target_doc.lang)

    found_by_model = []
    if lm is not None:
        score_rows(lm, rows, target_doc, source_doc)
        found_by_model = model_flags(rows, target_doc)
    context = CheckContext(
        target_doc, source_doc, target_segments, source_segments, rows, encoder=sentence_encoder
    )
    found_by_rules = run_checks(context, rules or RuleConfig())
    flags = merge_flags(found_by_model, found_by_rules)
    if lm is not None:
        suggest_fixes(lm, flags, rows, target_doc, source_doc)
    if source_doc is not None:
        source_words(flags, rows, source_doc.text)

    return Report(
        target_name=target_name,
        target_text=target,
        target_lang=target_doc.lang,
        source_name=source_doc.name if source_doc else None,
        source_text=source,
        source_lang=source_doc.lang if source_doc else None,
        scores=document_scores(rows, has_source=source_doc is not None),
        segments=rows,
        flags=flags,
        signature=signature(lm, sentence_encoder),
    )


def document_scores(rows: list[AlignedSegment], *, has_source: bool) -> Scores:
    """Segment scores averaged with weights = text length; an omitted source sentence counts as 0."""
    scored = [(max(1, len(r.target_text)), r.scores) for r in rows if r.scores is not None]
    if not scored:
        return Scores(fluency=float("nan"), overall=float("nan"), fidelity=None)
    omitted = sum(max(1, len(r.source_text)) for r in rows if r.scores is None and r.source_text)
    total = sum(w for w, _ in scored)
    fluency = sum(w * s.fluency for w, s in scored) / total
    if not has_source:
        return Scores(fluency=round(fluency, 2), overall=round(fluency, 2), fidelity=None)
    fidelity = sum(w * (s.fidelity or 0.0) for w, s in scored) / (total + omitted)
    overall = sum(w * s.overall for w, s in scored) / (total + omitted)
    return Scores(fluency=round(fluency, 2), overall=round(overall, 2), fidelity=round(fidelity, 2))
