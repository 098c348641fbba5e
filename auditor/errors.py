"""Errors the user can fix: the CLI prints them as one line and exits 2."""


class AuditorError(Exception):
    """A problem with the user's input, model or environment (never a bug)."""


class InputError(AuditorError):
    """An input file is missing, empty, binary or not valid UTF-8."""


class ModelError(AuditorError):
    """A model cannot be found, prepared, verified or loaded."""
