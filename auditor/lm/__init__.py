"""The language model: manifests, the prepared-model cache, and batched log-probability scoring."""
