"""One exception hierarchy for every error the library raises.

Every class derives from :class:`CptmRulesError` and from the built-in that
fits, so callers may catch either ``CptmRulesError`` or, say, ``ValueError``.
Messages name the field, show the bad value and say what would be valid.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

__all__ = [
    "SHOWN_CHARACTERS",
    "TYPO_EDITS_PER_CHARACTERS",
    "CalendarRangeError",
    "CptmRulesError",
    "DecodeError",
    "InputFileError",
    "InvalidInputError",
    "NaiveDatetimeError",
    "OutputFileError",
    "PolicyError",
    "RuleViolationError",
    "ScenarioError",
    "SchedulerUnreachableError",
    "TimingError",
    "TransitionError",
    "close_match",
    "edit_distance",
    "shown",
    "suggest",
]


SHOWN_CHARACTERS = 60
"""How much of a bad value an error message shows: enough to find it, never a whole file."""


def shown(value: object) -> str:
    """``repr(value)``, cut to :data:`SHOWN_CHARACTERS` characters with an ellipsis."""
    text = repr(value)
    if len(text) <= SHOWN_CHARACTERS:
        return text
    return text[: SHOWN_CHARACTERS - 1] + "\u2026"


def edit_distance(a: str, b: str) -> int:
    """The keystrokes between ``a`` and ``b``: insertions, deletions, substitutions, swaps.

    The optimal-string-alignment distance (Levenshtein with a swap of two adjacent
    characters counted as one edit), case folded: ``free_chnage_days`` is one edit
    from ``free_change_days``.
    """
    a, b = a.casefold(), b.casefold()
    before: list[int] = []
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                best = min(best, before[j - 2] + 1)
            current.append(best)
        before, previous = previous, current
    return previous[-1]


TYPO_EDITS_PER_CHARACTERS = 5
"""A word is a typo of an option when it is at most one edit per five characters away.

Measured by :func:`edit_distance`, and at least one edit for any word: ``extend``
(6 characters) may be one edit from ``extends``, ``free_change_dayz`` (16) three.
A suggestion is only worth making when the word is a slip of the fingers on the
option: a similarity ratio (``difflib``'s, 0.6 by default) rewards any long run the
two share, so ``grace_period_days`` scored 0.6 against ``certification_period_years``
for their common ``_period_``, and a policy author could take that for the right
key. Counting edits against the word's own length asks instead how many keys were
mistyped, which is what a typo is.
"""


def close_match(word: str, options: Iterable[str]) -> str | None:
    """The option ``word`` is a typo of (see :data:`TYPO_EDITS_PER_CHARACTERS`), or ``None``.

    The fewest edits win; among equals, the first option given.
    """
    bound = max(1, len(word) // TYPO_EDITS_PER_CHARACTERS)
    best: tuple[int, str] | None = None
    for option in options:
        if abs(len(word) - len(option)) > bound:
            continue  # as many edits at least: and a long word from a file costs nothing
        distance = edit_distance(word, option)
        if distance <= bound and (best is None or distance < best[0]):
            best = (distance, option)
    return None if best is None else best[1]


def suggest(word: str, options: Iterable[str]) -> str:
    """``"; did you mean X?"`` when ``word`` is a typo of the option X, else an empty string.

    Closeness is :func:`close_match`'s: a word that merely shares a long part with
    an option (``grace_period_days`` and ``certification_period_years``) gets no
    suggestion, which a reader could take for the right word.
    """
    close = close_match(word, options)
    return f"; did you mean {close}?" if close is not None else ""


class CptmRulesError(Exception):
    """Base class of every error raised by cptm-rules.

    Every error survives pickling (a worker process's error reaches the parent
    as itself): the arguments it was built with are kept, and unpickling calls
    the class with them again, so the message and the fields are the same.
    """

    # The built-in exceptions pickle as ``type(self)(*self.args)``: ``args`` holds
    # only the message here, and most classes take keyword-only fields, so that
    # call fails in the process that unpickles. Keeping the constructor's own
    # arguments (in ``__new__``, which every subclass runs before its
    # ``__init__``) makes one ``__reduce__`` right for every subclass.
    _arguments: tuple[tuple[Any, ...], dict[str, Any]]

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:  # noqa: ANN401  # any subclass's fields
        """Keep the arguments the error is built with, for :meth:`__reduce__`."""
        # The built-ins' __new__ sees none of them: OSError's would refuse keywords.
        error = super().__new__(cls)
        error._arguments = (args, kwargs)
        return error

    def __init__(self, *args: object) -> None:
        """Hold ``args`` (the message) like any exception."""
        super().__init__(*args)
        # OSError.__init__ ignores its arguments in a class with its own __new__.
        self.args = args

    def __reduce__(self) -> tuple[Any, ...]:
        """Rebuild from the same arguments, then restore any attribute added since."""
        args, kwargs = self._arguments
        state = {k: v for k, v in self.__dict__.items() if k != "_arguments"}
        return (_rebuild, (type(self), args, kwargs), state)


def _rebuild(
    cls: type[CptmRulesError], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> CptmRulesError:
    """Call ``cls`` with the arguments an error was built with (unpickling)."""
    return cls(*args, **kwargs)


class InvalidInputError(CptmRulesError, ValueError):
    """A value passed by the caller is not valid for the field it was given for."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        """Describe the bad ``value`` of ``field`` and what ``expected`` would be."""
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"{field}={shown(value)} is not valid: expected {expected}")


class NaiveDatetimeError(InvalidInputError):
    """A datetime without a time zone was given where an instant is needed."""

    def __init__(self, field: str, value: dt.datetime) -> None:
        """Name the ``field`` that received the naive ``value``."""
        super().__init__(
            field,
            value,
            "an aware datetime (with tzinfo), for example "
            "datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo('America/New_York'))",
        )


class PolicyError(CptmRulesError, ValueError):
    """A policy file or policy value is invalid.

    ``source`` names the file (or ``"<overrides>"``), ``key`` the dotted key,
    ``value`` the offending value and ``expected`` what would be valid.
    """

    def __init__(self, *, source: str, key: str, value: object, expected: str) -> None:
        """Build the message from the file, key, bad value and what is valid."""
        self.source = source
        self.key = key
        self.value = value
        self.expected = expected
        super().__init__(f"{source}: {key} = {shown(value)} is not valid: expected {expected}")


class CalendarRangeError(CptmRulesError, ValueError):
    """A date (or a computed result) lies outside a business calendar's precomputed range."""

    def __init__(self, *, field: str, value: dt.date, first: dt.date, last: dt.date) -> None:
        """Name the date that fell outside ``first``..``last``."""
        self.field = field
        self.value = value
        self.first = first
        self.last = last
        super().__init__(
            f"{field}={value.isoformat()} is outside the business calendar's range "
            f"{first.isoformat()}..{last.isoformat()}; build the calendar with a wider "
            f"year range (BusinessCalendar(first_year=..., last_year=...) or the policy's "
            f"calendar.first_year / calendar.last_year)"
        )


class TransitionError(CptmRulesError, ValueError):
    """An event cannot be applied to a journey; the journey is unchanged.

    The message names the current state, the event, the reason (with its rule
    id) and the other events that are allowed now (never the refused one).
    A decision taken outside a journey (``judge_change``) has an empty
    ``state`` and names neither.
    """

    def __init__(
        self,
        *,
        state: str,
        event: str,
        reason: str,
        allowed: tuple[str, ...],
        rule_id: str | None = None,
    ) -> None:
        """Describe why ``event`` cannot be applied in ``state``."""
        self.state = state
        self.event = event
        self.reason = reason
        self.allowed = allowed
        self.rule_id = rule_id
        cited = f" ({rule_id})" if rule_id else ""
        if not state:  # judged outside any journey (judge_change): no state to speak of
            super().__init__(f"cannot apply {event}: {reason}{cited}")
            return
        allowed_text = ", ".join(allowed) if allowed else "none"
        super().__init__(
            f"cannot apply {event} in state {state!r}: {reason}{cited}. "
            f"Events allowed now: {allowed_text}"
        )


class RuleViolationError(TransitionError):
    """The event breaks a requirement of the program (R2, R5, R8, R11, R15, …)."""


class TimingError(TransitionError):
    """The event's date is outside the limit a rule sets.

    ``limit`` is the date limit and ``days`` how many days it was missed by;
    ``side`` is ``"before"`` (too early) or ``"after"`` (too late).
    """

    def __init__(
        self,
        *,
        state: str,
        event: str,
        reason: str,
        allowed: tuple[str, ...],
        rule_id: str | None,
        limit: dt.date,
        days: int,
        side: str,
    ) -> None:
        """Describe an event ``days`` days ``side`` its ``limit``."""
        self.limit = limit
        self.days = days
        self.side = side
        super().__init__(state=state, event=event, reason=reason, allowed=allowed, rule_id=rule_id)


class ScenarioError(CptmRulesError, ValueError):
    """A scenario file is malformed; the message names the file, scenario and key."""

    def __init__(self, *, source: str, scenario: str | None, key: str, problem: str) -> None:
        """Describe the ``problem`` with ``key`` of ``scenario`` in file ``source``."""
        self.source = source
        self.scenario = scenario
        self.key = key
        self.problem = problem
        where = f"{source}: scenario {scenario!r}" if scenario else source
        super().__init__(f"{where}: {key}: {problem}")


class DecodeError(CptmRulesError, ValueError):
    """A JSON document does not decode: each problem with the path to the bad field."""

    def __init__(self, problems: tuple[tuple[str, str], ...]) -> None:
        """List each ``(path, problem)``."""
        self.problems = problems
        lines = "; ".join(f"{path}: {problem}" for path, problem in problems)
        super().__init__(f"cannot decode: {lines}")


class OutputFileError(CptmRulesError, OSError):
    """A file the caller asked for could not be written; any earlier version is intact."""

    def __init__(self, *, path: str, problem: str) -> None:
        """Name the ``path`` and say what went wrong."""
        self.path = path
        self.problem = problem
        super().__init__(f"cannot write {path}: {problem}")


class InputFileError(CptmRulesError, ValueError):
    """A file the caller named cannot be read as text; its contents are never echoed."""

    def __init__(self, *, path: str, problem: str) -> None:
        """Name the ``path`` and say what is wrong with it."""
        self.path = path
        self.problem = problem
        super().__init__(f"cannot read {path}: {problem}")


class SchedulerUnreachableError(CptmRulesError, ConnectionError):
    """The Dask scheduler at ``address`` could not be reached, or did not answer as one."""

    def __init__(self, *, address: str, problem: str) -> None:
        """Name the scheduler's ``address`` and say what went wrong."""
        self.address = address
        self.problem = problem
        super().__init__(f"cannot reach the Dask scheduler at {address}: {problem}")
