from __future__ import annotations

import ast
import concurrent.futures
import copy
import datetime as dt
import importlib
import inspect
import io
import multiprocessing
import pickle
from pathlib import Path

import pytest

import cptm_rules
from cptm_rules import exceptions
from cptm_rules.events import PayRenewalFee
from cptm_rules.exceptions import (
    CalendarRangeError,
    CptmRulesError,
    DecodeError,
    InvalidInputError,
    NaiveDatetimeError,
    OutputFileError,
    PolicyError,
    RuleViolationError,
    ScenarioError,
    TimingError,
    TransitionError,
)
from journeys import certified

ERROR_NAMES = [n for n in exceptions.__all__ if isinstance(getattr(exceptions, n), type)]


def test_errors_show_at_most_a_short_piece_of_a_bad_value() -> None:
    long_value = {"token": "x" * 500}
    message = str(InvalidInputError("registry", long_value, "a table of known keys"))
    assert "x" * 100 not in message
    assert message.startswith("registry={'token': 'xxx")
    assert len(exceptions.shown(long_value)) == exceptions.SHOWN_CHARACTERS
    assert exceptions.shown("short") == "'short'"


@pytest.mark.parametrize("name", ERROR_NAMES)
def test_every_error_belongs_to_the_hierarchy_and_a_builtin(name: str) -> None:
    cls = getattr(exceptions, name)
    assert issubclass(cls, CptmRulesError)
    assert issubclass(cls, Exception)
    if cls is not CptmRulesError:
        assert issubclass(cls, (ValueError, OSError))


def test_messages_name_the_field_the_value_and_what_is_valid() -> None:
    assert str(InvalidInputError("group_size", 0, "a whole number >= 1")) == (
        "group_size=0 is not valid: expected a whole number >= 1"
    )
    assert str(PolicyError(source="mine.toml", key="exam.x", value=1, expected="nothing")) == (
        "mine.toml: exam.x = 1 is not valid: expected nothing"
    )
    naive = NaiveDatetimeError("at", dt.datetime(2027, 1, 1))
    assert str(naive).startswith(
        "at=datetime.datetime(2027, 1, 1, 0, 0) is not valid: expected an aware"
    )
    assert (
        str(ScenarioError(source="f.toml", scenario=None, key="k", problem="p")) == "f.toml: k: p"
    )
    assert str(DecodeError((("$.a", "bad"), ("$.b", "worse")))) == (
        "cannot decode: $.a: bad; $.b: worse"
    )
    span = CalendarRangeError(
        field="day",
        value=dt.date(2050, 1, 1),
        first=dt.date(2020, 1, 1),
        last=dt.date(2040, 12, 31),
    )
    assert "day=2050-01-01 is outside the business calendar's range 2020-01-01..2040-12-31" in str(
        span
    )


def test_transition_errors_say_what_is_allowed_now() -> None:
    error = RuleViolationError(
        state="forfeited", event="Cancel(on=2027-01-12)", reason="no", allowed=()
    )
    assert str(error).endswith("Events allowed now: none")
    timing = TimingError(
        state="attended",
        event="AttemptExam(on=2027-07-20)",
        reason="late",
        allowed=("AttemptExam",),
        rule_id="R14",
        limit=dt.date(2027, 7, 14),
        days=6,
        side="after",
    )
    assert isinstance(timing, TransitionError)
    assert (timing.limit, timing.days, timing.side, timing.rule_id) == (
        dt.date(2027, 7, 14),
        6,
        "after",
        "R14",
    )
    assert "late (R14). Events allowed now: AttemptExam" in str(timing)


def _modules_defining_errors() -> list[str]:
    # Every module of the package with a class derived from a "...Error" class, found
    # without importing the others (the optional engines pull in large libraries).
    package = Path(cptm_rules.__file__).parent
    names = []
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(base).endswith("Error") for base in node.bases
            ):
                parts = path.relative_to(package.parent).with_suffix("").parts
                names.append(".".join(parts))
                break
    return names


def _library_errors() -> list[type[CptmRulesError]]:
    for name in _modules_defining_errors():
        importlib.import_module(name)
    found: list[type[CptmRulesError]] = []
    todo: list[type[CptmRulesError]] = [CptmRulesError]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.append(cls)
            todo.extend(cls.__subclasses__())
    return sorted(found, key=lambda cls: cls.__qualname__)


# A realistic value for each constructor parameter, by name: an error class with a
# parameter not listed here fails the round trip below until its value is added.
REALISTIC_ARGS = ("the library's own message",)
REALISTIC: dict[str, object] = {
    "args": REALISTIC_ARGS,
    "field": "registered_at",
    "value": dt.date(2099, 1, 11),
    "expected": "a date from 2020-01-01 to 2040-12-31",
    "source": "policies/board.toml",
    "key": "exam.window_months",
    "first": dt.date(2020, 1, 1),
    "last": dt.date(2040, 12, 31),
    "state": "attended",
    "event": "AttemptExam(on=2027-07-20)",
    "reason": "6 days too late: the last day to take the exam was 2027-07-14",
    "allowed": ("RecordActivity", "OpenElearning"),
    "rule_id": "R14",
    "limit": dt.date(2027, 7, 14),
    "days": 6,
    "side": "after",
    "scenario": "late exam",
    "problem": "expected a date, got 'soon'",
    "address": "tcp://127.0.0.1:8786",
    "problems": (("$.data.history[1].at", "expected an ISO instant"), ("$.data.state", "bad")),
    "path": "out/quote.pdf",
}


def _realistic(cls: type[CptmRulesError]) -> CptmRulesError:
    signature = inspect.signature(cls.__init__)
    positional: list[object] = []
    keywords: dict[str, object] = {}
    for name, parameter in list(signature.parameters.items())[1:]:
        if name not in REALISTIC:
            pytest.fail(f"{cls.__qualname__}: add a realistic value for {name!r} to REALISTIC")
        if name == "value" and cls is NaiveDatetimeError:
            positional.append(dt.datetime(2027, 1, 11, 9, 30))  # naive, as its name says
        elif parameter.kind is parameter.VAR_POSITIONAL:
            positional.extend(REALISTIC_ARGS)
        elif parameter.kind is parameter.KEYWORD_ONLY:
            keywords[name] = REALISTIC[name]
        else:
            positional.append(REALISTIC[name])
    return cls(*positional, **keywords)


ALL_ERRORS = _library_errors()


def _round_trip(error: CptmRulesError, protocol: int) -> object:
    # With no reducers registered from outside: importing dask.distributed (the
    # dask engine does) registers tblib's for every exception in this process,
    # which would hide a class that cannot pickle on its own.
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=protocol)
    pickler.dispatch_table = {}
    pickler.dump(error)
    return pickle.loads(buffer.getvalue())  # noqa: S301  # our own bytes


def test_the_walk_finds_every_error_class_the_package_exports() -> None:
    exported = {getattr(exceptions, name) for name in ERROR_NAMES}
    assert exported <= set(ALL_ERRORS)
    assert len(ALL_ERRORS) >= len(exported) == 13
    # The modules with an error class of their own (the CLI's usage error is not one).
    assert "cptm_rules.exceptions" in _modules_defining_errors()
    assert "cptm_rules.cohort.dask" not in _modules_defining_errors()


@pytest.mark.parametrize("cls", ALL_ERRORS, ids=lambda cls: cls.__qualname__)
def test_every_error_survives_pickling_with_its_type_message_and_fields(
    cls: type[CptmRulesError],
) -> None:
    error = _realistic(cls)
    error.add_note("raised in a worker")
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        back = _round_trip(error, protocol)
        assert type(back) is cls
        assert str(back) == str(error)
        assert back.args == error.args
        assert vars(back) == vars(error)
    assert str(copy.deepcopy(error)) == str(error)
    assert type(copy.copy(error)) is cls


def test_a_file_error_keeps_its_message_as_an_os_error_would() -> None:
    error = OutputFileError(path="out/quote.pdf", problem="the folder does not exist")
    assert str(error) == "cannot write out/quote.pdf: the folder does not exist"
    assert error.args == ("cannot write out/quote.pdf: the folder does not exist",)
    assert (error.errno, error.strerror, error.filename) == (None, None, None)
    assert str(_round_trip(error, pickle.DEFAULT_PROTOCOL)) == str(error)


def test_an_error_raised_in_a_worker_process_reaches_the_parent_as_itself() -> None:
    journey = certified()
    late = PayRenewalFee(on=dt.date(2029, 2, 1))  # after the period: the credential lapsed
    with pytest.raises(TimingError) as here:
        journey.apply(late)
    # A fresh interpreter (spawn): no reducer another test registered helps the worker.
    spawn = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=spawn) as pool:
        future = pool.submit(journey.apply, late)
        with pytest.raises(TimingError) as there:
            future.result()
    assert type(there.value) is TimingError
    assert str(there.value) == str(here.value)
    assert str(there.value).startswith("cannot apply PayRenewalFee(on=2029-02-01) in state")
    assert (there.value.limit, there.value.days, there.value.side, there.value.rule_id) == (
        here.value.limit,
        here.value.days,
        here.value.side,
        "R20",
    )


POLICY_NAMES = [
    "free_change_days",
    "free_changes",
    "certification_period_years",
    "ce_hours_required",
    "exam_window_months",
]


def test_a_misspelt_word_gets_the_word_it_is_a_typo_of() -> None:
    assert exceptions.suggest("free_change_day", POLICY_NAMES) == "; did you mean free_change_days?"
    assert exceptions.suggest("free_chnage_days", POLICY_NAMES) == (
        "; did you mean free_change_days?"
    )
    assert exceptions.suggest("Free_Changes", POLICY_NAMES) == "; did you mean free_changes?"
    assert exceptions.suggest("curent", ("current", "legacy")) == "; did you mean current?"


def test_a_word_that_only_shares_a_part_with_an_option_gets_no_suggestion() -> None:
    # difflib scored this 0.6 against certification_period_years for their "_period_".
    assert exceptions.suggest("grace_period_days", POLICY_NAMES) == ""
    assert exceptions.close_match("grace_period_days", POLICY_NAMES) is None
    assert exceptions.suggest("hours", POLICY_NAMES) == ""
    assert exceptions.suggest("", POLICY_NAMES) == ""


def test_closeness_is_one_edit_for_every_five_characters_at_least_one() -> None:
    assert exceptions.TYPO_EDITS_PER_CHARACTERS == 5
    assert exceptions.close_match("R29", ("R1", "R2", "R20")) == "R2"  # one edit; the first
    assert exceptions.close_match("abc", ("xyz",)) is None
    assert exceptions.close_match("free-change-dys", POLICY_NAMES) == "free_change_days"  # 3 of 15
    assert exceptions.close_match("fre-chang-dys", POLICY_NAMES) is None  # 5 edits in 13


@pytest.mark.parametrize(
    ("a", "b", "edits"),
    [
        ("kitten", "sitting", 3),
        ("ab", "ba", 1),
        ("", "abc", 3),
        ("abc", "", 3),
        ("same", "SAME", 0),
        ("free_chnage_days", "free_change_days", 1),
    ],
)
def test_edit_distance_counts_insertions_deletions_substitutions_and_swaps(
    a: str, b: str, edits: int
) -> None:
    assert exceptions.edit_distance(a, b) == edits
    assert exceptions.edit_distance(b, a) == edits


def test_a_very_long_word_is_no_typo_and_costs_no_time() -> None:
    assert exceptions.close_match("free_change_days" * 100_000, POLICY_NAMES) is None
