"""What applying an event produces: decisions, advisories and effects, each explained.

Every item carries the rule id it applies and enough structured data (the
policy figures used, the dates compared, why the alternatives did not apply) to
explain itself in a sentence a support agent can read to a candidate.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from cptm_rules.money import Amount, Money
from cptm_rules.vocabulary import EffectKind, Severity

if TYPE_CHECKING:
    from collections.abc import Callable

    from cptm_rules.events import Event  # noqa: TC004  # lifecycle imports this module
    from cptm_rules.lifecycle import Journey  # noqa: TC004  # idem

__all__ = ["Advisory", "Decision", "Effect", "Outcome", "prebuilt"]

T = TypeVar("T")

Moment = dt.date | dt.datetime


def _iso(value: object) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


_UNRENDERED: Final = "_unrendered_"
"""Prefix of the instance-dict key under which a lazily built text field keeps its renderer."""


class _TextOnRead:
    """A text field `prebuilt` may be given a renderer for: rendered on first read, then kept.

    A non-data descriptor on the class: once the text is in the instance dict, Python
    reads it from there without calling this. (A ``__getattr__`` would do the same
    job, but a class with one reads every one of its attributes the slow way.) Two
    threads reading at once may both render; they keep equal texts.
    """

    def __init__(self, name: str) -> None:
        self.name, self.key = name, _UNRENDERED + name

    def __get__(self, part: object, owner: type | None = None) -> Any:  # noqa: ANN401  # the text, or this descriptor on the class
        if part is None:
            return self
        state = part.__dict__
        render: Callable[[], str] | None = state.get(self.key)
        if render is None:
            try:  # another thread may have rendered it between the lookup and here
                return state[self.name]
            except KeyError:
                msg = f"{type(part).__name__!r} object has no attribute {self.name!r}"
                raise AttributeError(msg) from None
        text = render()
        state[self.name] = text
        state.pop(self.key, None)
        return text


class _RenderedOnRead:
    """Base of the outcome parts whose texts `prebuilt` may take as renderers (_TextOnRead)."""

    def __getstate__(self) -> dict[str, Any]:
        """The fields, every text rendered: what pickling and copying carry."""
        return {f.name: getattr(self, f.name) for f in attrs.fields(type(self))}  # type: ignore[arg-type]


# Decision, Advisory, Effect and Outcome keep an instance dict (not slots) so that the journey's hot
# path can build them by filling that dict (see `prebuilt`); the classes stay
# frozen and their public constructors are unchanged.
@attrs.frozen(kw_only=True, slots=False)
class Decision(_RenderedOnRead):
    """A decision the rules took: a fee or none, a deadline met or missed, an entitlement."""

    rule_id: str
    """The rule that decided."""
    verdict: str
    """A short, stable word for the result: ``free``, ``fee``, ``on_time``, ``breach``, …"""
    reason: str
    """Why, in one sentence naming the dates and figures compared."""
    policy: str
    """The name of the policy used."""
    fee: Amount | None = None
    """An amount the candidate owes because of this decision."""
    refund: Amount | None = None
    """An amount owed back to the candidate."""
    figures: tuple[tuple[str, str], ...] = ()
    """``(policy key, value)`` pairs the decision used."""
    dates: tuple[tuple[str, Moment], ...] = ()
    """``(label, date)`` pairs the decision compared."""
    alternatives: tuple[str, ...] = ()
    """Why each other possible answer did not apply."""

    def explain(self) -> str:
        """The full trace of this decision, readable by a person."""
        lines = [f"{self.rule_id} {self.verdict}: {self.reason}"]
        if self.fee is not None:
            lines.append(f"  fee: {self.fee}")
        if self.refund is not None:
            lines.append(f"  refund: {self.refund}")
        lines += [f"  {label}: {_iso(value)}" for label, value in self.dates]
        figures = ", ".join(f"{key} = {value}" for key, value in self.figures)
        lines.append(f"  policy {self.policy}" + (f": {figures}" if figures else ""))
        lines += [f"  not {alternative}" for alternative in self.alternatives]
        return "\n".join(lines)


@attrs.frozen(kw_only=True, slots=False)
class Advisory(_RenderedOnRead):
    """A recommendation the program makes; it warns and never blocks."""

    rule_ids: tuple[str, ...]
    severity: Severity
    message: str

    def explain(self) -> str:
        """Render as ``[R3, R6] warning: message``."""
        return f"[{', '.join(self.rule_ids)}] {self.severity}: {self.message}"


@attrs.frozen(kw_only=True, slots=False)
class Effect(_RenderedOnRead):
    """Something the calling application must carry out, with its rule and due time."""

    kind: EffectKind
    rule_id: str
    detail: str
    due: Moment | None = None
    amount: Money | None = None

    def explain(self) -> str:
        """Render as ``send_access (R4): detail, due ...``."""
        due = f", due {_iso(self.due)}" if self.due is not None else ""
        return f"{self.kind} ({self.rule_id}): {self.detail}{due}"


# attrs keeps no class attribute for a field without a default: these stand in for the
# text fields `prebuilt` may be given renderers for.
Decision.reason = _TextOnRead("reason")  # type: ignore[assignment]
Advisory.message = _TextOnRead("message")  # type: ignore[assignment]
Effect.detail = _TextOnRead("detail")  # type: ignore[assignment]


@attrs.frozen(kw_only=True, slots=False)
class Outcome:
    """The result of applying one event: the new journey and everything it decided."""

    journey: Journey
    event: Event
    decisions: tuple[Decision, ...] = ()
    advisories: tuple[Advisory, ...] = ()
    effects: tuple[Effect, ...] = ()

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every rule id this outcome applied, in order, without repeats."""
        ids = [d.rule_id for d in self.decisions]
        for advisory in self.advisories:
            ids += advisory.rule_ids
        ids += [e.rule_id for e in self.effects]
        return tuple(dict.fromkeys(ids))

    def explain(self) -> str:
        """Every decision, advisory and effect of this outcome, as text."""
        parts = [f"{type(self.event).__name__} -> {self.journey.state}"]
        parts += [d.explain() for d in self.decisions]
        parts += [a.explain() for a in self.advisories]
        parts += [e.explain() for e in self.effects]
        return "\n".join(parts)


def prebuilt(cls: type[T], *, lazy: tuple[str, ...] = ()) -> Callable[..., T]:
    """A constructor for ``cls`` that fills the instance dict directly.

    For the journey's hot path only: it skips attrs' field-by-field ``__init__``,
    so the caller must pass values of the right types (the public constructor
    remains the validated way in). Its parameters are the class's fields,
    keyword-only, so Python itself refuses a misspelt or missing field with a
    ``TypeError`` naming it, at no cost. The result is an ordinary frozen
    instance, equal to one built by ``cls(...)``.

    Each text field named in ``lazy`` also accepts a renderer, a function of no
    arguments returning the text: the text is then rendered on its first read and
    kept, so an outcome nobody reads never formats it. Equality, hashing, ``repr``,
    pickling and serialisation read the field like any other and see the text.
    """
    fields = attrs.fields(cls)  # type: ignore[arg-type]
    names = {f.name for f in fields}
    for name in lazy:
        if name not in names or not isinstance(vars(cls).get(name), _TextOnRead):
            msg = f"{cls.__name__}.{name} cannot be rendered on read"
            raise TypeError(msg)
    defaults = {f"_default_{f.name}": f.default for f in fields if f.default is not attrs.NOTHING}
    parameters = ", ".join(
        f.name if f.default is attrs.NOTHING else f"{f.name}=_default_{f.name}" for f in fields
    )
    # One store per field into the new instance's own dict, in field order: CPython
    # keeps it sharing the class's keys, which is cheaper than building a dict and
    # copying it in (an update) or swapping it in (a __dict__ assignment).
    stores = "".join(
        f"    fields[{f.name!r} if {f.name}.__class__ is _str else {_UNRENDERED + f.name!r}]"
        f" = {f.name}\n"
        if f.name in lazy
        else f"    fields[{f.name!r}] = {f.name}\n"
        for f in fields
    )
    source = (
        f"def build(*, {parameters}):\n"
        "    instance = _new(_cls)\n"
        "    fields = instance.__dict__\n"
        f"{stores}"
        "    return instance\n"
    )
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls, "_str": str, **defaults}
    exec(compile(source, f"<prebuilt {cls.__name__}>", "exec"), namespace)  # noqa: S102  # code made here from attrs field names
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = f"prebuilt({cls.__name__})"
    return build
