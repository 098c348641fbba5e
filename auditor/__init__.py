"""auditor: a translation-quality auditor. Public API: audit(), check(), score(), load_model()."""

__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Lazy, so that `import auditor` stays fast and the CLI can print errors before torch loads.
    if name == "audit":
        from auditor.pipeline import audit

        return audit
    if name == "check":
        from auditor.feed import check

        return check
    if name == "score":
        from auditor.scoring.segments import score_pairs

        return score_pairs
    if name == "load_model":
        from auditor.lm.model import load_model

        return load_model
    raise AttributeError(name)


__all__ = ["__version__", "audit", "check", "load_model", "score"]
