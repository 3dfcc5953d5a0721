"""The docs pages generated from code, keyed by their path in the repository."""

from __future__ import annotations

from cptm_rules import catalogue

__all__ = ["generated_pages"]


def generated_pages() -> dict[str, str]:
    """Map each generated page's repository path to its text."""
    return {"docs/rules.md": catalogue.render_markdown()}
