"""Per-run rule choices: `[tool.auditor]` of a pyproject.toml, then the command line on top.

    [tool.auditor]
    disable = ["AUD303", "boilerplate"]      # rule codes or categories (a category prefix disables them all)

    [tool.auditor.severity]
    AUD301 = "major"

On the command line: `--disable AUD303` and `--severity AUD301=major`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from auditor.checks.registry import REGISTRY, RuleConfig
from auditor.errors import InputError
from auditor.report import Severity


def _known() -> dict[str, Any]:
    import auditor.checks  # noqa: F401  (registers every rule)

    return REGISTRY


def resolve_codes(names: Iterable[str], origin: str) -> set[str]:
    """Rule codes named directly, every rule of a category ("fluency/calque") or family ("fluency"), or a
    group: "lexicon" is every rule that reads the curated phrase lexicon (auditor/data/lexicon-fr-en.toml)."""
    from auditor.checks.lexicon import LEXICON_CODES

    registry = _known()
    codes: set[str] = set()
    for raw in names:
        name = raw.strip()
        if name.lower() == "lexicon":
            codes |= set(LEXICON_CODES)
            continue
        if name.upper() in registry:
            codes.add(name.upper())
            continue
        matched = {c for c, r in registry.items() if r.category == name or r.category.startswith(name + "/")}
        if not matched:
            raise InputError(f"{origin}: unknown rule or category {name!r} (see `auditor rules`)")
        codes |= matched
    return codes


def _severities(pairs: dict[str, Any], origin: str) -> dict[str, Severity]:
    out: dict[str, Severity] = {}
    for name, level in pairs.items():
        try:
            severity = Severity.parse(str(level))
        except ValueError as error:
            raise InputError(f"{origin}: {error}") from None
        for code in resolve_codes([name], origin):
            out[code] = severity
    return out


def parse_table(table: dict[str, Any], origin: str) -> RuleConfig:
    disable = table.get("disable", [])
    if isinstance(disable, str):
        disable = [disable]
    if not isinstance(disable, list):
        raise InputError(f"{origin}: [tool.auditor] disable must be a list of rule codes")
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise InputError(
            f'{origin}: [tool.auditor.severity] must be a table of CODE = "minor|major|critical"'
        )
    return RuleConfig(resolve_codes(disable, origin), _severities(severity, origin))


def find_pyproject(start: Path) -> Path | None:
    """The nearest pyproject.toml at or above `start` that has a [tool.auditor] table."""
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            try:
                data = tomllib.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            if "auditor" in data.get("tool", {}):
                return candidate
    return None


def load_pyproject(path: Path) -> RuleConfig:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not valid TOML ({error})") from None
    table = data.get("tool", {}).get("auditor", {})
    if not isinstance(table, dict):
        raise InputError(f"{path}: [tool.auditor] must be a table")
    return parse_table(table, str(path))


def rule_config(
    *,
    pyproject: Path | None = None,
    start: Path | None = None,
    disable: Iterable[str] = (),
    severity: Iterable[str] = (),
) -> RuleConfig:
    """The run's RuleConfig: the pyproject's [tool.auditor] (given, or found from `start` upwards), then
    `disable` codes and `severity` items ("AUD301=major") from the command line on top."""
    path = pyproject or (find_pyproject(start) if start is not None else None)
    config = load_pyproject(path) if path is not None else RuleConfig()
    config.disabled |= resolve_codes(disable, "--disable")
    for item in severity:
        code, sep, level = item.partition("=")
        if not sep:
            raise InputError(f"--severity {item!r}: expected CODE=minor|major|critical")
        config.severities.update(_severities({code: level}, "--severity"))
    return config
