"""Stage 5: flags. Importing this package registers every rule family."""

from auditor.checks import (  # noqa: F401  (each module registers its rules)
    alignment,
    boilerplate,
    entities,
    fluency,
    language,
    lexicon,
    literal,
    numbers,
    quotes,
    spelling,
    typography,
    untranslated,
)
from auditor.checks.registry import REGISTRY, CheckContext, Rule, RuleConfig, register, run_checks

__all__ = ["REGISTRY", "CheckContext", "Rule", "RuleConfig", "register", "run_checks"]
