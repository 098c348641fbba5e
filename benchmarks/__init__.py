"""Benchmarks: each module prints its numbers with anchors computed in the same run. Data: ../shared/bench."""
