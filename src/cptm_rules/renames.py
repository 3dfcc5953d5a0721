"""Names that moved to another module keep working for a while, with a warning.

A module whose public name moved writes a two-line ``__getattr__`` (PEP 562) that asks
:func:`moved_attribute`, and lists the name under ``TYPE_CHECKING`` for type checkers;
the old spelling then finds the name in its new home and says where that is.
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["moved_attribute"]


def moved_attribute(module: str, name: str, homes: Mapping[str, str]) -> object:
    """``name`` of ``module``, found in its new module (``homes[name]``), with a warning.

    The ``DeprecationWarning`` names the old and the new spelling and points at the
    line that used the old one. A name ``homes`` does not list is the usual
    ``AttributeError``.
    """
    home = homes.get(name)
    if home is None:
        msg = f"module {module!r} has no attribute {name!r}"
        raise AttributeError(msg)
    # stacklevel 3: past this function and the module's __getattr__, to the caller.
    warnings.warn(f"{module}.{name} is now {home}.{name}", DeprecationWarning, stacklevel=3)
    return getattr(importlib.import_module(home), name)
