"""Site chrome, related-article links, image names and repeated lines carried into the text (AUD410-AUD420).

These look at whole lines: chrome is laid out one item a line, so a match inside running prose is not chrome.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditor.checks.registry import CheckContext, Rule, register
from auditor.checks.text import fold, lines, words
from auditor.report import Flag, Severity

# English and French chrome (a target may be either); matched at the start of a short line.
_CHROME = re.compile(
    r"^(?:newsletters?\b|subscribe\b|unsubscribe\b|sign (?:up|in)\b|log ?in\b|register\b|"
    r"follow us\b|share (?:this|on|via)\b|share$|tweet$|e-?mail$|print$|copy link\b|"
    r"(?:don'?t|do not|never) miss\b|download (?:the|our) app\b|get (?:the|our) app\b|"
    r"advertisement$|sponsored\b|most (?:read|popular)\b|related (?:articles?|stories|topics)\b|"
    r"all rights reserved\b|click here\b|back to top\b|cookies?\b|comments?$|"
    r"s'inscrire\b|s’inscrire\b|abonnez-vous\b|s'abonner\b|s’abonner\b|inscrivez-vous\b|"
    r"ne manquez\b|partager\b|suivez-nous\b|publicité$|lire la suite\b|t[ée]l[ée]chargez\b)",
    re.IGNORECASE,
)
_RELATED = re.compile(
    r"^(?:>>|»|→|▶|►)\s*\S|^(?:read|see|watch|listen|lire|voir|à lire|a lire|regarder)"
    r"(?:\s+(?:also|more|aussi|également))?\s*:\s*\S",
    re.IGNORECASE,
)
_FILE_NAME = re.compile(
    r"^[\w.-]*\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?)$|^[A-Za-z0-9]+(?:[-_][A-Za-z0-9]+)*$", re.IGNORECASE
)


def _looks_like_file_name(line: str) -> bool:
    if not _FILE_NAME.match(line) or " " in line:
        return False
    if re.search(r"\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?)$", line, re.IGNORECASE):
        return True
    return "_" in line or line.count("-") >= 2


@register(
    "AUD410",
    "site-chrome",
    "boilerplate",
    Severity.MINOR,
    "Web-page chrome carried into the text: newsletter and subscription prompts, share buttons, app promos.",
    "“Newsletter Don't miss anything from international news”, “subscribe”",
)
def check_chrome(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    for line in lines(ctx.target.text):
        if len(words(line.text)) <= 12 and _CHROME.match(line.text.strip(" -•*|")):
            yield rule.flag(ctx, (line.start, line.end), "web-page chrome, not part of the article")


@register(
    "AUD411",
    "related-link",
    "boilerplate",
    Severity.MINOR,
    "A related-article link (“>> Read: …”, “See also: …”) carried into the body.",
    "“>> Read: Death of General Soleimani: why did Donald Trump choose to strike now?”",
)
def check_related(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    for line in lines(ctx.target.text):
        if len(words(line.text)) <= 30 and _RELATED.match(line.text):
            yield rule.flag(ctx, (line.start, line.end), "related-article link, not part of the article")


@register(
    "AUD412",
    "file-name",
    "boilerplate",
    Severity.MINOR,
    "An image or file name (alt text, badge) standing as a line of text.",
    "“google-play-badge_FR”",
)
def check_file_names(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    for line in lines(ctx.target.text):
        if _looks_like_file_name(line.text):
            yield rule.flag(ctx, (line.start, line.end), "an image or file name, not text")


def _norm(text: str) -> str:
    return " ".join(words(fold(text)))


@register(
    "AUD420",
    "duplicate-line",
    "duplicate",
    Severity.MINOR,
    "A line that repeats an earlier line (or the end of one) word for word.",
    "“Don't miss anything from international news” twice",
)
def check_duplicates(ctx: CheckContext, rule: Rule) -> Iterator[Flag]:
    seen: list[str] = []
    for line in lines(ctx.target.text):
        norm = _norm(line.text)
        if len(norm.split()) >= 3 or (norm and len(norm) >= 12):
            padded = f" {norm} "
            if any(padded in f" {earlier} " for earlier in seen):
                yield rule.flag(ctx, (line.start, line.end), "repeats an earlier line")
        seen.append(norm)
