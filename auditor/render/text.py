"""The report in the terminal: scores, a table of segments and a table of flags (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from auditor.render.gate import fmt_score
from auditor.report import Report, Severity

SEVERITY_STYLE = {Severity.MINOR: "yellow", Severity.MAJOR: "dark_orange", Severity.CRITICAL: "bold red"}


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def render_text(report: Report, console: Console) -> None:
    langs = f"{report.source_lang or '-'} → {report.target_lang}"
    names = escape(f"{report.source_name or '(no source)'} → {report.target_name}  ({langs})")
    console.print(f"[bold]auditor[/bold]  {names}", soft_wrap=True)
    s = report.scores
    console.print(
        f"overall [bold]{fmt_score(s.overall)}[/bold]   fidelity {fmt_score(s.fidelity)}   "
        f"fluency {fmt_score(s.fluency)}   (0-100, higher is better)",
        soft_wrap=True,
    )
    m = report.mqm
    console.print(
        f"MQM {m.per_100_words:.1f} error points per 100 words ({m.points} points in {m.words} words: "
        f"minor 1, major 5, critical 10), quality {m.quality:.1f}",
        soft_wrap=True,
    )
    segments = Table(title="Segments", show_lines=False, expand=True)
    segments.add_column("#", justify="right", no_wrap=True)
    segments.add_column("link", no_wrap=True)
    segments.add_column("source" if report.source_text is not None else "", ratio=1)
    segments.add_column("target", ratio=1)
    segments.add_column("fid", justify="right", no_wrap=True)
    segments.add_column("flu", justify="right", no_wrap=True)
    for row in report.segments:
        sc = row.scores
        segments.add_row(
            str(row.index),
            row.link,
            _short(row.source_text, 70),
            _short(row.target_text, 70),
            fmt_score(sc.fidelity if sc else None),
            fmt_score(sc.fluency if sc else None),
        )
    console.print(segments)
    flags = Table(title=f"Flags ({len(report.flags)})", expand=True)
    flags.add_column("rule", no_wrap=True)
    flags.add_column("span", no_wrap=True, justify="right")
    flags.add_column("flagged text", ratio=3)
    flags.add_column("suggestion / why", ratio=2)
    for flag in report.flags:
        span = f"{flag.target_span[0]}-{flag.target_span[1]}" if flag.target_span else "-"
        rule = Text(f"{flag.rule} ")
        rule.append(str(flag.severity), style=SEVERITY_STYLE[flag.severity])
        rule.append(f"\n{flag.category}", style="dim")
        note = f"→ {flag.suggestion}" if flag.suggestion else flag.message
        shown = flag.text or f"(source) {flag.source_text or ''}"
        flags.add_row(rule, span, _short(shown, 120), _short(note, 80))
    console.print(flags)
    console.print(f"[dim]{escape(report.signature)}[/dim]", soft_wrap=True)
