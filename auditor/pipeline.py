"""The audit pipeline, readable top to bottom: document → segments → alignment → scores → flags → report."""

from __future__ import annotations

from collections.abc import Callable

from auditor import __version__
from auditor.align.sentences import align_sentences
from auditor.align.words import link_rows, source_words
from auditor.checks import CheckContext, RuleConfig, run_checks
from auditor.checks.merge import merge_flags
from auditor.checks.registry import apply_config
from auditor.document import Document, Segment, SentenceLink
from auditor.encoder import DEFAULT_ENCODER, SentenceEncoder, describe_encoder, load_encoder
from auditor.errors import InputError
from auditor.io.text import DEFAULT_MAX_CHARS, check_length
from auditor.lm.model import LanguageModel, load_model
from auditor.report import AlignedSegment, Report, Scores
from auditor.scoring import mapping
from auditor.scoring.model_flags import model_flags, suggest_fixes
from auditor.scoring.segments import ScoreCache, score_rows
from auditor.scoring.word_errors import load_word_errors, word_error_model
from auditor.segment import detect_language, split_sentences

ModelChoice = str | LanguageModel | None
Progress = Callable[[str], None]  # told the name of each stage as it starts
EncoderChoice = str | SentenceEncoder | None  # a name or folder (see auditor.encoder), loaded, or "none"/None


def signature(lm: LanguageModel | None, encoder: SentenceEncoder | None = None) -> str:
    """Like sacreBLEU's: everything needed to reproduce a number."""
    encoder_identity = encoder.identity if encoder is not None else None
    if lm is None:
        return signature_of(None, encoder_identity=encoder_identity)
    head = lm.quality_head
    errors = word_error_model(lm)
    return signature_of(
        lm.name,
        lm.identity,
        lm.prompt.version,
        lm.dtype,
        head.digest if head else None,
        encoder_identity=encoder_identity,
        errors_digest=errors.digest if errors else None,
    )


def signature_of(
    model: str | None,
    identity: str = "",
    prompt_version: str = "",
    dtype: str = "",
    head_digest: str | None = None,
    *,
    encoder_identity: str | None = None,
    errors_digest: str | None = None,
) -> str:
    parts = [f"auditor:{__version__}"]
    if model is None:
        parts.append("model:none")
    else:
        parts += [
            f"model:{model}",
            f"sha256:{identity[:12] if identity else 'unknown'}",
            f"prompt:{prompt_version}",
            f"dtype:{dtype}",
        ]
    parts.append(f"mapping:{mapping.VERSION}")
    parts.append(f"head:{head_digest or 'none'}")
    if model is not None:
        parts.append(f"errors:{errors_digest or _errors_digest(model, identity) or 'none'}")
    parts.append(f"encoder:{encoder_identity or 'none'}")
    return "|".join(parts)


def _errors_digest(model: str, identity: str) -> str | None:
    """The digest of the word-error model that a model of this name and identity is audited with."""
    from auditor.lm.model import resolve

    errors = load_word_errors(resolve(model), identity)
    return errors.digest if errors else None


def default_signature(model: str | None = None) -> str:
    """The signature a run with this model (default: the embedded one) would carry, without loading it."""
    from auditor.lm.model import resolve, resolve_dtype
    from auditor.scoring.head import load_head

    manifest = resolve(model)
    identity = manifest.sha256 or ""
    head = load_head(manifest, identity)
    return signature_of(
        manifest.name,
        identity,
        manifest.prompt.version,
        resolve_dtype(),
        head.digest if head else None,
        encoder_identity=describe_encoder(DEFAULT_ENCODER),
    )


def _language(text: str, given: str | None, role: str) -> str:
    if given:
        return given.lower()
    found = detect_language(text)
    if found is None:
        raise InputError(f"cannot detect the {role} language: give it with --{role[:3]}-lang")
    return found


def detect_pair(
    targets: list[str], sources: list[str] | None, src_lang: str | None, tgt_lang: str | None
) -> tuple[str | None, str]:
    """The (source, target) languages of line-aligned segments: the given codes, else detected on the
    joined lines (InputError when a language cannot be told)."""
    target = _language("\n".join(targets), tgt_lang, "target")
    source = _language("\n".join(sources), src_lang, "source") if sources is not None else None
    return source, target


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
    score_cache: ScoreCache | None = None,
    max_chars: int | None = DEFAULT_MAX_CHARS,
    progress: Progress | None = None,
) -> Report:
    """Audit a translation (and its source, when given). `model=None` runs the rules alone; `encoder=None`
    aligns and checks without the sentence encoder; `score_cache` skips scoring segments it already knows
    (auditor/feed/cache.py). Each document may hold at most `max_chars` characters (None: no limit)."""
    step = progress or (lambda stage: None)
    if not target.strip():
        raise InputError(f"{target_name}: the translation is empty")
    if source is not None and not source.strip():
        raise InputError(f"{source_name or '<source>'}: the source is empty")
    check_length(target, target_name, max_chars)
    if source is not None:
        check_length(source, source_name or "<source>", max_chars)
    step("loading the model")
    lm = resolve_model(model)
    step("segmenting")
    sentence_encoder = resolve_encoder(encoder) if source is not None else None
    target_doc = Document(target, _language(target, tgt_lang, "target"), target_name)
    source_doc = (
        Document(source, _language(source, src_lang, "source"), source_name or "<source>")
        if source is not None
        else None
    )
    target_segments = split_sentences(target_doc)
    source_segments = split_sentences(source_doc) if source_doc else []
    step("aligning")
    if source_doc is not None:
        links = align_sentences(source_segments, target_segments, encoder=sentence_encoder)
    else:
        links = [SentenceLink((), (seg.index,)) for seg in target_segments]
    rows = _rows(links, source_doc, source_segments, target_doc, target_segments)
    if source_doc is not None:
        link_rows(rows, source_doc.lang, target_doc.lang)

    found_by_model = []
    if lm is not None:
        step("scoring")
        errors = word_error_model(lm)
        if errors is not None and (source_doc is None or (source_doc.lang, target_doc.lang) != errors.pair):
            errors = None
        score_rows(lm, rows, target_doc, source_doc, score_cache, errors.states if errors else None)
        found_by_model = apply_config(
            model_flags(rows, target_doc, errors=errors, source=source_doc), rules or RuleConfig()
        )
    step("flagging")
    context = CheckContext(
        target_doc, source_doc, target_segments, source_segments, rows, encoder=sentence_encoder
    )
    found_by_rules = run_checks(context, rules or RuleConfig())
    flags = merge_flags(found_by_model, found_by_rules)
    if lm is not None:
        step("suggesting fixes")
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
