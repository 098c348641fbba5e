"""Errors the user can fix. The CLI prints each as one line `error: …` and exits with its `exit_code`:
2 for a usage or input problem, 3 for a model or environment problem (corrupt cache, unwritable output,
out of memory)."""


class AuditorError(Exception):
    """A problem with the user's input, model or environment (never a bug)."""

    exit_code = 2


class InputError(AuditorError):
    """An input file or option is missing, empty, binary, too large or not text."""


class ModelError(AuditorError):
    """A model cannot be found, prepared, verified or loaded, or it produced a non-finite number."""

    exit_code = 3


class EnvError(AuditorError):
    """The machine cannot do what was asked: an output that cannot be written, no memory, a lock."""

    exit_code = 3


def exit_code_of(error: BaseException) -> int:
    """The documented exit status for an error: 2 usage/input, 3 model/environment (also for a crash)."""
    if isinstance(error, AuditorError):
        return error.exit_code
    return 3
