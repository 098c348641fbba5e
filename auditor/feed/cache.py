"""The result cache: one SQLite file (WAL) of segment scores and document reports, keyed by content hashes.

A segment's scores and token log-probabilities are keyed by the pipeline signature (model identity, prompt,
dtype, mapping version, head digest, …), the languages and the exact source and target text of the segment;
a document's report by that signature, the rule configuration, the auditor version and the whole document.
Every value is stored beside its own sha256 and checked on read; a file SQLite cannot open or that fails
`PRAGMA quick_check` is moved aside and rebuilt, never read. Several processes share the file safely: SQLite
locks it, and opening, checking and rebuilding happen under an exclusive file lock.

Location: `$AUDITOR_RESULT_CACHE` (a folder) if set, else the auditor cache folder (`$AUDITOR_CACHE` or the
platform cache folder), file `results.sqlite3`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from auditor.report import Scores, TokenScore

FILE_NAME = "results.sqlite3"
SCHEMA_VERSION = "1"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS segments (key TEXT PRIMARY KEY, value TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (key TEXT PRIMARY KEY, value TEXT NOT NULL, digest TEXT NOT NULL);
"""
TABLES = ("segments", "documents")


def result_cache_dir() -> Path:
    override = os.environ.get("AUDITOR_RESULT_CACHE")
    if override:
        return Path(override)
    from auditor.lm.cache import cache_root

    return cache_root()


def result_cache_path() -> Path:
    return result_cache_dir() / FILE_NAME


def content_key(*parts: str | None) -> str:
    """sha256 over the parts, each length-prefixed so that no two different part lists collide."""
    digest = hashlib.sha256()
    for part in parts:
        data = b"\x00none" if part is None else part.encode("utf-8")
        digest.update(f"{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


@dataclass
class RunStats:
    """What one run asked the cache and got."""

    documents_hit: int = 0
    documents_missed: int = 0
    segments_hit: int = 0
    segments_scored: int = 0

    def add(self, other: RunStats) -> None:
        self.documents_hit += other.documents_hit
        self.documents_missed += other.documents_missed
        self.segments_hit += other.segments_hit
        self.segments_scored += other.segments_scored

    def hit_rate(self) -> dict[str, float | None]:
        docs = self.documents_hit + self.documents_missed
        segs = self.segments_hit + self.segments_scored
        return {
            "documents": self.documents_hit / docs if docs else None,
            "segments": self.segments_hit / segs if segs else None,
        }


class ResultCache:
    """One process's connection to the cache file. Values are JSON; a bad one is a miss, never an answer."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or result_cache_path()
        self.rebuilt = False
        self._conn: sqlite3.Connection | None = self._open()

    # -- opening, checking, rebuilding --------------------------------------------------------------

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
        conn.execute("PRAGMA busy_timeout = 60000")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def _healthy(self, conn: sqlite3.Connection) -> bool:
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            return False
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None:
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            return True
        return bool(row[0] == SCHEMA_VERSION)

    def _open(self) -> sqlite3.Connection:
        with self._file_lock():
            conn: sqlite3.Connection | None = None
            try:
                conn = self._connect()
                if self._healthy(conn):
                    return conn
            except sqlite3.DatabaseError:
                pass
            if conn is not None:
                conn.close()
            self._move_aside()
            conn = self._connect()
            conn.executescript(_SCHEMA)
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            self.rebuilt = True
            print(f"warning: {self.path} was not a sound result cache; rebuilt it empty", file=sys.stderr)
            return conn

    def _move_aside(self) -> None:
        stamp = time.strftime("%Y%m%dT%H%M%S")
        for suffix in ("", "-wal", "-shm"):
            part = self.path.with_name(self.path.name + suffix)
            if part.exists():
                os.replace(part, part.with_name(f"{part.name}.corrupt-{stamp}"))

    def _broken(self, error: sqlite3.Error) -> None:
        # The file went bad during the run: stop using it (the next run rebuilds it) and keep auditing.
        print(
            f"warning: result cache {self.path}: {error}; not using it for the rest of this run",
            file=sys.stderr,
        )
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
        self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # -- values ------------------------------------------------------------------------------------

    def get(self, table: str, key: str) -> Any | None:
        assert table in TABLES
        if self._conn is None:
            return None
        try:
            row = self._conn.execute(f"SELECT value, digest FROM {table} WHERE key = ?", (key,)).fetchone()
        except sqlite3.Error as error:
            self._broken(error)
            return None
        if row is None:
            return None
        value, digest = row
        if _digest(value) != digest:
            self.delete(table, key)
            return None
        try:
            return json.loads(value)
        except ValueError:
            self.delete(table, key)
            return None

    def put_many(self, table: str, items: list[tuple[str, Any]]) -> None:
        assert table in TABLES
        if self._conn is None or not items:
            return
        rows = []
        for key, value in items:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
            rows.append((key, text, _digest(text)))
        try:
            with self._transaction():
                self._conn.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?)", rows)
        except sqlite3.Error as error:
            self._broken(error)

    def delete(self, table: str, key: str) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
        except sqlite3.Error as error:
            self._broken(error)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        assert self._conn is not None
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    # -- bookkeeping for `auditor cache info` -------------------------------------------------------

    def record_run(self, stats: RunStats) -> None:
        if self._conn is None:
            return
        value = json.dumps({**asdict(stats), "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        try:
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('last_run', ?)", (value,))
        except sqlite3.Error as error:
            self._broken(error)

    def info(self) -> dict[str, Any]:
        counts = {t: 0 for t in TABLES}
        last: dict[str, Any] | None = None
        if self._conn is not None:
            for table in TABLES:
                counts[table] = self._conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
            row = self._conn.execute("SELECT value FROM meta WHERE key = 'last_run'").fetchone()
            last = json.loads(row[0]) if row else None
        size = sum(
            p.stat().st_size
            for p in (self.path.with_name(self.path.name + s) for s in ("", "-wal", "-shm"))
            if p.exists()
        )
        if last is not None:
            stats = RunStats(**{k: last[k] for k in asdict(RunStats())})
            last["hit_rate"] = stats.hit_rate()
        return {"path": str(self.path), "entries": counts, "bytes": size, "last_run": last}

    def clear(self) -> dict[str, int]:
        """Empty every table; returns how many entries went."""
        assert self._conn is not None
        removed = {}
        with self._transaction():
            for table in TABLES:
                removed[table] = self._conn.execute(f"DELETE FROM {table}").rowcount
            self._conn.execute("DELETE FROM meta WHERE key = 'last_run'")
        self._conn.execute("VACUUM")
        return removed


class SegmentScores:
    """The scoring hook (`auditor.scoring.segments.ScoreCache`) over a `ResultCache` for one signature.

    Token spans are stored relative to the segment's start, so a segment scores the same wherever it sits."""

    def __init__(self, cache: ResultCache, signature: str) -> None:
        self.cache = cache
        self.signature = signature
        self.hits = 0
        self.misses = 0

    def _key(self, src_lang: str | None, tgt_lang: str, source: str | None, target: str) -> str:
        return content_key("segment", self.signature, src_lang, tgt_lang, source, target)

    def load(
        self, src_lang: str | None, tgt_lang: str, source: str | None, target: str
    ) -> tuple[Scores, list[TokenScore]] | None:
        value = self.cache.get("segments", self._key(src_lang, tgt_lang, source, target))
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        scores = Scores(**value["scores"])
        return scores, [TokenScore.from_row(t) for t in value["tokens"]]

    def save(
        self,
        items: list[tuple[tuple[str | None, str, str | None, str], Scores, list[TokenScore]]],
    ) -> None:
        self.cache.put_many(
            "segments",
            [
                (
                    self._key(*pair),
                    {
                        "scores": asdict(scores),
                        "tokens": [t.as_row() for t in tokens],
                    },
                )
                for pair, scores, tokens in items
            ],
        )
