"""Readers: plain text files and translation feeds (JSONL, a folder of pairs, XLIFF/TMX/PO)."""

from auditor.io.feed import FeedDocument, iter_feed, read_feed
from auditor.io.text import read_text_file

__all__ = ["FeedDocument", "iter_feed", "read_feed", "read_text_file"]
