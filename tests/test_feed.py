"""Feed readers: JSONL, a folder of pairs, XLIFF/TMX/PO, and their one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.io.feed import read_feed
from auditor.io.output import check_output_dir, check_writable, safe_file_names, write_atomic

FEED = Path(__file__).resolve().parent.parent / "fixtures" / "feed"


def test_jsonl_documents_keep_their_fields():
    docs = read_feed(FEED / "news.jsonl")
    assert [d.id for d in docs] == ["budget", "strike", "weather", "museum", "notice"]
    strike = docs[1]
    assert strike.source is not None and "250 salariés" in strike.source
    assert "205 employees" in strike.target
    assert strike.reference is not None and strike.reference.startswith("About 250")
    assert strike.origin.endswith("news.jsonl:2")
    assert docs[3].reference is None
    assert docs[4].source is None  # target-only document


def test_folder_of_pairs():
    docs = read_feed(FEED / "pairs")
    assert [d.id for d in docs] == ["harbour", "school"]
    assert docs[0].reference is not None and "cruise ships" in docs[0].reference
    assert docs[1].reference is None
    assert docs[1].source == "La nouvelle école ouvrira en septembre avec 14 classes.\n"


def test_xliff_one_document_per_file_element_and_untranslated_units_skipped():
    docs = read_feed(FEED / "bilingual" / "app.xlf")
    assert [d.id for d in docs] == ["app.xlf#help/start.txt", "app.xlf#help/print.txt"]
    assert (
        docs[0].source
        == "Ouvrez le fichier depuis le menu principal.\nEnregistrez vos modifications avant de quitter.\n"
    )
    assert docs[0].target == "Open the file from the main menu.\nSave your changes before quitting.\n"
    assert docs[1].target == "Printing can take up to 30 seconds.\n"  # the empty <target> is skipped
    assert (docs[0].source_lang, docs[0].target_lang) == ("fr", "en")


def test_tmx_and_po():
    tmx = read_feed(FEED / "bilingual" / "glossary.tmx")
    assert len(tmx) == 1
    assert tmx[0].source == "Le train part à 8 h 15.\nLe quai a changé.\n"
    assert tmx[0].target == "The train leaves at 8:15.\nThe platform has changed.\n"
    assert (tmx[0].source_lang, tmx[0].target_lang) == ("fr", "en")
    po = read_feed(FEED / "bilingual" / "messages.po")
    assert len(po) == 1
    # The header is not a document line; the fuzzy unit is audited; the untranslated one is skipped.
    assert po[0].target == "Your password has been changed.\nUnable to connect.\n"
    assert po[0].target_lang == "en"


def test_folder_reads_bilingual_files_beside_pairs(tmp_path):
    (tmp_path / "a.src.txt").write_text("Bonjour.\n", encoding="utf-8")
    (tmp_path / "a.tgt.txt").write_text("Hello.\n", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored\n", encoding="utf-8")
    (tmp_path / "more.jsonl").write_text(
        json.dumps({"id": "b", "target": "Thanks."}) + "\n", encoding="utf-8"
    )
    docs = read_feed(tmp_path)
    assert sorted(d.id for d in docs) == ["a", "b"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "target": "ok"}\n\n{"id": "b", "target": "ok"\n', "feed.jsonl:3: invalid JSON"),
        ('{"id": "a", "source": "x"}\n', "feed.jsonl:1: missing field 'target'"),
        ('{"target": "x"}\n', "feed.jsonl:1: missing field 'id'"),
        ('{"id": "a", "target": 3}\n', "feed.jsonl:1: field 'target' must be a string"),
        ('{"id": "a", "target": "   "}\n', "feed.jsonl:1: field 'target' is empty"),
        ('["a", "b"]\n', "feed.jsonl:1: expected a JSON object"),
        ('{"id": "a", "target": "x"}\n{"id": "a", "target": "y"}\n', "duplicate document id 'a'"),
    ],
)
def test_bad_jsonl_names_file_and_line(tmp_path, content, message):
    path = tmp_path / "feed.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_feed(path)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_input_errors(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_feed(tmp_path / "missing.jsonl")
    (tmp_path / "feed.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown feed format '\.csv'"):
        read_feed(tmp_path / "feed.csv")
    (tmp_path / "bin.jsonl").write_bytes(b'{"id": 1}\x00\x01')
    with pytest.raises(InputError, match="binary"):
        read_feed(tmp_path / "bin.jsonl")
    (tmp_path / "latin1.jsonl").write_bytes('{"id": "a", "target": "café"}'.encode("latin-1"))
    with pytest.raises(InputError, match="not valid UTF-8"):
        read_feed(tmp_path / "latin1.jsonl")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no documents"):
        read_feed(empty)
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    (lonely / "x.src.txt").write_text("Bonjour.\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"has no x\.tgt\.txt"):
        read_feed(lonely)
    (tmp_path / "broken.xlf").write_text("<xliff><file>", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read as XLF"):
        read_feed(tmp_path / "broken.xlf")


def test_outputs_are_atomic_and_never_overwrite_without_force(tmp_path):
    path = tmp_path / "out.xml"
    check_writable(path, force=False)
    write_atomic(path, "one")
    with pytest.raises(InputError, match="already exists"):
        check_writable(path, force=False)
    check_writable(path, force=True)
    write_atomic(path, "two")
    assert path.read_text(encoding="utf-8") == "two"
    assert [p.name for p in tmp_path.iterdir()] == ["out.xml"]  # no temporary file left behind
    folder = tmp_path / "reports"
    check_output_dir(folder, force=False)  # new: fine
    folder.mkdir()
    check_output_dir(folder, force=False)  # empty: fine
    (folder / "index.html").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="not empty"):
        check_output_dir(folder, force=False)
    check_output_dir(folder, force=True)


def test_safe_file_names_are_distinct():
    names = safe_file_names(["a/b c", "a_b_c", "index", "..", "ÉTÉ"], ".html")
    assert len(set(names)) == 5
    assert names[0] == "a_b_c.html" and names[1] == "a_b_c-2.html"
    assert "index.html" not in names
    assert all("/" not in n and not n.startswith(".") for n in names)
