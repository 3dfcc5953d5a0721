"""The batch engine of a diff: a chunk answered as columns on both sides, tallied with numpy.

:func:`tally_table` answers a cohort table under both sides of a diff with the
batch path (:func:`~cptm_rules.batch.batch_answers`), turns each side's answer
columns into the diff's answers (the names, texts and rules
:func:`~cptm_rules.cohort.answers.answer_list` gives), and tallies them column-wise:
each distinct answer is put into words once, however many candidates share it.
A row the columns do not answer completely (one the batch path leaves to its
journey, or a refund whose numbers do not say its amounts) is answered by its two
journeys, as the journey engine answers every row, and tallied in its place. The
result is the :class:`~cptm_rules.cohort.counts.Tally` the journey engine makes of
the same rows: the same counts, the same examples in cohort order and, when kept,
the same answer rows.

Needs the ``columnar`` extra (numpy, pyarrow), as the batch path does.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cptm_rules.batch import batch_answers_by_side
from cptm_rules.catalogue import rule_ids_in
from cptm_rules.cohort.answers import (
    FINAL_STATE,
    QUOTE,
    QUOTE_RULES,
    YEAR_AFTER,
    Answer,
    compare_answers,
    key_date_rule,
    moment_text,
    quote_text,
    refusal_text,
    state_text,
)
from cptm_rules.cohort.counts import AnswerRow, Tally, rule_order
from cptm_rules.cohort.formats import CheckedCohort, candidates_from_table, checked_cohort
from cptm_rules.events import (
    AttemptExam,
    Cancel,
    CompleteModule,
    Event,
    GrantAccess,
    OpenElearning,
    PayRenewalFee,
    RecordActivity,
    RecordAssessment,
    RecordAttendance,
    ReEnroll,
    Register,
    RequestChange,
    Substitute,
)
from cptm_rules.formulas import verdict_prices
from cptm_rules.lifecycle import event_rules
from cptm_rules.money import Money
from cptm_rules.rule_coverage import (
    advisory_verdicts,
    quote_pairs,
    rule_refusal_verdicts,
    state_pairs,
)
from cptm_rules.rules.cancellation import SUBSTITUTION_FEE, refund_amounts, refund_precedence
from cptm_rules.rules.certification import RENEWAL_FEE_OUTCOME, RENEWAL_FEE_REFUSALS
from cptm_rules.rules.exam import ATTENDANCE_OUTCOME, RETAKE_FEE
from cptm_rules.rules.practicum_changes import CHANGE_FEE_PRECEDENCE, CHANGE_REFUSALS
from cptm_rules.rules.registration import (
    ACCEPTED_REGISTRATION,
    ACCESS_VERDICT,
    REGISTRATION_FEES,
)
from cptm_rules.vocabulary import KeyDateKind

if TYPE_CHECKING:
    from collections.abc import Callable, Hashable, Sequence

    from numpy.typing import NDArray

    from cptm_rules.money import Amount
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

    Ints = NDArray[np.int64]
    Mask = NDArray[np.bool_]
    Words = NDArray[np.uint64]

__all__ = ["AnswerWords", "SideAnswers", "side_answers", "tally_table"]

_NONE: Final = np.zeros(0, dtype=np.int64)

_ABSENT: Final = -1
"""The text code of an answer one side does not give (the journey engine's ``absent``)."""


_Decoded = tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None
"""One answer put into words: its text, the rules it cites, the pairs it exercised; or
``None``: no answer the columns can give (the row goes to its journeys)."""


class _Unread(NamedTuple):
    """Texts coded by value and not read yet: text ``first + i`` is ``render(values[i])``."""

    render: Callable[[int], str]
    values: Ints
    first: int


class AnswerWords:
    """The texts, rule ids and exercised pairs of a chunk's answers, each coded once.

    Both sides of a chunk share one, so equal codes are equal answers.
    """

    def __init__(self) -> None:
        """No words yet: each is coded the first time it is met."""
        self.names: list[str] = []
        self._name: dict[str, int] = {}
        self.texts: list[str | tuple[Callable[[int], str], Ints, int]] = []
        """the texts, each coded once; one coded by value (:meth:`by_value`) is, until read
        (:meth:`text`), its renderer, its block of values and the block's first code."""
        self._by_value: dict[Hashable, tuple[Ints, Ints]] = {}
        self._text: dict[str, int] = {}
        self.rules: list[str] = []
        self._rule: dict[str, int] = {}
        self.pairs: list[tuple[str, str]] = []
        self._pair: dict[tuple[str, str], int] = {}
        self.keys = _Keys()
        """per answer code: its text code, rule codes and pair codes."""
        self._key: dict[tuple[str, tuple[str, ...], frozenset[tuple[str, str]]], int] = {}

    def text(self, code: int) -> str:
        """The text of text ``code`` (one coded by value is put into words when first asked for)."""
        text = self.texts[code]
        if isinstance(text, str):
            return text
        render, values, first = text
        said = self.texts[code] = render(int(values[code - first]))
        return said

    def moments(self, values: Ints, rule_id: str, *, instant: bool) -> Ints:
        """The codes of key dates' answers: each of ``values`` (distinct), citing ``rule_id``.

        ``values`` are days since 1970, or with ``instant`` microseconds since 1970 in
        UTC. A key date's text is the moment's own (a day in ISO form, an instant in
        UTC), so equal values are equal texts: the answers are coded by value
        (:meth:`by_value`), and a text is made only when a sample or an answer row shows
        it (a chunk has thousands of distinct instants, most of which no one reads).
        """

        def render(value: int) -> str:
            when: dt.date | dt.datetime = (
                _EPOCH_UTC + dt.timedelta(microseconds=value)
                if instant
                else _EPOCH + dt.timedelta(days=value)
            )
            return str(Answer(name="", verdict=moment_text(when), rule_ids=(rule_id,)))

        return self.by_value(values, ("moment", instant, rule_id), render, (rule_id,))

    def by_value(
        self,
        values: Ints,
        group: Hashable,
        render: Callable[[int], str],
        rule_ids: tuple[str, ...],
        pairs: frozenset[tuple[str, str]] = frozenset(),
    ) -> Ints:
        """The codes of answers each of which is one of ``values`` within ``group``.

        For answers whose text is ``render(value)``, one text per value and per
        ``group``, all citing ``rule_ids`` and exercising ``pairs``: equal values in one
        group are the same answer, so they are coded with numpy, and a text is rendered
        only when it is read (:meth:`text`). ``group`` names the renderer: two groups
        must never render the same text.
        """
        known, codes = self._by_value.get(group, (_NONE, _NONE))
        at = np.minimum(np.searchsorted(known, values), max(len(known) - 1, 0))
        found = (known[at] == values) if len(known) else np.zeros(len(values), dtype=bool)
        fresh = np.unique(values[~found])
        first = len(self.keys)
        if len(fresh):
            rules = tuple(self.rule(r) for r in rule_ids)
            pair_codes = tuple(self.pair(p) for p in sorted(pairs))
            text = len(self.texts)
            # One block for all the fresh values: no object per value (most are never read).
            self.texts.extend(itertools.repeat(_Unread(render, fresh, text), len(fresh)))
            self.keys.extend(text, len(fresh), rules, pair_codes)
            merged = np.concatenate([known, fresh])
            order = np.argsort(merged, kind="stable")
            new_codes = np.arange(first, first + len(fresh), dtype=np.int64)
            codes = np.concatenate([codes, new_codes])[order]
            known = merged[order]
            self._by_value[group] = (known, codes)
        if not len(known):
            return np.zeros(0, dtype=np.int64)
        return codes[np.searchsorted(known, values)]

    def name(self, name: str) -> int:
        """The code of an answer's name."""
        return _code(self._name, self.names, name)

    def rule(self, rule_id: str) -> int:
        """The code of a rule id."""
        return _code(self._rule, self.rules, rule_id)

    def pair(self, pair: tuple[str, str]) -> int:
        """The code of an exercised ``(rule id, verdict)`` pair."""
        return _code(self._pair, self.pairs, pair)

    def answer(
        self, text: str, rule_ids: tuple[str, ...], pairs: frozenset[tuple[str, str]]
    ) -> int:
        """The code of one answer: its text, the rules it cites and the pairs it exercised."""
        key = (text, rule_ids, pairs)
        found = self._key.get(key)
        if found is None:
            found = self._key[key] = len(self.keys)
            self.keys.append(
                _code(self._text, self.texts, text),
                tuple(self.rule(r) for r in rule_ids),
                tuple(self.pair(p) for p in sorted(pairs)),
            )
        return found


class _Keys:
    """Each answer code's text code, rule codes and pair codes, kept flat.

    Kept as flat lists of ints (extended a block at a time for answers coded by value),
    so a chunk's tally turns them into arrays without a Python loop over its
    thousands of answers (:meth:`arrays`); ``keys[code]`` reads one back.
    """

    def __init__(self) -> None:
        self._texts: list[int] = []
        self._rule_sizes: list[int] = []
        self._rules: list[int] = []
        self._pair_sizes: list[int] = []
        self._pairs: list[int] = []

    def __len__(self) -> int:
        return len(self._texts)

    def __getitem__(self, code: int) -> tuple[int, tuple[int, ...], tuple[int, ...]]:
        rules, pairs = (
            flat.values[flat.offsets[code] : flat.offsets[code + 1]].tolist()
            for flat in self.arrays()[1:]
        )
        return self._texts[code], tuple(rules), tuple(pairs)

    def append(self, text: int, rules: tuple[int, ...], pairs: tuple[int, ...]) -> None:
        """One more answer's codes."""
        self._texts.append(text)
        self._rule_sizes.append(len(rules))
        self._rules.extend(rules)
        self._pair_sizes.append(len(pairs))
        self._pairs.extend(pairs)

    def extend(self, text: int, count: int, rules: tuple[int, ...], pairs: tuple[int, ...]) -> None:
        """``count`` more answers, with the texts from ``text`` on and the same rules and pairs."""
        self._texts.extend(range(text, text + count))
        self._rule_sizes.extend([len(rules)] * count)
        self._rules.extend(rules * count)
        self._pair_sizes.extend([len(pairs)] * count)
        self._pairs.extend(pairs * count)

    def arrays(self) -> tuple[Ints, _Flat, _Flat]:
        """Every answer's text code, and its rule and pair codes laid flat."""
        return (
            np.array(self._texts or [0], dtype=np.int64),
            _Flat.of(self._rule_sizes, self._rules),
            _Flat.of(self._pair_sizes, self._pairs),
        )


def _code(index: dict[Any, int], values: list[Any], value: Any) -> int:  # noqa: ANN401
    found = index.get(value)
    if found is None:
        found = index[value] = len(values)
        values.append(value)
    return found


class SideAnswers(NamedTuple):
    """One side's answers of a chunk's rows, one entry per answer (:class:`AnswerWords` codes)."""

    covered: Mask
    """the rows every answer of which is here (the others are their journeys')."""
    row: Ints
    name: Ints
    answer: Ints
    pair_row: Ints
    """exercised pairs no answer carries (a registration's uncompared decisions), by row."""
    pair: Ints


class _Entries:
    """A side's answers as they are gathered, slot by slot."""

    def __init__(self, n: int, words: AnswerWords) -> None:
        self.n, self.words = n, words
        self.uncovered = np.zeros(n, dtype=bool)
        self.row: list[Ints] = []
        self.name: list[Ints] = []
        self.answer: list[Ints] = []
        self.pair_row: list[Ints] = []
        self.pair: list[Ints] = []

    def add(
        self,
        rows: Ints,
        names: Ints,
        parts: Sequence[Ints],
        decode: Callable[..., _Decoded],
        values: Sequence[Sequence[Any]],
    ) -> None:
        """Answers of ``rows`` named ``names``, each the decoding of its ``parts``' codes.

        ``parts`` are code arrays (-1: null) into ``values``; ``decode`` is called once
        per distinct combination with the decoded values and returns the answer's text,
        rules and pairs, or ``None`` when that combination is no answer to tally here
        (the row is then left to its journeys).
        """
        if not len(rows):
            return
        distinct, inverse = _distinct(parts, [len(v) + 1 for v in values])
        codes = np.empty(len(distinct), dtype=np.int64)
        for i, combination in enumerate(distinct):
            decoded = decode(*(None if c < 0 else values[k][c] for k, c in enumerate(combination)))
            codes[i] = -1 if decoded is None else self.words.answer(*decoded)
        answer = codes[inverse]
        missing = answer < 0
        if missing.any():
            self.uncovered[rows[missing]] = True
        self.row.append(rows[~missing])
        self.name.append(names[~missing])
        self.answer.append(answer[~missing])

    def add_answers(self, rows: Ints, names: Ints, answers: Ints) -> None:
        """Answers of ``rows`` named ``names``, already coded (``answers``)."""
        self.row.append(rows)
        self.name.append(names)
        self.answer.append(answers)

    def add_pairs(self, rows: Ints, pair: tuple[str, str]) -> None:
        """An exercised pair of ``rows`` that no answer of theirs carries."""
        self.pair_row.append(rows)
        self.pair.append(np.full(len(rows), self.words.pair(pair), dtype=np.int64))

    def done(self) -> SideAnswers:
        """The side's answers, every slot gathered."""
        return SideAnswers(
            covered=~self.uncovered,
            row=_joined(self.row),
            name=_joined(self.name),
            answer=_joined(self.answer),
            pair_row=_joined(self.pair_row),
            pair=_joined(self.pair),
        )


def _distinct(parts: Sequence[Ints], radices: Sequence[int]) -> tuple[list[list[int]], Ints]:
    """The distinct combinations of ``parts``' codes (-1: null), and each item's among them.

    The codes are packed into one integer per item (a mixed-radix number, each part's
    radix one more than its values) so one flat ``np.unique`` finds them; a row-wise
    unique over stacked columns is several times slower.
    """
    size = 1
    for radix in radices:
        size *= radix
    if size >= 1 << 62:  # too many to pack: compare the stacked codes row-wise
        stacked = np.stack(parts, axis=1)
        found, inverse = np.unique(stacked, axis=0, return_inverse=True)
        return found.tolist(), inverse.reshape(-1)
    key = np.zeros(len(parts[0]), dtype=np.int64)
    for part, radix in zip(parts, radices, strict=True):
        key = key * radix + (part + 1)
    packed, inverse = np.unique(key, return_inverse=True)
    combinations = []
    for number in packed.tolist():
        combination, rest = [], number
        for radix in reversed(radices):
            rest, code = divmod(rest, radix)
            combination.append(code - 1)
        combinations.append(combination[::-1])
    return combinations, inverse.reshape(-1)


def _present(keys: Ints, size: int) -> Ints:
    """The distinct ``keys`` (each from 0 to ``size - 1``), sorted.

    Marked in an array of every key where ``size`` is small, as a chunk's rows times
    rules are (much faster than sorting a chunk's hundreds of thousands of keys); else
    sorted (:func:`_unique`).
    """
    if size > _DENSE_CELLS:
        return _unique(keys)
    marks = np.zeros(size, dtype=bool)
    marks[keys] = True
    return np.flatnonzero(marks)


def _unique(values: Ints) -> Ints:
    """The distinct values, sorted: ``np.unique`` by sorting.

    NumPy 2's ``np.unique`` of integers without an inverse hashes them, which on a
    million keys is many times slower than sorting them.
    """
    ordered = np.sort(values)
    if not len(ordered):
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _joined(parts: list[Ints]) -> Ints:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _coded(values: pa.Array | pa.ChunkedArray) -> tuple[Ints, list[Any]]:
    """An Arrow column as codes (-1: null) into its distinct values.

    A dictionary column (``batch_answers(dictionary=True)``'s words) is coded already:
    its indices are read as they are.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = values if pa.types.is_dictionary(values.type) else pc.dictionary_encode(values)
    codes = pc.fill_null(encoded.indices.cast(pa.int64()), -1)
    return np.asarray(codes.to_numpy(zero_copy_only=False), dtype=np.int64), (
        encoded.dictionary.to_pylist()
    )


def _listed(column: pa.ChunkedArray | pa.Array) -> tuple[pa.Array, Ints, Ints]:
    """A list column's items, each item's row and its place in the row's list (from 0)."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    offsets = np.asarray(column.offsets.to_numpy(), dtype=np.int64)
    counts = np.diff(offsets)
    rows = np.repeat(np.arange(len(counts), dtype=np.int64), counts)
    place = np.arange(len(rows), dtype=np.int64) - np.repeat(offsets[:-1] - offsets[0], counts)
    return column.flatten(), rows, place


def _numbered(words: AnswerWords, stem: str, places: Ints, *, suffix: str = "") -> Ints:
    """Names ``stem N`` for items at ``places`` (0-based): ``change 1``, ``change 2`` and on."""
    if not len(places):
        return places
    table = np.array(
        [words.name(f"{stem} {k + 1}{suffix}") for k in range(int(places.max()) + 1)],
        dtype=np.int64,
    )
    return table[places]


_CHANGE_FEES: Final = verdict_prices(CHANGE_REFUSALS, CHANGE_FEE_PRECEDENCE)
_LATE_FEES: Final = verdict_prices(*REGISTRATION_FEES)
_RENEWAL_FEES: Final = verdict_prices(RENEWAL_FEE_REFUSALS, RENEWAL_FEE_OUTCOME)
_REFUSED: Final = "refused"


def _decision(
    fees: dict[str, str | None], prices: PriceSchedule, kind: type[Event] | None = None
) -> Callable[..., _Decoded]:
    """Decode a verdict and its rule as a decision's answer, priced as its table says.

    A third value, where given, is the state the journey refused an event of ``kind``
    in for its state (``refused while cancelled``, citing the rules of the event).
    """
    refused_rules = () if kind is None else rule_ids_in(event_rules(kind))

    def decode(verdict: str | None, rule: str | None, state: str | None = None) -> _Decoded:
        if verdict == _REFUSED and rule is None and state is not None:
            shown = str(Answer(name="", verdict=refusal_text(state), rule_ids=refused_rules))
            return shown, refused_rules, frozenset()
        if verdict is None or rule is None:
            # A refusal by the date order, or an event with no verdict, is said by its
            # journeys.
            return None
        if verdict == _REFUSED:  # a rule refused the event: ``refused (R14)``
            cited = rule_ids_in(rule)
            shown = str(Answer(name="", verdict=verdict, rule_ids=cited))
            return shown, cited, frozenset(rule_refusal_verdicts(rule))
        field = fees.get(verdict)
        fee: Amount | None = None if field is None else getattr(prices, field)
        answer = Answer(name="", verdict=verdict, rule_ids=(rule,), fee=fee)
        return str(answer), (rule,), frozenset({(rule, verdict)})

    return decode


_RETAKE_FEES: Final = verdict_prices(RETAKE_FEE)
_ATTENDANCE_FEES: Final = verdict_prices(ATTENDANCE_OUTCOME)
_SUBSTITUTION_FEES: Final = verdict_prices(SUBSTITUTION_FEE)

_Slot = tuple[str, str, dict[str, str | None], str | None]
"""One decision an event may give: its verdict column, its rule column, its verdicts'
prices, and the column of the state that refused the event for its state (if any)."""

_EVENT_DECISIONS: Final[tuple[tuple[str, type[Event], tuple[_Slot, ...]], ...]] = (
    (
        "change",
        RequestChange,
        (("change_verdicts", "change_rules", _CHANGE_FEES, "change_refused_while"),),
    ),
    (
        "module",
        CompleteModule,
        (("module_verdicts", "module_rules", {}, "module_refused_while"),),
    ),
    (
        "activity",
        RecordActivity,
        (
            ("activity_verdicts", "activity_rules", {}, "activity_refused_while"),
            ("activity_renewal_verdicts", "activity_renewal_rules", {}, None),
        ),
    ),
    (
        "renewal fee",
        PayRenewalFee,
        (
            ("renewal_verdicts", "renewal_rules", _RENEWAL_FEES, "renewal_refused_while"),
            ("payment_renewal_verdicts", "payment_renewal_rules", {}, None),
        ),
    ),
    (
        "exam attempt",
        AttemptExam,
        (
            ("attempt_window_verdicts", "attempt_window_rules", {}, None),
            ("attempt_verdicts", "attempt_rules", {}, "attempt_refused_while"),
            ("attempt_period_verdicts", "attempt_period_rules", {}, None),
            ("retake_verdicts", "retake_rules", _RETAKE_FEES, None),
        ),
    ),
)
"""Per kind of listed event: the name its answers take, the event, and the columns of its
decisions, in the order the event gives them (``change 1``, then ``change 1 (2)`` and on)."""

_EVENT_ADVISORIES: Final = (
    ("change", "change_advisories", "change_advisory_severities"),
    ("exam attempt", "attempt_advisories", "attempt_advisory_severities"),
)
"""Per kind of listed event: the columns of its advisories (one at most per event)."""


def _event_decisions(  # noqa: PLR0917  # one kind of event's columns
    out: _Entries,
    answers: pa.Table,
    stem: str,
    kind: type[Event],
    slots: tuple[_Slot, ...],
    prices: PriceSchedule,
) -> None:
    """Each listed event's decisions, numbered as the event gives them.

    The slots' list columns are aligned item by item (one item per event); an item
    null in a slot is a decision that event does not give. An event no slot answers
    leaves its row to the journeys.
    """
    given: Ints | None = None
    for verdicts, rules, fees, refused_while in slots:
        verdict, rows, place = _listed(answers.column(verdicts))
        rule, _, _ = _listed(answers.column(rules))
        v, v_values = _coded(verdict)
        r, r_values = _coded(rule)
        parts, values = [v, r], [v_values, r_values]
        if refused_while is not None:
            state, _, _ = _listed(answers.column(refused_while))
            w, w_values = _coded(state)
            parts.append(w)
            values.append(w_values)
        if given is None:
            given = np.zeros(len(v), dtype=np.int64)
        present = v >= 0
        names = _decision_names(out.words, stem, place, given + 1)
        out.add(
            rows[present],
            names[present],
            tuple(part[present] for part in parts),
            _decision(fees, prices, kind),
            values,
        )
        given += present
    if given is not None and len(given):
        out.uncovered[rows[given == 0]] = True


def _decision_names(words: AnswerWords, stem: str, places: Ints, numbers: Ints) -> Ints:
    """``stem N`` for an event's first decision, ``stem N (k)`` for its k-th."""
    if not len(places):
        return places
    keys = places * 64 + numbers  # no event gives 64 decisions
    distinct, inverse = np.unique(keys, return_inverse=True)
    codes = np.empty(len(distinct), dtype=np.int64)
    for i, key in enumerate(distinct.tolist()):
        place, number = divmod(key, 64)
        name = f"{stem} {place + 1}" if number == 1 else f"{stem} {place + 1} ({number})"
        codes[i] = words.name(name)
    named: Ints = codes[inverse.reshape(-1)]
    return named


def _advised(rule_ids: str | None, severity: str | None) -> _Decoded:
    """An advisory as the diff compares it: its severity and its rules."""
    assert rule_ids is not None  # noqa: S101  # nulls are not added
    assert severity is not None  # noqa: S101  # a severity comes with every advisory
    cited = tuple(rule_ids.split("+"))
    shown = str(Answer(name="", verdict=severity, rule_ids=cited))
    return shown, cited, frozenset(advisory_verdicts(cited))


def _advisory_entries(
    out: _Entries, rows: Ints, event_names: Ints, advisory: pa.Array, severity: pa.Array
) -> None:
    """Advisories of ``rows``, each named ``<its event's name>: advisory <its rules>``.

    ``event_names`` are the name codes of the events advised, item by item.
    """
    a, a_values = _coded(advisory)
    s, s_values = _coded(severity)
    present = a >= 0
    if not present.any():
        return
    keys = np.zeros(len(a), dtype=np.int64)
    keys[present] = event_names[present] * (len(a_values) + 1) + a[present]
    distinct, inverse = np.unique(keys[present], return_inverse=True)
    codes = np.empty(len(distinct), dtype=np.int64)
    for i, key in enumerate(distinct.tolist()):
        event, rules = divmod(key, len(a_values) + 1)
        codes[i] = out.words.name(f"{out.words.names[event]}: advisory {a_values[rules]}")
    out.add(
        rows[present],
        codes[inverse.reshape(-1)],
        (a[present], s[present]),
        _advised,
        (a_values, s_values),
    )


def _advisories(
    out: _Entries, answers: pa.Table, stem: str, advisories: str, severities: str
) -> None:
    """Each listed event's advisory (``change 1: advisory R3+R6``)."""
    advisory, rows, place = _listed(answers.column(advisories))
    severity, _, _ = _listed(answers.column(severities))
    _advisory_entries(out, rows, _numbered(out.words, stem, place), advisory, severity)


def _registration_advisory(out: _Entries, answers: pa.Table, everyone: Ints) -> None:
    """The registration's advisory (``registration: advisory R3+R6``), where it has one."""
    advisory = answers.column("registration_advisory").combine_chunks()
    severity = answers.column("registration_advisory_severity").combine_chunks()
    names = np.full(len(everyone), out.words.name("registration"), dtype=np.int64)
    _advisory_entries(out, everyone, names, advisory, severity)


def _settlement(
    fees: dict[str, str | None],
    prices: PriceSchedule,
    kind: type[Event],
    refunding: frozenset[str],
) -> Callable[..., _Decoded]:
    """Decode a decision that may refund: its verdict, rule, fee, refund and refusing state.

    A refund's amounts are the family's to read back from the columns' numbers
    (:func:`~cptm_rules.rules.cancellation.refund_amounts`); where they do not say, the
    row is its journeys' to answer. Any other verdict is decoded as :func:`_decision`
    does.
    """
    decide = _decision(fees, prices, kind)

    def decode(
        verdict: str | None,
        rule: str | None,
        fee: Any,  # noqa: ANN401  # a Decimal, or None
        refund: Any,  # noqa: ANN401  # a Decimal, or None
        state: str | None = None,
    ) -> _Decoded:
        if verdict not in refunding or rule is None:
            return decide(verdict, rule, state)
        amounts = refund_amounts(prices, refund, fee)
        if amounts is None:
            return None
        paid, kept = amounts
        answer = Answer(name="", verdict=verdict, rule_ids=(rule,), fee=kept, refund=paid)
        return str(answer), (rule,), frozenset({(rule, verdict)})

    return decode


def _one_event(words: AnswerWords, stem: str) -> Ints:
    """The names of one event's decisions by place: ``stem``, ``stem (2)``, ``stem (3)``."""
    return np.array(
        [words.name(stem if k == 0 else f"{stem} ({k + 1})") for k in range(3)], dtype=np.int64
    )


def _refunding(policy: Policy) -> frozenset[str]:
    """The verdicts of R24's tiers under ``policy``: those that state a refund's amounts."""
    return frozenset(v for _, case in refund_precedence(policy) for v in case.verdicts)


def _settlements(  # noqa: PLR0917  # one event's columns and how to read them
    out: _Entries,
    answers: pa.Table,
    stem: str,
    kind: type[Event],
    fees: dict[str, str | None],
    policy: Policy,
    prices: PriceSchedule,
    refused_while: str | None = None,
) -> None:
    """One event's decisions that may refund (``stem``, ``stem (2)``), from its columns.

    ``<stem>_verdicts``, ``_rules``, ``_fees`` and ``_refunds`` list the decisions in
    order; ``refused_while`` names the column of the state that refused the event.
    """
    verdict, rows, place = _listed(answers.column(f"{stem}_verdicts"))
    rule, _, _ = _listed(answers.column(f"{stem}_rules"))
    fee, _, _ = _listed(answers.column(f"{stem}_fees"))
    refund, _, _ = _listed(answers.column(f"{stem}_refunds"))
    coded = [_coded(column) for column in (verdict, rule, fee, refund)]
    parts, values = [codes for codes, _ in coded], [values for _, values in coded]
    if refused_while is not None:
        state, state_values = _coded(answers.column(refused_while))
        parts.append(state[rows])
        values.append(state_values)
    decode = _settlement(fees, prices, kind, _refunding(policy))
    out.add(rows, _one_event(out.words, stem)[place], parts, decode, values)


def _attendance(out: _Entries, answers: pa.Table, policy: Policy, prices: PriceSchedule) -> None:
    """The attendance's decisions and advisories (``attendance``, ``attendance (2)``).

    An absence with notice is a cancellation on the day (R24, then R25's credit).
    """
    _settlements(out, answers, "attendance", RecordAttendance, _ATTENDANCE_FEES, policy, prices)
    advisory, rows, _ = _listed(answers.column("attendance_advisories"))
    severity, _, _ = _listed(answers.column("attendance_advisory_severities"))
    names = np.full(len(rows), out.words.name("attendance"), dtype=np.int64)
    _advisory_entries(out, rows, names, advisory, severity)


def _single(  # noqa: PLR0917  # one event's columns and how to read them
    out: _Entries,
    answers: pa.Table,
    column: str,
    name: str,
    kind: type[Event],
    fees: dict[str, str | None],
    prices: PriceSchedule,
) -> int:
    """An event a row has at most once (``name``), where the row has it; the name's code.

    Read from ``<column>_verdict``, ``_rule`` and ``_refused_while``.
    """
    v, v_values = _coded(answers.column(f"{column}_verdict"))
    r, r_values = _coded(answers.column(f"{column}_rule"))
    w, w_values = _coded(answers.column(f"{column}_refused_while"))
    asked = np.flatnonzero(v >= 0)
    code = out.words.name(name)
    out.add(
        asked,
        np.full(len(asked), code, dtype=np.int64),
        (v[asked], r[asked], w[asked]),
        _decision(fees, prices, kind),
        (v_values, r_values, w_values),
    )
    return code


def _re_enrolment_advisory(out: _Entries, answers: pa.Table, everyone: Ints, name: int) -> None:
    """The re-enrolment's advisory (``re-enrolment: advisory R3+R6``), where it has one."""
    advisory = answers.column("re_enrolment_advisory").combine_chunks()
    severity = answers.column("re_enrolment_advisory_severity").combine_chunks()
    names = np.full(len(everyone), name, dtype=np.int64)
    _advisory_entries(out, everyone, names, advisory, severity)


def side_answers(
    cohort: pa.Table,
    answers: pa.Table,
    words: AnswerWords,
    *,
    policy: Policy,
    prices: PriceSchedule,
) -> SideAnswers:
    """One side's answers from its answer table (:func:`~cptm_rules.batch.batch_answers`)."""
    n = cohort.num_rows
    out = _Entries(n, words)
    everyone = np.arange(n, dtype=np.int64)
    replayed = np.asarray(answers.column("replayed").to_numpy(zero_copy_only=False), dtype=bool)
    out.uncovered |= replayed
    due = answers.column("access_due").combine_chunks()
    registered = everyone[np.asarray(due.is_valid().to_numpy(zero_copy_only=False), dtype=bool)]
    for pair in ACCEPTED_REGISTRATION:  # decisions the diff counts but does not compare
        out.add_pairs(registered, pair)
    _key_dates(out, cohort, answers, everyone)
    for stem, kind, slots in _EVENT_DECISIONS:
        _event_decisions(out, answers, stem, kind, slots, prices)
    for stem, advisories, severities in _EVENT_ADVISORIES:
        _advisories(out, answers, stem, advisories, severities)
    _registration_advisory(out, answers, everyone)
    _attendance(out, answers, policy, prices)
    _settlements(
        out, answers, "cancellation", Cancel, {}, policy, prices, "cancellation_refused_while"
    )
    _single(out, answers, "substitution", "substitution", Substitute, _SUBSTITUTION_FEES, prices)
    re_enrolment = _single(out, answers, "re_enrolment", "re-enrolment", ReEnroll, {}, prices)
    _re_enrolment_advisory(out, answers, everyone, re_enrolment)
    # An assessment is named for its module; a module without one has a null.
    verdict, rows, place = _listed(answers.column("assessment_verdicts"))
    rule, _, _ = _listed(answers.column("assessment_rules"))
    state, _, _ = _listed(answers.column("assessment_refused_while"))
    v, v_values = _coded(verdict)
    r, r_values = _coded(rule)
    w, w_values = _coded(state)
    taken = v >= 0
    names = _numbered(words, "module", place, suffix=" assessment")
    out.add(
        rows[taken],
        names[taken],
        (v[taken], r[taken], w[taken]),
        _decision({}, prices, RecordAssessment),
        (v_values, r_values, w_values),
    )
    v, v_values = _coded(answers.column("access"))
    w, w_values = _coded(answers.column("access_refused_while"))
    out.add(
        everyone,
        np.full(n, words.name("access"), dtype=np.int64),
        (v, w),
        _access_decision(prices),
        (v_values, w_values),
    )
    _elearning(out, answers, everyone, prices)
    # The registration's answer: refused, or its late fee (an accepted one's other
    # decisions are not compared).
    for verdicts, rules, decide in (
        ("registration_verdict", "registration_rule", _decision({}, prices, Register)),
        ("late_fee_verdict", "late_fee_rule", _decision(_LATE_FEES, prices)),
    ):
        v, v_values = _coded(answers.column(verdicts))
        r, r_values = _coded(answers.column(rules))
        given = v >= 0
        out.add(
            everyone[given],
            np.full(int(given.sum()), words.name("registration"), dtype=np.int64),
            (v[given], r[given]),
            decide,
            (v_values, r_values),
        )
    _quote(out, answers, everyone, prices)
    _states(out, answers, everyone)
    return out.done()


def _states(out: _Entries, answers: pa.Table, everyone: Ints) -> None:
    """Where the journey stands a year after the practicum, and at its end.

    A state that says since when (a derived one, at the end) is coded by its day
    (:meth:`AnswerWords.by_value`): nearly every row has its own, and its text is
    made only where it is read.
    """
    words = out.words
    for name, column, since_shown in (
        (YEAR_AFTER, "state_a_year_after", False),
        (FINAL_STATE, "final_state", True),
    ):
        state, state_values = _coded(answers.column(column))
        rule, rule_values = _coded(answers.column(f"{column}_rule"))
        known = state >= 0
        out.uncovered[~known] = True
        dated = np.zeros(len(state), dtype=bool)
        day = np.zeros(len(state), dtype=np.int64)
        if since_shown:
            since = answers.column(f"{column}_since").combine_chunks()
            has_day = np.asarray(since.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
            day = np.asarray(
                pc.fill_null(since.cast(pa.int32()), 0).to_numpy(zero_copy_only=False),
                dtype=np.int64,
            )
            # The states whose text says the day: the family's words tell (state_text).
            says_day = [state_text(v, _EPOCH) != state_text(v, None) for v in state_values]
            dated = known & has_day & np.asarray([*says_day, False], dtype=bool)[state]
        named = out.words.name(name)

        def decode(verdict: str | None, rule_id: str | None) -> _Decoded:
            assert verdict is not None  # noqa: S101  # nulls are not added
            rules = (rule_id,) if rule_id else ()
            shown = str(Answer(name="", verdict=state_text(verdict, None), rule_ids=rules))
            return shown, rules, frozenset(state_pairs(verdict, rule_id))

        plain = known & ~dated
        out.add(
            everyone[plain],
            np.full(int(plain.sum()), named, dtype=np.int64),
            (state[plain], rule[plain]),
            decode,
            (state_values, rule_values),
        )
        if not dated.any():
            continue
        combos, inverse = _distinct(
            (state[dated], rule[dated]), (len(state_values) + 1, len(rule_values) + 1)
        )
        rows, days = everyone[dated], day[dated]
        for i, (s_code, r_code) in enumerate(combos):
            verdict, rule_id = state_values[s_code], None if r_code < 0 else rule_values[r_code]
            rules = (rule_id,) if rule_id else ()
            mine = inverse == i

            def render(value: int, verdict: str = verdict, rules: tuple[str, ...] = rules) -> str:
                since_day = _EPOCH + dt.timedelta(days=value)
                return str(Answer(name="", verdict=state_text(verdict, since_day), rule_ids=rules))

            codes = words.by_value(
                days[mine],
                ("state since", verdict, rules),
                render,
                rules,
                frozenset(state_pairs(verdict, rule_id)),
            )
            out.add_answers(rows[mine], np.full(int(mine.sum()), named, dtype=np.int64), codes)


def _access_decision(prices: PriceSchedule) -> Callable[[str | None, str | None], _Decoded]:
    rule_of = {verdict: rule for rule, case in ACCESS_VERDICT for verdict in case.verdicts}
    decide = _decision({}, prices, GrantAccess)

    def decode(verdict: str | None, state: str | None) -> _Decoded:
        if verdict is None:
            return None
        return decide(verdict, rule_of.get(verdict), state)

    return decode


def _elearning(out: _Entries, answers: pa.Table, everyone: Ints, prices: PriceSchedule) -> None:
    """An eLearning opening refused for the journey's state (an accepted one answers nothing)."""
    state, state_values = _coded(answers.column("elearning_refused_while"))
    refused = state >= 0
    decide = _decision({}, prices, OpenElearning)
    out.add(
        everyone[refused],
        np.full(int(refused.sum()), out.words.name("elearning opened"), dtype=np.int64),
        (state[refused],),
        lambda state: decide(_REFUSED, None, state),
        (state_values,),
    )


def _key_dates(out: _Entries, cohort: pa.Table, answers: pa.Table, everyone: Ints) -> None:
    """Every key date (the registration's instant is the cohort's own, where it registered)."""
    words = out.words
    due = answers.column("access_due").combine_chunks()
    at = cohort.column("registered_at").combine_chunks()
    registered_at = pc.if_else(due.is_valid(), at, pa.nulls(len(at), type=at.type))
    for kind, column in (
        (KeyDateKind.REGISTERED, registered_at),
        (KeyDateKind.ACCESS_DUE, answers.column("access_due")),
        (KeyDateKind.PREWORK_START, answers.column("prework_recommended_start")),
        (KeyDateKind.FREE_CHANGE_DEADLINE, answers.column("free_change_deadline")),
        (KeyDateKind.PRACTICUM_FIRST_DAY, answers.column("practicum_first_day")),
        (KeyDateKind.PRACTICUM_LAST_DAY, answers.column("practicum_last_day")),
        (KeyDateKind.EXAM_OPENS, answers.column("exam_opens")),
        (KeyDateKind.EXAM_CLOSES, answers.column("exam_closes")),
        (KeyDateKind.CERTIFIED, answers.column("certified_on")),
        (KeyDateKind.CREDIT_EXPIRES, answers.column("tuition_credit_expires")),
    ):
        codes, answer = _moments(words, kind, column)
        present = codes >= 0
        out.add_answers(
            everyone[present],
            np.full(int(present.sum()), words.name(f"key date {kind}"), dtype=np.int64),
            answer[codes[present]],
        )
    ends, rows, place = _listed(answers.column("period_ends"))
    codes, answer = _moments(words, KeyDateKind.PERIOD_END, ends)
    stem = f"key date {KeyDateKind.PERIOD_END}"
    out.add_answers(rows, _numbered(words, stem, place), answer[codes])


_EPOCH: Final = dt.date(1970, 1, 1)
_EPOCH_UTC: Final = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def _moments(
    words: AnswerWords, kind: KeyDateKind, column: pa.Array | pa.ChunkedArray
) -> tuple[Ints, Ints]:
    """A key-date column as codes (-1: null) and, per distinct value, its answer's code."""
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    encoded = pc.dictionary_encode(column)
    codes = np.asarray(
        pc.fill_null(encoded.indices.cast(pa.int64()), -1).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    dictionary = encoded.dictionary
    instant = pa.types.is_timestamp(dictionary.type)
    if instant and dictionary.type.unit != "us":
        dictionary = dictionary.cast(pa.timestamp("us", tz=dictionary.type.tz))
    # A day is a date32 (days since 1970), an instant microseconds since 1970 in UTC.
    numbers = dictionary.cast(pa.int64() if instant else pa.int32())
    answer = words.moments(
        np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=np.int64),
        key_date_rule(kind),
        instant=instant,
    )
    return codes, answer


def _quote(out: _Entries, answers: pa.Table, everyone: Ints, prices: PriceSchedule) -> None:
    """The registration's quote (R21, R22), from the answer table's quote columns."""
    # List columns are coded by their joined text: dictionary encoding takes no lists.
    total, total_values = _coded(answers.column("quote_total"))
    missing, missing_values = _coded(_joined_text(answers.column("quote_missing")))
    discounts, discount_values = _coded(_joined_text(answers.column("quote_discounts")))
    stacked, stacked_values = _coded(answers.column("quote_stacked"))
    quoted = discounts >= 0  # a row with no quote (replayed) has no discounts list either

    def decode(
        amount: Any,  # noqa: ANN401  # a Decimal, or None when the total is unknown
        unknown: str | None,
        eligible: str | None,
        stacks: bool | None,  # noqa: FBT001  # a decoded column value
    ) -> _Decoded:
        missing_figures = tuple(unknown.split(_SEPARATOR)) if unknown else ()
        kinds = tuple(eligible.split(_SEPARATOR)) if eligible else ()
        money = None if amount is None else Money(amount=amount, currency=prices.currency)
        text = quote_text(money, missing_figures, kinds, stacking=bool(stacks))
        shown = str(Answer(name=QUOTE, verdict=text, rule_ids=QUOTE_RULES))
        pairs = quote_pairs(known=money is not None, eligible=len(kinds))
        return shown, QUOTE_RULES, frozenset(pairs)

    out.add(
        everyone[quoted],
        np.full(int(quoted.sum()), out.words.name(QUOTE), dtype=np.int64),
        (total[quoted], missing[quoted], discounts[quoted], stacked[quoted]),
        decode,
        (total_values, missing_values, discount_values, stacked_values),
    )


_SEPARATOR: Final = "\x1f"  # no figure or discount name holds a unit separator


def _joined_text(column: pa.ChunkedArray) -> pa.Array:
    joined = column.combine_chunks()
    if pa.types.is_dictionary(joined.type.value_type):  # words coded by batch_answers
        joined = joined.cast(pa.list_(pa.string()))
    return pc.binary_join(joined, _SEPARATOR)


# -- tallying both sides ---------------------------------------------------------------------

_Sample = tuple[int, str, str, str]
"""An example of a moved answer: its row in the chunk, the candidate's id, both texts."""


def tally_table(
    table: pa.Table | CheckedCohort,
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    examples: int,
    keep_rows: bool = False,  # noqa: FBT001, FBT002  # positional: it crosses to worker processes
) -> Tally:
    """Answer a cohort table under both ``sides`` with the batch path and tally it.

    The same :class:`~cptm_rules.cohort.counts.Tally` as
    :func:`~cptm_rules.cohort.tally.tally_chunk` makes of the table's candidates.
    """
    checked = checked_cohort(table)
    table = checked.table
    base, candidate, prices, candidate_prices = sides
    words = AnswerWords()
    # The rows the batch path would replay are replayed here, beside their other side.
    base_answers, candidate_answers = batch_answers_by_side(
        checked, sides=((base, prices), (candidate, candidate_prices)), dictionary=True
    )
    before = side_answers(table, base_answers, words, policy=base, prices=prices)
    after = side_answers(table, candidate_answers, words, policy=candidate, prices=candidate_prices)
    covered = before.covered & after.covered
    ids: list[str] = table.column("id").to_pylist()
    tally = Tally(examples=examples, keep_rows=keep_rows)
    samples: dict[str, list[_Sample]] = {}
    rows: list[tuple[int, list[AnswerRow]]] = []
    rest = np.flatnonzero(~covered)
    if len(rest):
        _tally_journeys(table, rest, sides, tally, samples, rows)
    _tally_columns(tally, words, before, after, covered, ids, samples, rows)
    for name, found in samples.items():
        found.sort()
        tally.samples[name] = [(cid, old, new) for _, cid, old, new in found[:examples]]
    if tally.rows is not None:
        rows.sort(key=lambda item: item[0])
        tally.rows = [row for _, answered in rows for row in answered]
    return tally


def _tally_journeys(  # noqa: PLR0917  # the chunk's parts, in one call
    table: pa.Table,
    rest: Ints,
    sides: tuple[Policy, Policy, PriceSchedule, PriceSchedule],
    tally: Tally,
    samples: dict[str, list[_Sample]],
    rows: list[tuple[int, list[AnswerRow]]],
) -> None:
    """The rows the columns do not answer completely, each answered by its two journeys."""
    candidates = list(candidates_from_table(table.take(pa.array(rest))))
    for row, answered in zip(rest.tolist(), compare_answers(candidates, *sides), strict=True):
        part = Tally(examples=tally.examples, keep_rows=tally.rows is not None)
        part.add(*answered)
        for name, kept in part.samples.items():
            samples.setdefault(name, []).extend((row, *sample) for sample in kept)
        if part.rows is not None:
            rows.append((row, part.rows))
        part.samples, part.rows = {}, None
        tally.merge(part)


def _tally_columns(  # noqa: PLR0917  # every part of the chunk a tally counts
    tally: Tally,
    words: AnswerWords,
    before: SideAnswers,
    after: SideAnswers,
    covered: Mask,
    ids: list[str],
    samples: dict[str, list[_Sample]],
    rows: list[tuple[int, list[AnswerRow]]],
) -> None:
    """Add the covered rows' answers on both sides to ``tally``, column-wise."""
    for rule_id, _verdict in tuple(words.pairs):
        words.rule(rule_id)  # a pair's rule is cited too: code it before counting
    names = max(len(words.names), 1)
    rule_count, pair_count = max(len(words.rules), 1), max(len(words.pairs), 1)
    n = len(covered)
    text_of, rules_of, pairs_of = words.keys.arrays()
    pair_rule = np.array([words.rule(r) for r, _ in words.pairs] or [0], dtype=np.int64)
    union = _Union.of(before, after, covered, names, text_of)
    moved = union.moved
    tally.size += int(covered.sum())
    tally.compared.update(_counts(words.names, union.name, names))
    tally.changed.update(_counts(words.names, union.name[moved], names))
    # Per row, the rules it cites and those its moved answers cite, as bit sets: an
    # answer's rules are looked up as words of bits and or-ed per row, which costs one
    # gather per answer instead of one entry per (answer, rule).
    rule_bits, pair_bits = _Bits.of(rules_of, rule_count), _Bits.of(pairs_of, pair_count)
    pair_rule_masks = _masks_by(pair_rule, pair_count, pair_bits.width)
    cited = np.zeros((n, rule_bits.width), dtype=np.uint64)
    moved_by = np.zeros_like(cited)
    code_count = len(text_of)
    for side, answer, has in (
        (before, union.answer_b, union.has_b),
        (after, union.answer_c, union.has_c),
    ):
        codes, row, name, entry_moved = answer[has], union.row[has], union.name[has], moved[has]
        for sets, moved_only in ((tally.rules_of, False), (tally.moved_rules_of, True)):
            # Each distinct (name, answer) once, then its rules.
            chosen = entry_moved if moved_only else slice(None)
            named = _present(name[chosen] * code_count + codes[chosen], names * code_count)
            owner, rule = rules_of.expand(named % code_count)
            keys = (named // code_count)[owner] * rule_count + rule
            _add_sets(sets, words, keys, rule_count, names)
        rule_bits.or_into(cited, row, codes)
        rule_bits.or_into(moved_by, row[entry_moved], codes[entry_moved])
        exercised = np.zeros((n, pair_bits.width), dtype=np.uint64)
        pair_bits.or_into(exercised, row, codes)
        inside = covered[side.pair_row]
        _set_bits(exercised, side.pair_row[inside], side.pair[inside])
        pairs = _bit_counts(exercised, pair_count)
        (tally.base_pairs if side is before else tally.candidate_pairs).update(
            {words.pairs[i]: int(c) for i, c in enumerate(pairs.tolist()) if c}
        )
        # A pair exercised cites its rule.
        for cites, mask in pair_rule_masks:
            hit = np.flatnonzero((exercised & mask).any(axis=1))
            _set_bits(cited, hit, np.full(len(hit), cites, dtype=np.int64))
    for counter, bits in ((tally.cited, cited), (tally.per_rule, moved_by)):
        per_rule = _bit_counts(bits, rule_count)
        counter.update({words.rules[i]: int(c) for i, c in enumerate(per_rule.tolist()) if c})
    tally.moved += len(_present(union.row[moved], n))
    _samples(words, samples, union, ids, tally.examples)
    if tally.rows is not None:
        _rows(words, rows, union, ids, rules_of)


class _Bits(NamedTuple):
    """Per answer code, a set of small codes (rules or pairs) as words of bits."""

    words: Words
    """One row per answer code, ``width`` words of 64 bits each."""
    width: int

    @classmethod
    def of(cls, flat: _Flat, size: int) -> _Bits:
        """The bit sets of ``flat``'s tuples of codes (each below ``size``)."""
        width = max((size + 63) // 64, 1)
        words = np.zeros((max(len(flat.offsets) - 1, 1), width), dtype=np.uint64)
        owner = np.repeat(np.arange(len(flat.offsets) - 1, dtype=np.int64), np.diff(flat.offsets))
        _set_bits(words, owner, flat.values)
        return cls(words, width)

    def or_into(self, into: Words, rows: Ints, codes: Ints) -> None:
        """Or each answer's set into its row of ``into`` (``rows`` sorted, as a union's are)."""
        if not len(rows):
            return
        starts = np.flatnonzero(np.concatenate([[True], rows[1:] != rows[:-1]]))
        into[rows[starts]] |= np.bitwise_or.reduceat(self.words[codes], starts, axis=0)


def _set_bits(into: Words, rows: Ints, codes: Ints) -> None:
    # Bit ``code`` of each row, for every (row, code) given.
    shifts = (codes % 64).astype(np.uint64)
    np.bitwise_or.at(into, (rows, codes // 64), np.left_shift(np.uint64(1), shifts))


def _bit_counts(bits: Words, size: int) -> Ints:
    """For each code below ``size``, how many rows of ``bits`` hold it."""
    if not len(bits):
        return np.zeros(size, dtype=np.int64)
    unpacked = np.unpackbits(bits.view(np.uint8), axis=1, bitorder="little")
    counts: Ints = unpacked.sum(axis=0, dtype=np.int64)[:size]
    return counts


def _masks_by(pair_rule: Ints, pair_count: int, width: int) -> list[tuple[int, Words]]:
    """Per rule that some pair names: the bit set of its pairs (a pair cites its rule)."""
    rules = pair_rule[:pair_count]
    masks = []
    for rule in np.unique(rules).tolist():
        mask = np.zeros((1, width), dtype=np.uint64)
        pairs = np.flatnonzero(rules == rule)
        _set_bits(mask, np.zeros(len(pairs), dtype=np.int64), pairs)
        masks.append((int(rule), mask[0]))
    return masks


class _Flat(NamedTuple):
    """Small tuples of codes, one per answer code, laid flat (offsets and values)."""

    offsets: Ints
    values: Ints

    @classmethod
    def of(cls, sizes: list[int], values: list[int]) -> _Flat:
        """Tuples given as their sizes and their codes one after another."""
        offsets = np.zeros(len(sizes) + 1, dtype=np.int64)
        np.cumsum(np.array(sizes, dtype=np.int64), out=offsets[1:])
        return cls(offsets, np.array(values, dtype=np.int64))

    def expand(self, answers: Ints) -> tuple[Ints, Ints]:
        """For each code of each answer: the answer's place in ``answers``, and the code."""
        starts, sizes = self.offsets[answers], np.diff(self.offsets)[answers]
        owner = np.repeat(np.arange(len(answers), dtype=np.int64), sizes)
        within = np.arange(len(owner), dtype=np.int64) - np.repeat(np.cumsum(sizes) - sizes, sizes)
        return owner, self.values[np.repeat(starts, sizes) + within]


class _Union(NamedTuple):
    """Every (row, name) either side answers, with each side's answer and text codes."""

    row: Ints
    name: Ints
    has_b: Mask
    has_c: Mask
    answer_b: Ints
    answer_c: Ints
    text_b: Ints
    text_c: Ints
    moved: Mask

    @classmethod
    def of(
        cls, before: SideAnswers, after: SideAnswers, covered: Mask, names: int, text_of: Ints
    ) -> _Union:
        union, has_b, answer_b, has_c, answer_c = _aligned(
            before, after, covered, names, dense=len(covered) * names <= _DENSE_CELLS
        )
        text_b = np.where(has_b, text_of[np.maximum(answer_b, 0)], _ABSENT)
        text_c = np.where(has_c, text_of[np.maximum(answer_c, 0)], _ABSENT)
        return cls(
            row=union // names,
            name=union % names,
            has_b=has_b,
            has_c=has_c,
            answer_b=answer_b,
            answer_c=answer_c,
            text_b=text_b,
            text_c=text_c,
            moved=text_b != text_c,
        )


_DENSE_CELLS: Final = 1 << 23
"""Rows times names up to which both sides are aligned in dense arrays (32 MB a side)."""


def _aligned(
    before: SideAnswers, after: SideAnswers, covered: Mask, names: int, *, dense: bool
) -> tuple[Ints, Mask, Ints, Mask, Ints]:
    """Every covered ``(row, name)`` key either side answers, sorted, and each side's answer.

    Returns the keys (``row * names + name``) and, per side, whether it has the key and
    its answer code there (-1: none). With ``dense``, each side's answers are laid in
    an array of every key (a chunk's rows times names fit in a few megabytes), which
    finds the union without sorting; else each side is sorted and searched.
    """
    if dense:
        size = len(covered) * names
        laid = []
        for side in (before, after):
            inside = covered[side.row]
            cells = np.full(size, -1, dtype=np.int32)
            cells[side.row[inside] * names + side.name[inside]] = side.answer[inside]
            laid.append(cells)
        union = np.flatnonzero((laid[0] >= 0) | (laid[1] >= 0))
        answer_b, answer_c = (cells[union].astype(np.int64) for cells in laid)
        return union, answer_b >= 0, answer_b, answer_c >= 0, answer_c
    keyed = [_keyed(side, covered, names) for side in (before, after)]
    union = _unique(np.concatenate([keyed[0][0], keyed[1][0]]))
    found = []
    for keys, answers in keyed:
        if not len(keys):
            found.append((np.zeros(len(union), dtype=bool), np.full(len(union), -1)))
            continue
        at = np.minimum(np.searchsorted(keys, union), len(keys) - 1)
        has = keys[at] == union
        found.append((has, np.where(has, answers[at], -1)))
    (has_b, answer_b), (has_c, answer_c) = found
    return union, has_b, answer_b, has_c, answer_c


def _keyed(side: SideAnswers, covered: Mask, names: int) -> tuple[Ints, Ints]:
    # Each covered answer keyed by (row, name), sorted; a row names an answer once.
    inside = covered[side.row]
    keys = side.row[inside] * names + side.name[inside]
    order = np.argsort(keys, kind="stable")
    return keys[order], side.answer[inside][order]


def _counts(values: list[Any], codes: Ints, size: int) -> dict[Any, int]:
    counted = np.bincount(codes, minlength=size) if len(codes) else np.zeros(size, dtype=np.int64)
    return {values[i]: int(c) for i, c in enumerate(counted.tolist()) if c and i < len(values)}


def _add_sets(
    into: dict[str, set[str]], words: AnswerWords, keys: Ints, rule_count: int, names: int
) -> None:
    # keys: name * rule_count + rule, for every (answer, rule) cited.
    for key in _present(keys, names * rule_count).tolist():
        into.setdefault(words.names[key // rule_count], set()).add(words.rules[key % rule_count])


def _samples(
    words: AnswerWords,
    samples: dict[str, list[_Sample]],
    union: _Union,
    ids: list[str],
    examples: int,
) -> None:
    """The first ``examples`` moved rows of each answer, in row order."""
    moved = np.flatnonzero(union.moved)
    if not len(moved) or not examples:
        return
    order = moved[np.lexsort((union.row[moved], union.name[moved]))]
    names = union.name[order]
    starts = np.flatnonzero(np.concatenate([[True], names[1:] != names[:-1]]))
    for start, stop in zip(starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True):
        kept = samples.setdefault(words.names[int(names[start])], [])
        for i in order[start : min(stop, start + examples)].tolist():
            row = int(union.row[i])
            old, new = _text(words, union.text_b[i]), _text(words, union.text_c[i])
            kept.append((row, ids[row], old, new))


def _text(words: AnswerWords, code: int) -> str:
    return "absent" if code == _ABSENT else words.text(code)


def _rows(
    words: AnswerWords,
    rows: list[tuple[int, list[AnswerRow]]],
    union: _Union,
    ids: list[str],
    rules_of: _Flat,
) -> None:
    """Every covered row's answer rows, as ``--output`` writes them (by name, per row)."""
    rank = np.empty(max(len(words.names), 1), dtype=np.int64)
    rank[np.argsort(np.array(words.names or [""], dtype=object))] = np.arange(len(rank))
    order = np.lexsort((rank[union.name], union.row))
    rule_lists = [
        tuple(words.rules[r] for r in rules_of.values[start:stop].tolist())
        for start, stop in itertools.pairwise(rules_of.offsets.tolist())
    ]
    current, answered = -1, list[AnswerRow]()
    for i in order.tolist():
        row = int(union.row[i])
        if row != current:
            answered = []
            rows.append((row, answered))
            current = row
        cited: set[str] = set()
        for answer in (int(union.answer_b[i]), int(union.answer_c[i])):
            if answer >= 0:
                cited.update(rule_lists[answer])
        old, new = _text(words, int(union.text_b[i])), _text(words, int(union.text_c[i]))
        answered.append(
            AnswerRow(
                ids[row],
                words.names[int(union.name[i])],
                old,
                new,
                old != new,
                ", ".join(sorted(cited, key=rule_order)),
            )
        )
