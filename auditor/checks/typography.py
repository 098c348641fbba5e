"""French typography left in an English target (AUD401-AUD403)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import is_lang
from auditor.report import Flag, Severity

_SPACE_BEFORE = re.compile(r"(?<=[\w\"”’»)])[\u00a0\u202f\u2009 ]+[:;!?](?=\s|$|[\"”»)])")
_GUILLEMETS = re.compile(r"«[\u00a0\u202f\u2009 ]?|[\u00a0\u202f\u2009 ]?»")
_QUOTE_COMMA_CAPITAL = re.compile(r"[\"”»]\s*,\s+([A-Z][a-z]+)\b")
# Words that never take a capital after the comma closing a quotation (names do, so they are not listed).
_LOWER_AFTER_QUOTE = {
    "also", "again", "then", "further", "he", "she", "they", "we", "it", "the", "a", "an", "his", "her",
    "their", "its", "this", "that", "said", "says", "added", "adds", "asked", "wrote", "writes", "told",
    "tweeted", "tweets", "posted", "declared", "declares", "warned", "warns", "explained", "explains",
    "stated", "states", "insisted", "noted", "stressed", "argued", "claimed", "announced", "indicated",
    "confirmed", "recalled", "concluded", "continued", "replied", "answered", "retorted", "assured",
    "estimated", "judged", "affirmed", "underlined", "emphasized", "emphasised", "launched", "denounced",
    "according", "reacted", "commented", "lamented", "regretted", "welcomed", "promised", "threatened",
}  # fmt: skip


@register(
    "AUD401",
    "french-spacing",
    "style/typography",
    Severity.MINOR,
    "A space before : ; ! ? (French typography) in English text.",
    "“harder than ever !” → “harder than ever!”",
)
def check_spacing(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _SPACE_BEFORE.finditer(ctx.target.text):
        mark = m.group(0).strip()
        yield rule.flag(ctx, m.span(), f"no space before “{mark}” in English", suggestion=mark)


@register(
    "AUD402",
    "guillemets",
    "style/typography",
    Severity.MINOR,
    "French quotation marks « » left in English text.",
    "« monster » → “monster”",
)
def check_guillemets(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    for m in _GUILLEMETS.finditer(ctx.target.text):
        opening = "«" in m.group(0)
        yield rule.flag(
            ctx, m.span(), "French quotation mark in English text", suggestion="“" if opening else "”"
        )


@register(
    "AUD403",
    "capital-after-quote",
    "style/typography",
    Severity.MINOR,
    "A capital letter after the comma that closes a quotation (the attribution continues the sentence).",
    "“…again!”, Tweeted the president → “…again!” the president tweeted",
)
def check_capital_after_quote(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    if not is_lang(ctx, "en"):
        return
    text = ctx.target.text
    for m in _QUOTE_COMMA_CAPITAL.finditer(text):
        word = m.group(1)
        if word.lower() not in _LOWER_AFTER_QUOTE:
            continue
        yield rule.flag(
            ctx,
            (m.start(), m.end(1)),
            f"“{word}” continues the sentence after the quotation: no capital",
            suggestion=word[0].lower() + word[1:],
        )
