"""The language model: manifests, the prepared-model cache, and batched log-probability scoring."""

import os

# torch's OpenMP threads spin between parallel regions by default; on a machine whose cores are busy with
# other work a spinning thread steals the core its sibling needs, and a 2-thread forward pass ran 1.6x
# slower than a 1-thread one (benchmarks/spans.py --speed). Passive waiting keeps the threads' gain on an
# idle machine without that loss. It takes effect only when set before torch is first imported.
WAIT_POLICY_SET = "OMP_WAIT_POLICY" not in os.environ  # by us, not by the user
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
