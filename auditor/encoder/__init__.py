"""The sentence encoder: texts → unit vectors that are close when the texts mean the same across languages.

A second embedded model beside the LM (auditor/lm/): the aligner, the omission checks and the fidelity score use
it. `load_encoder()` gives the default (models/encoders/use-m3.toml), loaded lazily and once per process.
"""

from auditor.encoder.base import SentenceEncoder
from auditor.encoder.load import DEFAULT_ENCODER, describe_encoder, load_encoder

__all__ = ["DEFAULT_ENCODER", "SentenceEncoder", "describe_encoder", "load_encoder"]
