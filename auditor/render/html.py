"""The HTML report: one self-contained file (inline CSS, JS and SVG; nothing fetched from anywhere).

Every piece of document text goes through `markupsafe.escape` (or Jinja's autoescape) before it reaches
the page; the report JSON is embedded as inert data with `<`, `>`, `&`, U+2028 and U+2029 escaped. A
Content-Security-Policy allows no network at all and only the page's own script (by its hash).
"""

from __future__ import annotations

import base64
import bisect
import difflib
import hashlib
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
from markupsafe import Markup, escape

from auditor.render.gate import fmt_score, json_safe, known
from auditor.report import AlignedSegment, Flag, Report, Scores, Severity

# Surprisal (nats) at which a token's shading is full; most fluent tokens sit well under it.
SHADE_FULL_NATS = 8.0
SEVERITIES = [Severity.CRITICAL, Severity.MAJOR, Severity.MINOR]
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_WORD = re.compile(r"\s+|\w+|[^\w\s]")


def embed_json(data: Any) -> Markup:
    """JSON text safe inside <script type="application/json">: it can never close the element."""
    text = json.dumps(json_safe(data), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return Markup(re.sub("[<>&\u2028\u2029]", lambda m: _JSON_ESCAPES[m.group()], text))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("auditor.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=4)
def _static(name: str) -> str:
    return resources.files("auditor.render").joinpath("templates", name).read_text(encoding="utf-8")


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )


# --- spans -------------------------------------------------------------------------------------------


@dataclass
class _Mark:
    """Overlapping flags merged into one highlighted, focusable span."""

    start: int
    end: int
    flags: list[tuple[int, Flag]] = field(default_factory=list)

    @property
    def severity(self) -> Severity:
        return max(f.severity for _, f in self.flags)


def _group_marks(spans: list[tuple[int, int, int, Flag]]) -> list[_Mark]:
    marks: list[_Mark] = []
    for start, end, number, flag in sorted(spans, key=lambda s: (s[0], -s[1])):
        if marks and start < marks[-1].end:
            marks[-1].end = max(marks[-1].end, end)
            marks[-1].flags.append((number, flag))
        else:
            marks.append(_Mark(start, end, [(number, flag)]))
    return marks


def _flag_key(flag: Flag) -> str:
    return f"{flag.severity}|{flag.category.replace(' ', '_')}"


def _tooltip(mark: _Mark, tip_id: str) -> Markup:
    parts = []
    for number, flag in sorted(mark.flags, key=lambda nf: (-nf[1].severity, nf[0])):
        suggestion = (
            Markup('<span class="tip-sug">Suggestion: {}</span>').format(flag.suggestion)
            if flag.suggestion
            else Markup("")
        )
        parts.append(
            Markup(
                '<span class="tip-item"><span class="tip-head"><span class="pill sev-{sev}">{sev}</span>'
                ' <span class="tip-cat">{cat}</span> <span class="tip-rule">{rule} · #{n}</span></span>'
                '<span class="tip-msg">{msg}</span>{sug}</span>'
            ).format(
                sev=str(flag.severity),
                cat=flag.category,
                rule=flag.rule,
                n=number + 1,
                msg=flag.message,
                sug=suggestion,
            )
        )
    return Markup('<span class="tip" role="tooltip" id="{}">{}</span>').format(tip_id, Markup("").join(parts))


def _spans_html(
    text: str,
    base: int,
    *,
    marks: Sequence[_Mark] = (),
    tokens: Sequence[tuple[int, int, float, float | None]] = (),
    words: Sequence[tuple[int, int, int]] = (),
    focusable: bool = True,
    prefix: str = "t",
    ids: str = "",
) -> Markup:
    """`text` (which starts at document offset `base`) cut at every mark, token and word boundary.

    Marks (flags) wrap their pieces; tokens give a piece its shading; words give it link ids for hover.
    """
    end_all = base + len(text)
    cuts = {base, end_all}
    for mark in marks:
        cuts.update((max(base, mark.start), min(end_all, mark.end)))
    for start, end, *_ in tokens:
        cuts.update((max(base, start), min(end_all, end)))
    for start, end, _ in words:
        cuts.update((max(base, start), min(end_all, end)))
    points = sorted(c for c in cuts if base <= c <= end_all)
    token_starts = [t[0] for t in tokens]
    out: list[Markup] = []
    mark_index = 0
    open_mark: _Mark | None = None
    for a, b in itertools.pairwise(points):
        if a >= b:
            continue
        while mark_index < len(marks) and marks[mark_index].end <= a:
            mark_index += 1
        current = marks[mark_index] if mark_index < len(marks) and marks[mark_index].start <= a else None
        if open_mark is not None and current is not open_mark:
            out.append(Markup("</mark>"))
            open_mark = None
        if current is not None and open_mark is None:
            open_mark = current
            numbers = " ".join(str(n) for n, _ in current.flags)
            first = current.flags[0][0]
            if focusable:
                tip_id = f"tip{ids}-{first}"
                out.append(
                    Markup(
                        '<mark class="flag sev-{sev}" id="m{ids}-{first}" tabindex="0" data-flags="{nums}" '
                        'data-keys="{keys}" aria-describedby="{tip}">'
                    ).format(
                        sev=str(current.severity),
                        ids=ids,
                        first=first,
                        nums=numbers,
                        keys=" ".join(_flag_key(f) for _, f in current.flags),
                        tip=tip_id,
                    )
                )
            else:
                out.append(
                    Markup('<mark class="src-flag sev-{sev}" data-flags="{nums}" data-keys="{keys}">').format(
                        sev=str(current.severity),
                        nums=numbers,
                        keys=" ".join(_flag_key(f) for _, f in current.flags),
                    )
                )
        piece = text[a - base : b - base]
        attrs: list[Markup] = []
        i = bisect.bisect_right(token_starts, a) - 1
        if i >= 0 and tokens[i][0] <= a < tokens[i][1]:
            _, _, logprob, logprob_source = tokens[i]
            shade = min(1.0, max(0.0, -logprob / SHADE_FULL_NATS))
            shade_src = (
                shade if logprob_source is None else min(1.0, max(0.0, -logprob_source / SHADE_FULL_NATS))
            )
            attrs.append(
                Markup(' style="--s:{:.2f};--ss:{:.2f}" data-lp="{:.2f}"').format(shade, shade_src, logprob)
            )
            if logprob_source is not None:
                attrs.append(Markup(' data-lps="{:.2f}"').format(logprob_source))
        links = [str(k) for s, e, k in words if s <= a and b <= e]
        if links:
            attrs.append(Markup(' data-w="{}"').format(" ".join(links)))
        if attrs:
            out.append(Markup('<span class="{}"{}>{}</span>').format(prefix, Markup("").join(attrs), piece))
        else:
            out.append(escape(piece))
        if open_mark is not None and b >= open_mark.end:
            if focusable:
                out.append(_tooltip(open_mark, f"tip{ids}-{open_mark.flags[0][0]}"))
            out.append(Markup("</mark>"))
            open_mark = None
    if open_mark is not None:
        if focusable:
            out.append(_tooltip(open_mark, f"tip{ids}-{open_mark.flags[0][0]}"))
        out.append(Markup("</mark>"))
    return Markup("").join(out)


def _overlaps(span: tuple[int, int] | None, other: tuple[int, int] | None) -> bool:
    if span is None or other is None:
        return False
    if span[0] == span[1]:  # an empty span (an insertion point) belongs where it sits
        return other[0] <= span[0] <= other[1]
    return span[0] < other[1] and other[0] < span[1]


def _segment_flags(segment: AlignedSegment, numbered: list[tuple[int, Flag]]) -> list[tuple[int, Flag]]:
    found = []
    for number, flag in numbered:
        if flag.target_span is not None:
            if _overlaps(flag.target_span, segment.target_span):
                found.append((number, flag))
        elif flag.source_span is not None and segment.source_span is not None:
            if _overlaps(flag.source_span, segment.source_span):
                found.append((number, flag))
        elif flag.segment is not None and flag.segment == segment.index:
            found.append((number, flag))
    return found


def _clip_marks(flags: list[tuple[int, Flag]], span: tuple[int, int], side: str) -> list[_Mark]:
    spans = []
    for number, flag in flags:
        fspan = flag.target_span if side == "target" else flag.source_span
        if fspan is None:
            continue
        start, end = max(fspan[0], span[0]), min(fspan[1], span[1])
        if end <= start:
            if fspan[0] == fspan[1] and span[0] <= fspan[0] <= span[1]:
                continue  # an insertion point has no text to highlight; the row badge shows it
            continue
        spans.append((start, end, number, flag))
    return _group_marks(spans)


def _row(report: Report, segment: AlignedSegment, numbered: list[tuple[int, Flag]]) -> dict[str, Any]:
    flags = _segment_flags(segment, numbered)
    word_links = list(enumerate(segment.word_links))
    target_html = Markup("")
    anchors: dict[int, str] = {}
    if segment.target_span is not None:
        tspan = segment.target_span
        tokens = [
            (t.start, t.end, t.logprob, t.logprob_source)
            for t in sorted(segment.tokens, key=lambda t: t.start)
            if t.end > tspan[0] and t.start < tspan[1]
        ]
        target_marks = _clip_marks(flags, tspan, "target")
        for mark in target_marks:
            for number, _ in mark.flags:
                anchors.setdefault(number, f"m{segment.index}-{mark.flags[0][0]}")
        target_html = _spans_html(
            report.target_text[tspan[0] : tspan[1]],
            tspan[0],
            marks=target_marks,
            tokens=tokens,
            words=[(t[0], t[1], k) for k, (_, t) in word_links],
            prefix="t",
            ids=str(segment.index),
        )
    source_html = Markup("")
    if segment.source_span is not None and report.source_text is not None:
        sspan = segment.source_span
        source_html = _spans_html(
            report.source_text[sspan[0] : sspan[1]],
            sspan[0],
            marks=_clip_marks(flags, sspan, "source"),
            words=[(s[0], s[1], k) for k, (s, _) in word_links],
            focusable=False,
            prefix="w",
        )
    # Flags with nothing to highlight in the target (omissions) are shown as badges on the row.
    badges = [(n, f) for n, f in flags if f.target_span is None or f.target_span[0] == f.target_span[1]]
    for number, _ in badges:
        anchors.setdefault(number, f"b{segment.index}-{number}")
    severity = max((f.severity for _, f in flags), default=None)
    return {
        "anchors": anchors,
        "index": segment.index,
        "link": segment.link,
        "source_html": source_html,
        "target_html": target_html,
        "scores": _known_scores(segment.scores),
        "band": score_band(segment.scores.overall if segment.scores else None),
        "severity": str(severity) if severity else "",
        "badges": [
            {
                "number": n,
                "flag": f,
                "key": _flag_key(f),
                "id": f"b{segment.index}-{n}",
                "tip_id": f"tipb{segment.index}-{n}",
                "tooltip": _tooltip(_Mark(0, 0, [(n, f)]), f"tipb{segment.index}-{n}"),
            }
            for n, f in badges
        ],
        "keys": " ".join(sorted({_flag_key(f) for _, f in flags})),
    }


def _known_scores(scores: Scores | None) -> Scores | None:
    if scores is None or known(scores.overall) is None:
        return None
    return scores


# --- diff --------------------------------------------------------------------------------------------


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level diff as (op, text) pieces, op in "equal", "delete" (only in old), "insert" (only in new).

    Texts with the same number of lines are compared line by line (fast, keeps lines together).
    """
    old_lines, new_lines = old.split("\n"), new.split("\n")
    if len(old_lines) == len(new_lines) and len(old_lines) > 1:
        pieces: list[tuple[str, str]] = []
        for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)):
            if i:
                pieces.append(("equal", "\n"))
            pieces.extend(word_diff(a, b))
        return _merge(pieces)
    a_words, b_words = _WORD.findall(old), _WORD.findall(new)
    matcher = difflib.SequenceMatcher(None, a_words, b_words, autojunk=False)
    pieces = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(a_words[i1:i2])))
        else:
            if i2 > i1:
                pieces.append(("delete", "".join(a_words[i1:i2])))
            if j2 > j1:
                pieces.append(("insert", "".join(b_words[j1:j2])))
    return _merge(pieces)


def _merge(pieces: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for op, text in pieces:
        if not text:
            continue
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        else:
            merged.append((op, text))
    return merged


def _diff_html(old: str, new: str) -> tuple[Markup, dict[str, int]]:
    out = []
    counts = {"insert": 0, "delete": 0, "equal": 0}
    for op, text in word_diff(old, new):
        counts[op] += len(text.split())
        if op == "equal":
            out.append(escape(text))
        elif op == "delete":
            out.append(Markup("<del>{}</del>").format(text))
        else:
            out.append(Markup("<ins>{}</ins>").format(text))
    return Markup("").join(out), counts


# --- charts ------------------------------------------------------------------------------------------


def score_band(score: float | None) -> str:
    score = known(score)
    if score is None:
        return "none"
    return "good" if score >= 80 else "fair" if score >= 60 else "poor"


def _segment_chart(rows: list[dict[str, Any]]) -> dict[str, Any]:
    width, height, gap = 640, 72, 1.0
    n = max(1, len(rows))
    bar = max(1.5, (width - gap * (n - 1)) / n)
    bars = []
    for i, row in enumerate(rows):
        scores = row["scores"]
        value = known(scores.overall) if scores is not None else None
        h = 2.0 if value is None else max(2.0, height * value / 100)
        bars.append(
            {
                "x": round(i * (bar + gap), 2),
                "y": round(height - h, 2),
                "w": round(bar, 2),
                "h": round(h, 2),
                "band": score_band(value),
                "index": row["index"],
                "label": f"segment {row['index'] + 1}: "
                + ("no score" if value is None else f"overall {value:.0f}")
                + (f", {row['severity']} flag" if row["severity"] else ""),
                "severity": row["severity"],
            }
        )
    return {"width": round(n * (bar + gap) - gap, 2), "height": height, "bars": bars}


def _gauge(label: str, value: float | None) -> dict[str, Any]:
    circumference = 2 * 3.14159265 * 26
    value = known(value)
    filled = 0.0 if value is None else circumference * max(0.0, min(100.0, value)) / 100
    return {
        "label": label,
        "value": None if value is None else round(value),
        "band": score_band(value),
        "dash": f"{filled:.1f} {circumference:.1f}",
    }


# --- page --------------------------------------------------------------------------------------------


def render_html(
    report: Report,
    *,
    compare_with: tuple[str, str] | None = None,
    metrics: dict[str, Any] | None = None,
    title: str | None = None,
) -> str:
    """The report as one self-contained HTML page.

    `compare_with` is (label, text) of a reference or a second translation: it adds a word-level diff.
    `metrics` are reference-based scores to show (e.g. {"BLEU": 31.2, "signature": "..."}).
    """
    numbered = list(enumerate(report.flags))
    rows = [_row(report, segment, numbered) for segment in report.segments]
    anchors: dict[int, str] = {}
    for row in rows:
        for number, anchor in row["anchors"].items():
            anchors.setdefault(number, anchor)
    flags_view = []
    for number, flag in numbered:
        location = ""
        if flag.target_span is not None:
            line = report.target_text.count("\n", 0, flag.target_span[0]) + 1
            location = f"line {line}"
        flags_view.append(
            {
                "number": number,
                "flag": flag,
                "key": _flag_key(flag),
                "anchor": anchors.get(number),
                "location": location,
            }
        )
    categories = sorted({f.category for f in report.flags})
    severity_counts = {str(s): sum(1 for f in report.flags if f.severity == s) for s in SEVERITIES}
    has_tokens = any(seg.tokens for seg in report.segments)
    diff = None
    if compare_with is not None:
        label, other = compare_with
        diff_html, counts = _diff_html(other, report.target_text)
        diff = {"label": label, "html": diff_html, "counts": counts}
    data = report.to_json()
    if metrics:
        data["reference_metrics"] = metrics
    script = _static("report.js")
    gauges = [_gauge("Overall", report.scores.overall), _gauge("Fluency", report.scores.fluency)]
    if report.scores.fidelity is not None or report.source_text is not None:
        gauges.append(_gauge("Fidelity", report.scores.fidelity))
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            title=title or f"Translation audit: {report.target_name}",
            report=report,
            rows=rows,
            flags=flags_view,
            categories=categories,
            severities=[str(s) for s in SEVERITIES],
            severity_counts=severity_counts,
            gauges=gauges,
            chart=_segment_chart(rows),
            has_source=report.source_text is not None,
            model_scores=known(report.scores.overall) is not None,
            has_tokens=has_tokens,
            diff=diff,
            metrics=metrics,
            data_json=embed_json(data),
            css=Markup(_static("report.css")),
            script=Markup(script),
            csp=_csp(script),
        )
    )


def render_index(entries: Iterable[dict[str, Any]], *, title: str, summary: dict[str, Any]) -> str:
    """The index page of a feed run: one row per document with its score, flags, gate result and link.

    Each entry: id, href, overall, fluency, fidelity, counts {critical, major, minor}, passed, reasons,
    metrics (optional dict). `summary`: documents, passed, failed, gate, corpus_metrics, signature.
    """
    return "".join(index_pieces(entries, title=title, summary=summary))


def index_pieces(entries: Iterable[dict[str, Any]], *, title: str, summary: dict[str, Any]) -> Iterator[str]:
    """`render_index` a piece at a time, reading `entries` as it goes (a feed's index need not fit in memory)."""
    script = _static("index.js")
    return (
        _environment()
        .get_template("index.html.j2")
        .generate(
            title=title,
            entries=entries,
            summary=summary,
            severities=[str(s) for s in SEVERITIES],
            band=score_band,
            score=lambda v: fmt_score(v, "–"),
            css=Markup(_static("report.css")),
            script=Markup(script),
            csp=_csp(script),
        )
    )
