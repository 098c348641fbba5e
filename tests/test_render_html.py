"""The HTML report: escaping, highlighted spans, shading, word links, diff, and self-containment."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

from render_support import TARGET, make_report, span_of

from auditor.render.html import embed_json, render_html, word_diff
from auditor.report import Flag, Severity


class Page(HTMLParser):
    """Collects tags, attributes, script bodies and the visible text of each flag mark (no tooltips)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.mark_text: dict[str, str] = {}
        self._script: dict[str, str | None] | None = None
        self._script_text: list[str] = []
        self._stack: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "script":
            self._script, self._script_text = attributes, []
        if tag not in {"meta", "col", "br", "input", "img", "link", "circle", "rect", "line"}:
            self._stack.append((tag, attributes))

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._script_text)))
            self._script = None
        while self._stack:
            if self._stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._script is not None:
            self._script_text.append(data)
            return
        in_tip = any("tip" in (a.get("class") or "").split() for _, a in self._stack)
        if in_tip:
            return
        for tag, attributes in self._stack:
            if tag == "mark" and "flag" in (attributes.get("class") or "").split():
                key = attributes.get("id") or ""
                self.mark_text[key] = self.mark_text.get(key, "") + data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_hostile_document_text_renders_as_text():
    hostile_target = (
        "Click <script>alert('x')</script> now.\n"
        'A picture <img src=x onerror="alert(1)"> and </textarea><svg onload=alert(2)>.\n'
        "Breaking out </script><script>alert(3)</script> \u2028 of JSON.\n"
    )
    hostile_source = (
        "Cliquez <script>alert('y')</script> maintenant.\nUne image.\nSortir </script> du JSON.\n"
    )
    flag = Flag(
        "AUD999",
        'style/"quoted" <b>cat</b>',
        Severity.MAJOR,
        span_of(hostile_target, "<script>alert('x')</script>"),
        None,
        "<script>alert('x')</script>",
        "Message with <i>markup</i> & onerror=alert(4)",
        "<b>bold</b>",
    )
    report = make_report(hostile_target, hostile_source, extra_flags=[flag])
    report.target_name = "<script>alert('name')</script>.txt"
    html = render_html(report, compare_with=("reference", "Reference </script><script>alert(5)</script>"))
    page = parse(html)
    tags = [t for t, _ in page.tags]
    # Only the page's own two scripts exist; no element or handler came from the document.
    assert tags.count("script") == 2
    assert "img" not in tags and "svg" in tags  # the only svg elements are the page's charts
    assert all(not k.startswith("on") for _, attrs in page.tags for k in attrs)
    assert "<script>alert" not in html and "<img" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    # The embedded data is inert, parses, and round-trips the hostile text exactly.
    data_attrs, data_text = page.scripts[0]
    assert data_attrs.get("type") == "application/json"
    assert "<" not in data_text and ">" not in data_text and "\u2028" not in data_text
    data = json.loads(data_text)
    assert data["segments"][2]["target_text"] == hostile_target.split("\n")[2]
    assert data["flags"][-1]["message"] == "Message with <i>markup</i> & onerror=alert(4)"
    # The flagged span is highlighted with exactly the flagged text.
    marks = [text for text in page.mark_text.values() if "alert('x')" in text]
    assert marks == ["<script>alert('x')</script>"]


def test_embed_json_cannot_close_its_element():
    text = embed_json({"t": "</script><!-- \u2028\u2029 & <b>"})
    assert "</" not in text and "<!--" not in text and "\u2028" not in text and "&" not in text
    assert json.loads(str(text)) == {"t": "</script><!-- \u2028\u2029 & <b>"}


def test_flags_are_highlighted_where_their_spans_are():
    report = make_report()
    page = parse(render_html(report))
    texts = sorted(page.mark_text.values())
    # "at the number of", "of 205" and "205" overlap: one mark covers their union.
    assert "at the number of 205" in texts
    assert "claim" in texts
    marks = [(t, a) for t, a in page.tags if t == "mark" and "flag" in (a.get("class") or "").split()]
    classes = {a["id"]: a["class"] for _, a in marks}
    union = next(k for k, v in page.mark_text.items() if v == "at the number of 205")
    assert "sev-critical" in (classes[union] or "")  # the worst flag in the group colours it
    for _, attributes in marks:
        assert attributes.get("tabindex") == "0"  # keyboard reachable
        assert attributes.get("aria-describedby", "").startswith("tip")
    # The omission has no target text: it is a focusable badge on its row, and its source is marked.
    badges = [a for t, a in page.tags if t == "span" and "badge" in (a.get("class") or "")]
    assert len(badges) == 1 and badges[0]["data-keys"] == "major|accuracy/omission"
    source_marks = [a for t, a in page.tags if t == "mark" and "src-flag" in (a.get("class") or "")]
    assert len(source_marks) >= 3


def test_tooltips_carry_category_message_and_suggestion():
    html = render_html(make_report())
    tip = re.search(r'<span class="tip" role="tooltip" id="tip2-3">(.*?)</span></mark>', html, re.S)
    assert tip is not None
    assert "fluency/false-friend" in tip.group(1)
    assert "&#39;réclamer&#39; means &#39;demand&#39; here." in tip.group(1)
    assert "Suggestion: demand" in tip.group(1)


def test_tokens_carry_shading_and_words_carry_links():
    report = make_report()
    page = parse(render_html(report))
    shaded = [
        a for t, a in page.tags if t == "span" and "t" in (a.get("class") or "").split() and "data-lp" in a
    ]
    assert len(shaded) >= sum(len(s.tokens) for s in report.segments)
    assert all(re.fullmatch(r"--s:[01]\.\d\d;--ss:[01]\.\d\d", a["style"] or "") for a in shaded)
    linked_target = [a for t, a in page.tags if "data-w" in a and "t" in (a.get("class") or "").split()]
    linked_source = [a for t, a in page.tags if "data-w" in a and "w" in (a.get("class") or "").split()]
    assert linked_target and linked_source
    ids = {i for a in linked_source for i in (a["data-w"] or "").split()}
    assert {i for a in linked_target for i in (a["data-w"] or "").split()} <= ids


def test_page_is_self_contained_with_a_strict_policy():
    html = render_html(make_report(), compare_with=("reference", TARGET.replace("205", "250")))
    page = parse(html)
    for _, attributes in page.tags:
        for name in ("src", "href", "action", "data", "poster"):
            value = attributes.get(name)
            assert value is None or value.startswith("#"), (name, value)
    assert "<link" not in html and "@import" not in html and "url(" not in html
    csp = next(
        a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert "default-src 'none'" in csp
    script = page.scripts[1][1]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp  # the page's own script, and only it, may run


def test_target_only_report_has_no_source_column():
    report = make_report(source=None)
    html = render_html(report)
    assert '<td class="src"' not in html
    assert "Target-only audit" in html


def test_charts_and_filters_follow_the_report():
    report = make_report()
    page = parse(render_html(report))
    bars = [a for t, a in page.tags if t == "rect" and "bar" in (a.get("class") or "").split()]
    assert len(bars) == len(report.segments)
    assert sorted(a["class"] for a in bars) == ["bar band-fair", "bar band-good", "bar band-poor"]
    cats = {a["value"] for t, a in page.tags if t == "input" and a.get("data-filter") == "cat"}
    assert cats == {f.category for f in report.flags}
    sevs = {a["value"] for t, a in page.tags if t == "input" and a.get("data-filter") == "sev"}
    assert sevs == {"critical", "major", "minor"}
    # Each row names its flags' filter keys (the filters hide rows by them), and the same page every time.
    rows = [a for t, a in page.tags if t == "tr" and "row" in (a.get("class") or "").split()]
    flagged = {f"{f.severity}|{f.category.replace(' ', '_')}" for f in report.flags}
    assert rows and {key for a in rows for key in a["data-keys"].split()} == flagged
    assert render_html(report) == render_html(make_report())


def test_word_diff():
    assert word_diff("the cat sat", "the dog sat") == [
        ("equal", "the "),
        ("delete", "cat"),
        ("insert", "dog"),
        ("equal", " sat"),
    ]
    pieces = word_diff("a b\nc d\n", "a x\nc d\n")
    assert "".join(t for op, t in pieces if op != "delete") == "a x\nc d\n"
    assert "".join(t for op, t in pieces if op != "insert") == "a b\nc d\n"


def test_diff_view_with_reference():
    reference = TARGET.replace("205", "250").replace("claim", "demand")
    html = render_html(make_report(), compare_with=("reference", reference))
    diff = re.search(r'<div class="diff" lang="en">(.*?)</div>', html, re.S)
    assert diff is not None
    assert re.findall(r"<del>(.*?)</del>", diff.group(1)) == ["250", "demand"]
    assert re.findall(r"<ins>(.*?)</ins>", diff.group(1)) == ["205", "claim"]
    assert any(a.get("id") == "tab-diff" for _, a in parse(html).tags)


def test_seed_article_rules_only_every_flag_is_marked():
    """The real pipeline (rules only) on the seed pair: each flag's text lies inside a highlighted mark."""
    from pathlib import Path

    from auditor import audit

    fixtures = Path(__file__).resolve().parent.parent / "fixtures"
    target = (fixtures / "article.en.txt").read_text(encoding="utf-8")
    source = (fixtures / "article.fr.txt").read_text(encoding="utf-8")
    report = audit(target, source, model=None, target_name="article.en.txt", source_name="article.fr.txt")
    assert report.flags
    page = parse(render_html(report))
    marked = list(page.mark_text.values())
    for flag in report.flags:
        if flag.target_span is None or flag.target_span[0] == flag.target_span[1]:
            continue
        segments = [
            s
            for s in report.segments
            if s.target_span and s.target_span[0] <= flag.target_span[0] < s.target_span[1]
        ]
        if not segments:
            continue
        end = min(flag.target_span[1], segments[0].target_span[1])  # a mark stops at its row
        piece = report.target_text[flag.target_span[0] : end]
        assert any(piece in text for text in marked), (flag.rule, piece)
    assert len([t for t, a in page.tags if t == "li" and "fl" in (a.get("class") or "").split()]) == len(
        report.flags
    )
