"""Renderers of a Report: text (rich), json, html (self-contained page), junit and sarif (CI)."""
