"""The report as JSON (schema `auditor.report/1`, documented in README.md)."""

from __future__ import annotations

import json

from auditor.render.gate import json_safe
from auditor.report import Report


def render_json(report: Report) -> str:
    return json.dumps(json_safe(report.to_json()), ensure_ascii=False, indent=2, allow_nan=False) + "\n"
