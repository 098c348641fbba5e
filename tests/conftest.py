"""Shared fixtures: the real model, loaded once per test session, and the seed audit made with it."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# `auditor check` keeps results in a cache; tests (and the commands they start) keep theirs apart from the
# user's, while the model checkpoint is still read from the shared model cache.
os.environ.setdefault("AUDITOR_RESULT_CACHE", tempfile.mkdtemp(prefix="auditor-test-results-"))

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


@pytest.fixture(scope="session")
def lm():
    from auditor.lm.model import load_model

    return load_model("gemma-3-270m")


@pytest.fixture(scope="session")
def seed_texts() -> tuple[str, str]:
    """(French source, English translation) of the seed article."""
    return (
        (FIXTURES / "article.fr.txt").read_text(encoding="utf-8"),
        (FIXTURES / "article.en.txt").read_text(encoding="utf-8"),
    )


@pytest.fixture(scope="session")
def seed_report(lm, seed_texts):
    from auditor.pipeline import audit

    source, target = seed_texts
    return audit(target, source, model=lm, target_name="article.en.txt", source_name="article.fr.txt")
