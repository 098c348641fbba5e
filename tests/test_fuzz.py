"""Property-based fuzzing (hypothesis) of the readers, the segmenter, both aligners, the rules and every
renderer, with hostile text: control characters, RTL and combining marks, huge numbers, empty lines, long
tokens, markup. Properties: only the auditor's own errors are raised, every offset lies inside its text,
and the HTML report parses and holds no element or attribute that came from the input.

Profiles: `quick` (the default, in `make test`) and `long` (`make fuzz`: AUDITOR_FUZZ_PROFILE=long, at
least 10,000 examples per target).
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.document import Document
from auditor.errors import AuditorError

settings.register_profile(
    "quick", max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
settings.register_profile(
    "long", max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck), print_blob=True
)
settings.load_profile(os.environ.get("AUDITOR_FUZZ_PROFILE", "quick"))
if os.environ.get("AUDITOR_FUZZ_EXAMPLES"):  # e.g. a short run between the two profiles
    settings.register_profile("custom", settings(max_examples=int(os.environ["AUDITOR_FUZZ_EXAMPLES"])))
    settings.load_profile("custom")

INJECTED_TAGS = {"zzinj", "img", "iframe", "object", "embed", "svg:zzinj"}
INJECTED_ATTRS = {"onerror", "onload", "data-zzinj", "zzattr"}
FRAGMENTS = [
    "", " ", "\n", "\n\n", "\t", "\x00", "\x07", "\x1b[31m", "\x85", "\u2028", "\u2029", "\ufeff", "\u200b",
    "\u202e", "\u200f", "مرحبا بالعالم.", "שלום.", "e\u0301\u0301\u0301", "\u0308" * 30, "Z\u0351\u036b\u0343",
    "١٢٣٤٥", "9" * 400, "1e308", "-0,000001", "12 345 678,90 €", "3.14159265358979323846",
    "x" * 3000, "anticonstitutionnellement" * 40, "🇫🇷👩‍👩‍👧", "\U0001f600" * 20,
    "<zzinj zzattr=1>", "</script><zzinj onerror=alert(1)>", "<img src=x onerror=alert(1)>",
    "<iframe src=javascript:alert(1)>", "\"'><svg onload=alert(1)>", "<!--", "]]>", "&amp;&#0;&#xD800;",
    "{{ 7*7 }}", "{% raw %}", "${x}", "Le chat dort. ", "The cat sleeps. ", "M. Dupont a dit : « Non ! » ",
    "Mr. Smith said \"no\". ", "« ", " »", "...", "!!!", "?", "|||", "AUD201", "2020-01-05", "5 janvier",
]  # fmt: skip
plain = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
texts = st.lists(st.one_of(st.sampled_from(FRAGMENTS), plain), max_size=14).map("".join)
nonblank = texts.filter(lambda t: t.strip() != "")


def _inside(span: tuple[int, int] | None, text: str) -> bool:
    return span is None or (0 <= span[0] <= span[1] <= len(text))


@given(
    st.binary(max_size=400) | texts.map(lambda t: t.encode("utf-8")) | texts.map(lambda t: t.encode("utf-16"))
)
def test_decoding_bytes(data: bytes) -> None:
    from auditor.io.text import decode_text

    try:
        text = decode_text(data, "fuzz")
    except AuditorError:
        return
    assert "\r" not in text


FEED_SUFFIXES = [".jsonl", ".xlf", ".tmx", ".po"]


@given(
    st.sampled_from(FEED_SUFFIXES),
    st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.one_of(
                st.fixed_dictionaries(
                    {"id": texts, "target": texts}, optional={"source": texts, "reference": texts}
                ),
                st.dictionaries(
                    st.sampled_from(["id", "target", "source", "x"]),
                    st.one_of(texts, st.integers(), st.none()),
                ),
            ).map(json.dumps),
            max_size=4,
        ).map(lambda lines: "\n".join(lines).encode()),
        texts.map(
            lambda t: (
                f'<?xml version="1.0"?><xliff version="1.2"><file source-language="fr" target-language="en"><body><trans-unit id="1"><source>{t}</source><target>{t}</target></trans-unit></body></file></xliff>'.encode()
            )
        ),
        texts.map(lambda t: ('msgid "' + t.replace("\\", "").replace('"', "") + '"\nmsgstr "x"\n').encode()),
    ),
)
def test_feed_readers(suffix: str, data: bytes) -> None:
    from auditor.io.feed import read_feed

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"feed{suffix}"
        path.write_bytes(data)
        try:
            documents = read_feed(path)
        except AuditorError:
            return
    for doc in documents:
        assert isinstance(doc.target, str) and isinstance(doc.id, str)


@given(nonblank, st.sampled_from(["fr", "en", "de", "ar", "xx"]), st.booleans())
def test_segmenter_offsets(text: str, lang: str, one_per_line: bool) -> None:
    from auditor.segment import MAX_SEGMENT_CHARS, split_sentences

    segments = split_sentences(Document(text, lang), one_per_line=one_per_line)
    end = 0
    for index, segment in enumerate(segments):
        assert segment.index == index
        assert end <= segment.start < segment.end <= len(text)
        assert text[segment.start : segment.end] == segment.text and segment.text.strip()
        assert len(segment.text) <= MAX_SEGMENT_CHARS
        end = segment.end


@given(st.lists(texts, max_size=12), st.lists(texts, max_size=12))
def test_sentence_aligner_covers_every_sentence_once_in_order(source: list[str], target: list[str]) -> None:
    from auditor.align.sentences import align_texts

    links = align_texts(source, target, source_lang="fr", target_lang="en")
    src = [i for link in links for i in link.source]
    tgt = [j for link in links for j in link.target]
    assert sorted(src) == list(range(len(source))) and sorted(tgt) == list(range(len(target)))
    assert src == sorted(src) and tgt == sorted(tgt)


@given(texts, texts)
def test_word_aligner_spans(source: str, target: str) -> None:
    from auditor.align.words import align_words, link_texts, read_pairs

    for s_span, t_span in link_texts(source, target, "fr", "en"):
        assert 0 <= s_span[0] < s_span[1] <= len(source) and 0 <= t_span[0] < t_span[1] <= len(target)
    line = f"{' '.join(source.split())} ||| {' '.join(target.split())}"
    ((src, tgt),) = read_pairs(line.replace("\n", " "), "fuzz") or [([], [])]
    for i, j in align_words(src, tgt, None):
        assert 0 <= i < len(src) and 0 <= j < len(tgt)


@given(nonblank, st.one_of(st.none(), nonblank))
def test_rules_flag_inside_their_texts(target: str, source: str | None) -> None:
    from auditor.checks.context import check_texts

    for flag in check_texts(target, source):
        assert _inside(flag.target_span, target)
        if flag.target_span is not None:
            assert flag.text == target[flag.target_span[0] : flag.target_span[1]]
        assert source is not None or flag.source_span is None
        if flag.source_span is not None and source is not None:
            assert _inside(flag.source_span, source)


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.update(name for name, _ in attrs)

    handle_startendtag = handle_starttag


def _elements(html: str) -> _Elements:
    parser = _Elements()
    parser.feed(html)
    parser.close()
    return parser


_BASELINE: dict[str, int] = {}


@given(nonblank, st.one_of(st.none(), nonblank))
def test_every_renderer(target: str, source: str | None) -> None:
    from rich.console import Console

    from auditor.pipeline import audit
    from auditor.render.gate import Gate
    from auditor.render.html import render_html
    from auditor.render.json import render_json
    from auditor.render.junit import render_junit
    from auditor.render.sarif import render_sarif
    from auditor.render.text import render_text

    try:
        report = audit(target, source, src_lang="fr", tgt_lang="en", model=None, target_name="t<zzinj>.txt")
    except AuditorError:
        return
    for segment in report.segments:
        assert _inside(segment.target_span, target)
        if source is not None:
            assert _inside(segment.source_span, source)
    for flag in report.flags:
        assert _inside(flag.target_span, target)
    data = json.loads(render_json(report))
    assert data["schema"].startswith("auditor.report/")
    ET.fromstring(render_junit([report], Gate()).encode("utf-8"))
    json.loads(render_sarif([report]))
    console = Console(record=True, width=160, file=io.StringIO())
    render_text(report, console)
    assert report.signature in console.export_text()
    found = _elements(render_html(report))
    assert not INJECTED_TAGS & set(found.tags), set(found.tags) & INJECTED_TAGS
    assert not INJECTED_ATTRS & found.attrs
    scripts = found.tags.count("script")
    assert _BASELINE.setdefault("script", scripts) == scripts  # no script element came from the input
