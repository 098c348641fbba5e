"""`make bench`: every benchmark in turn, each printing its own numbers."""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = [
    "speed",
    "quality",
    "fit_fluency",
    "flags",
    "spans",
    "train_word_errors",  # the word-error model's cross-validated figures (it writes nothing without --write)
    "train_stack",
    "align_sentences",
    "align_words",
    "feed",
]


def main() -> None:
    only = sys.argv[1:] or BENCHMARKS
    for name in only:
        print(f"\n===== benchmarks.{name} =====", flush=True)
        module = importlib.import_module(f"benchmarks.{name}")
        sys.argv = [f"benchmarks.{name}"]
        module.main()


if __name__ == "__main__":
    main()
