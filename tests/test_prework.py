"""The prework family's own entry points (R5-R8), beside the journey that uses them."""

from __future__ import annotations

import re

import pytest

from cptm_rules.exceptions import InvalidInputError, RuleViolationError
from cptm_rules.policy import load_policy
from cptm_rules.rules.prework import check_module

CURRENT = load_policy()


def test_a_module_the_prework_has_passes_the_check_and_one_beyond_it_is_refused_R5() -> None:
    check_module(CURRENT, 1)
    check_module(CURRENT, CURRENT.module_count)
    beyond = CURRENT.module_count + 1
    with pytest.raises(RuleViolationError) as refused:
        check_module(CURRENT, beyond)
    assert str(refused.value) == (
        f"cannot apply CompleteModule: module {beyond} does not exist: the prework has "
        f"modules 1 to {CURRENT.module_count} (R5)"
    )
    assert (refused.value.rule_id, refused.value.state, refused.value.allowed) == ("R5", "", ())
    with pytest.raises(RuleViolationError, match=r"^cannot apply RecordAssessment: module"):
        check_module(CURRENT, beyond, event="RecordAssessment")


@pytest.mark.parametrize("module", [0, -1, True, 2.0, "3"])
def test_a_module_number_that_is_not_a_whole_number_from_one_is_refused_naming_it(
    module: object,
) -> None:
    with pytest.raises(
        InvalidInputError,
        match=rf"^module={re.escape(repr(module))} is not valid: expected a whole number >= 1$",
    ):
        check_module(CURRENT, module)  # type: ignore[arg-type]  # wrong on purpose
