"""A name that moved to another module: found in its new home, with a warning."""

from __future__ import annotations

import pytest

from cptm_rules import money
from cptm_rules.renames import moved_attribute

HOMES = {"Money": "cptm_rules.money"}


def test_a_moved_name_is_the_new_modules_own_and_the_warning_names_both_spellings() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"^old\.place\.Money is now cptm_rules\.money\.Money$"
    ):
        found = moved_attribute("old.place", "Money", HOMES)
    assert found is money.Money


def test_a_name_that_never_moved_is_the_usual_attribute_error_naming_the_module() -> None:
    with pytest.raises(AttributeError, match=r"^module 'old\.place' has no attribute 'Euro'$"):
        moved_attribute("old.place", "Euro", HOMES)
