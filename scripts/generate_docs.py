"""Regenerate the files built from code: ``python scripts/generate_docs.py``.

The docs pages, the JSON Schemas and ``src/cptm_rules/rule_index.json`` (which tests
and scenarios exercise each rule).

The test suite fails when a generated page is stale, and tells you to run this.
"""

from __future__ import annotations

from pathlib import Path

from cptm_rules.docs import generated_pages

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Write every generated page under ``docs/``."""
    for relative, text in generated_pages(ROOT).items():
        path = ROOT / relative
        path.write_text(text, encoding="utf-8")
        print(f"wrote {relative}")


if __name__ == "__main__":
    main()
