"""A name that moved to another module: found in its new home, with a warning."""

from __future__ import annotations

import inspect

import pytest

from cptm_rules import money
from cptm_rules.renames import moved_attribute

HOMES = {"Money": "cptm_rules.money"}


def _module_getattr(name: str) -> object:
    """What a module whose name moved writes as its ``__getattr__``."""
    return moved_attribute("old.place", name, HOMES)


def test_a_moved_name_is_the_new_modules_own_and_the_warning_points_at_its_user() -> None:
    here = inspect.currentframe()
    assert here is not None
    line = here.f_lineno + 4  # the line of the call below
    with pytest.warns(
        DeprecationWarning, match=r"^old\.place\.Money is now cptm_rules\.money\.Money$"
    ) as seen:
        found = _module_getattr("Money")
    assert found is money.Money
    # Past moved_attribute and the module's __getattr__: the line that used the old name.
    assert [(w.filename, w.lineno) for w in seen] == [(__file__, line)]


def test_a_name_that_never_moved_is_the_usual_attribute_error_naming_the_module() -> None:
    with pytest.raises(AttributeError, match=r"^module 'old\.place' has no attribute 'Euro'$"):
        moved_attribute("old.place", "Euro", HOMES)
