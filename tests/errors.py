"""Checking an error word for word, for the tests' tables of bad calls."""

from __future__ import annotations

from typing import Any

import pytest


def raises_exactly(code: str, names: dict[str, Any], kind: type[Exception], message: str) -> None:
    """Evaluate ``code`` with ``names``; it must raise exactly ``kind`` with ``message``."""
    with pytest.raises(kind) as caught:
        eval(code, names)  # noqa: S307  # the tests' own tables of calls
    assert type(caught.value) is kind
    assert str(caught.value) == message
