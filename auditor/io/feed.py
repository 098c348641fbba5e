"""Translation feeds: many documents, each a target with optional source and reference.

Accepted inputs (`read_feed` picks by what the path is):

- a `.jsonl` file, one document a line: `{"id": ..., "source": ..., "target": ..., "reference": ...}`;
  `target` and `id` are required, `source` and `reference` optional, `source_lang`/`target_lang` optional.
- a folder of pairs: `NAME.src.txt` (source), `NAME.tgt.txt` (target), `NAME.ref.txt` (reference,
  optional); the document id is NAME. A target without a source is audited target-only. Bilingual files
  (`.jsonl`, `.xlf`, `.xliff`, `.tmx`, `.po`) inside the folder are read too; other files are ignored.
- an XLIFF, TMX or PO file, read with translate-toolkit: each XLIFF `<file>` is one document (TMX and PO:
  the whole file); its units are joined one per line, so a unit is never merged with its neighbour.
  Header units and units without a translation are skipped.

`iter_feed` streams: a JSONL feed is read a line at a time, a folder a pair (or a bilingual file) at a time,
so memory follows one document, not the feed (an XLIFF/TMX/PO file is parsed whole, one file at a time).
`read_feed` is the same as a list.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import InputError
from auditor.io.text import decode_text, read_text_file

BILINGUAL_SUFFIXES = {".xlf", ".xliff", ".tmx", ".po"}
PAIR_SUFFIXES = {".src.txt": "source", ".tgt.txt": "target", ".ref.txt": "reference"}


@dataclass
class FeedDocument:
    """One document of a feed; `origin` says where it came from (file, file:line, file#unit-file)."""

    id: str
    target: str
    source: str | None = None
    reference: str | None = None
    source_lang: str | None = None
    target_lang: str | None = None
    origin: str = ""


def read_feed(path: str | Path) -> list[FeedDocument]:
    """All documents of the feed at `path`, in a stable order; InputError names the bad file and line."""
    return list(iter_feed(path))


def iter_feed(path: str | Path) -> Iterator[FeedDocument]:
    """The documents of the feed at `path` one at a time, in a stable order; InputError (raised when the
    reader reaches it) names the bad file and line, a repeated id, or a feed without documents."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    documents = iter_folder(path) if path.is_dir() else iter_feed_file(path)
    found = False
    for doc in _unique(documents):
        found = True
        yield doc
    if not found:
        raise InputError(f"{path}: no documents found")


def read_feed_file(path: Path) -> list[FeedDocument]:
    return list(iter_feed_file(path))


def iter_feed_file(path: Path) -> Iterator[FeedDocument]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return iter_jsonl(path)
    if suffix in BILINGUAL_SUFFIXES:
        return iter(read_bilingual(path))
    raise InputError(
        f"{path}: unknown feed format {suffix or '(no extension)'!r} "
        "(expected .jsonl, .xlf, .xliff, .tmx, .po or a folder of NAME.src.txt/NAME.tgt.txt pairs)"
    )


def read_jsonl(path: Path) -> list[FeedDocument]:
    return list(iter_jsonl(path))


def iter_jsonl(path: Path) -> Iterator[FeedDocument]:
    if path.is_dir():
        raise InputError(f"{path}: is a folder, expected a text file")
    try:
        handle = path.open("rb")
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    with handle:
        offset = 0
        for number, raw in enumerate(handle, start=1):
            try:
                line = decode_text(raw.removeprefix(b"\xef\xbb\xbf") if number == 1 else raw, str(path))
            except InputError as error:
                raise InputError(_at_offset(str(error), offset)) from None
            offset += len(raw)
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as error:
                raise InputError(f"{where}: invalid JSON ({error.msg} at column {error.colno})") from None
            if not isinstance(obj, dict):
                raise InputError(f"{where}: expected a JSON object, got {type(obj).__name__}")
            yield _document_from_json(obj, where)


def _at_offset(message: str, offset: int) -> str:
    # decode_text counts bytes from the start of the line it was given; the user wants the file's offset.
    head, sep, tail = message.partition("(byte ")
    if not sep:
        return message
    number, _, rest = tail.partition(")")
    return f"{head}(byte {offset + int(number)}){rest}" if number.isdigit() else message


def _document_from_json(obj: dict[str, object], where: str) -> FeedDocument:
    def text_field(name: str, required: bool) -> str | None:
        value = obj.get(name)
        if value is None:
            if required:
                raise InputError(f"{where}: missing field {name!r}")
            return None
        if not isinstance(value, str):
            raise InputError(f"{where}: field {name!r} must be a string, got {type(value).__name__}")
        if required and not value.strip():
            raise InputError(f"{where}: field {name!r} is empty")
        return value

    raw_id = obj.get("id")
    if raw_id is None or isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        raise InputError(f"{where}: missing field 'id' (a string or an integer)")
    source = text_field("source", False)
    return FeedDocument(
        id=str(raw_id),
        target=text_field("target", True) or "",
        source=source if source and source.strip() else None,
        reference=text_field("reference", False),
        source_lang=text_field("source_lang", False),
        target_lang=text_field("target_lang", False),
        origin=where,
    )


def read_folder(folder: Path) -> list[FeedDocument]:
    return list(iter_folder(folder))


def iter_folder(folder: Path) -> Iterator[FeedDocument]:
    """Bilingual files first (in name order), then the pairs (in stem order); names are listed up front,
    files are read as their document comes."""
    pairs: dict[str, dict[str, Path]] = {}
    bilingual: list[Path] = []
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        name = path.name
        match = next((s for s in PAIR_SUFFIXES if name.lower().endswith(s)), None)
        if match is not None:
            pairs.setdefault(name[: -len(match)], {})[PAIR_SUFFIXES[match]] = path
        elif path.suffix.lower() == ".jsonl" or path.suffix.lower() in BILINGUAL_SUFFIXES:
            bilingual.append(path)
    for stem, files in sorted(pairs.items()):
        if "target" not in files:
            have = ", ".join(sorted(p.name for p in files.values()))
            raise InputError(f"{folder}: {have} has no {stem}.tgt.txt beside it")
    for path in bilingual:
        yield from iter_feed_file(path)
    for stem, files in sorted(pairs.items()):
        yield FeedDocument(
            id=stem,
            target=read_text_file(files["target"]),
            source=read_text_file(files["source"]) if "source" in files else None,
            reference=read_text_file(files["reference"]) if "reference" in files else None,
            origin=str(files["target"]),
        )


def read_bilingual(path: Path) -> list[FeedDocument]:
    """XLIFF, TMX or PO through translate-toolkit's storage factory."""
    from translate.storage import factory

    data = path.read_bytes() if path.is_file() else b""
    decode_text(data, str(path))  # the same one-line errors for binary or non-UTF-8 files
    try:
        store = factory.getobject(str(path))
    except Exception as error:  # translate-toolkit raises many types for a malformed file
        raise InputError(f"{path}: cannot read as {path.suffix.lstrip('.').upper()} ({error})") from None
    source_lang = _lang(store, "getsourcelanguage")
    target_lang = _lang(store, "gettargetlanguage")
    groups: dict[str, list[tuple[str, str]]] = {}
    for unit in store.units:
        if unit.isheader():
            continue
        source, target = _unit_text(unit.source), _unit_text(unit.target)
        if not target.strip():
            continue
        target_lang = target_lang or _tmx_target_lang(unit, source_lang)
        groups.setdefault(_unit_file(unit), []).append((source, target))
    documents = []
    for file_name, units in groups.items():
        doc_id = path.name if len(groups) == 1 or not file_name else f"{path.name}#{file_name}"
        sources = [s for s, _ in units]
        documents.append(
            FeedDocument(
                id=doc_id,
                target="\n".join(t for _, t in units) + "\n",
                source="\n".join(sources) + "\n" if any(s.strip() for s in sources) else None,
                source_lang=source_lang,
                target_lang=target_lang,
                origin=f"{path}#{file_name}" if file_name else str(path),
            )
        )
    return documents


def _unit_text(value: object) -> str:
    # Units hold str, or multistring for plurals: its str() is the first form. One unit is one line.
    return " ".join(str(value or "").split("\n")).strip()


def _lang(store: object, getter: str) -> str | None:
    get = getattr(store, getter, None)
    value = get() if callable(get) else None
    return str(value).split("-")[0].split("_")[0].lower() if value else None


def _unit_file(unit: object) -> str:
    element = getattr(unit, "xmlelement", None)
    if element is None:
        return ""
    for ancestor in element.iterancestors():
        if str(ancestor.tag).endswith("}file") or ancestor.tag == "file":
            return str(ancestor.get("original") or "")
    return ""


def _tmx_target_lang(unit: object, source_lang: str | None) -> str | None:
    element = getattr(unit, "xmlelement", None)
    if element is None or not str(element.tag).endswith("tu"):
        return None
    for tuv in element:
        lang = tuv.get("{http://www.w3.org/XML/1998/namespace}lang") or tuv.get("lang")
        if lang:
            code = lang.split("-")[0].split("_")[0].lower()
            if code != source_lang:
                return str(code)
    return None


def _unique(documents: Iterable[FeedDocument]) -> Iterator[FeedDocument]:
    seen: dict[str, str] = {}
    for doc in documents:
        if doc.id in seen:
            raise InputError(f"{doc.origin}: duplicate document id {doc.id!r} (first at {seen[doc.id]})")
        seen[doc.id] = doc.origin
        yield doc
