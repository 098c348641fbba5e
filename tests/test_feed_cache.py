"""The result cache: content keys, checked values, a corrupt file rebuilt, concurrent writers, and the
scoring hook that re-scores only the segments it does not know (with the real model)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from auditor.feed.cache import ResultCache, SegmentScores, content_key
from auditor.feed.codec import report_from_dict, report_to_dict

ROOT = Path(__file__).resolve().parent.parent


def test_keys_separate_their_parts():
    assert content_key("ab", "c") != content_key("a", "bc")
    assert content_key(None, "x") != content_key("", "x")
    assert content_key("a", "b") == content_key("a", "b")


def test_values_round_trip_and_a_tampered_value_is_a_miss(tmp_path):
    path = tmp_path / "results.sqlite3"
    cache = ResultCache(path)
    cache.put_many("documents", [("k1", {"a": 1}), ("k2", [1.5, None])])
    assert cache.get("documents", "k1") == {"a": 1}
    assert cache.get("documents", "k2") == [1.5, None]
    assert cache.get("segments", "k1") is None
    cache.close()
    with sqlite3.connect(path) as conn:  # another writer changes a value behind the cache's back
        conn.execute("UPDATE documents SET value = '{\"a\": 2}' WHERE key = 'k1'")
    cache = ResultCache(path)
    assert cache.get("documents", "k1") is None  # its digest no longer matches: never trusted
    assert cache.get("documents", "k2") == [1.5, None]
    assert cache.info()["entries"] == {"segments": 0, "documents": 1}
    cache.close()


def test_a_corrupt_file_is_detected_and_rebuilt(tmp_path, capfd):
    path = tmp_path / "results.sqlite3"
    cache = ResultCache(path)
    cache.put_many("segments", [(f"k{i}", {"i": i}) for i in range(500)])
    cache.close()
    data = bytearray(path.read_bytes())
    assert len(data) > 8192
    data[4096:8192] = b"\xa5" * 4096  # a page of garbage inside the file
    path.write_bytes(bytes(data))
    cache = ResultCache(path)
    assert cache.rebuilt
    assert "rebuilt it empty" in capfd.readouterr().err
    assert cache.get("segments", "k1") is None and cache.info()["entries"]["segments"] == 0
    cache.put_many("segments", [("k1", {"i": 1})])
    assert cache.get("segments", "k1") == {"i": 1}
    cache.close()
    assert list(tmp_path.glob("results.sqlite3.corrupt-*"))  # moved aside, not deleted
    path.write_bytes(b"not a database at all" * 100)
    assert ResultCache(path).rebuilt


WRITER = """
import sys
from pathlib import Path
from auditor.feed.cache import ResultCache
cache = ResultCache(Path(sys.argv[1]))
for i in range(200):
    cache.put_many("segments", [(f"{sys.argv[2]}-{i}", {"i": i})])
    assert cache.get("segments", f"{sys.argv[2]}-{i}") == {"i": i}
cache.close()
"""


def test_concurrent_writers_share_the_file(tmp_path):
    path = tmp_path / "results.sqlite3"
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), name], cwd=ROOT) for name in "abc"]
    assert [w.wait(timeout=300) for w in writers] == [0, 0, 0]
    cache = ResultCache(path)
    assert cache.info()["entries"]["segments"] == 600
    assert all(cache.get("segments", f"{n}-{i}") == {"i": i} for n in "abc" for i in (0, 199))
    cache.close()


SOURCE = (
    "Le conseil municipal a voté mardi le budget de l'année prochaine.\n"
    "Les dépenses d'entretien des routes augmenteront légèrement.\n"
    "Le maire a promis de nouvelles pistes cyclables.\n"
)
TARGET = (
    "The city council voted on next year's budget on Tuesday.\n"
    "Spending on road maintenance will rise slightly.\n"
    "The mayor promised new cycle lanes.\n"
)


def test_only_changed_segments_are_scored_again(lm, tmp_path):
    from auditor.pipeline import audit, signature

    cache = ResultCache(tmp_path / "results.sqlite3")

    def run(target: str) -> tuple[dict, SegmentScores]:
        hook = SegmentScores(cache, signature(lm))
        report = audit(target, SOURCE, model=lm, src_lang="fr", tgt_lang="en", score_cache=hook)
        return report.to_json(), hook

    first, hook = run(TARGET)
    assert (hook.hits, hook.misses) == (0, 3)
    again, hook = run(TARGET)
    assert (hook.hits, hook.misses) == (3, 0)
    assert json.dumps(again) == json.dumps(first)  # the same report, token scores and all
    edited = TARGET.replace("new cycle lanes", "new bicycle paths")
    changed, hook = run(edited)
    assert (hook.hits, hook.misses) == (2, 1)
    assert changed["segments"][:2] == first["segments"][:2]
    assert changed["segments"][2]["scores"] != first["segments"][2]["scores"]
    # Another signature (another model, prompt, mapping or head) shares nothing.
    other = SegmentScores(cache, signature(lm) + "|changed")
    audit(TARGET, SOURCE, model=lm, src_lang="fr", tgt_lang="en", score_cache=other)
    assert (other.hits, other.misses) == (0, 3)
    cache.close()


def test_reports_round_trip_through_the_codec(seed_report):
    data = report_to_dict(seed_report)
    back = report_from_dict(json.loads(json.dumps(data)))
    assert back == seed_report


def test_the_signature_is_known_without_loading_the_model(lm):
    """An all-cached feed never loads the model: its signature must be exactly the loaded model's."""
    from auditor.feed.worker import describe_model
    from auditor.pipeline import signature

    assert describe_model(lm.manifest.name, lm.dtype) == signature(lm)
