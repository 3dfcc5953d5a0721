"""The batch engine of a diff: a chunk answered as columns on both sides, tallied with numpy.

:func:`tally_table` answers a cohort table under both sides of a diff with the
batch path (:func:`~cptm_rules.batch.batch_answers`), turns each side's answer
columns into the diff's answers (the names, texts and rules
:func:`~cptm_rules.cohort.answers.answer_list` gives), and tallies them column-wise:
each distinct answer is put into words once, however many candidates share it.
A row the columns do not answer completely (the batch path replayed it, an event
was refused, or it has an answer no column carries yet) is answered by its two
journeys, as the journey engine answers every row, and tallied in its place. The
result is the :class:`~cptm_rules.cohort.tally.Tally` the journey engine makes of
the same rows: the same counts, the same examples in cohort order and, when kept,
the same answer rows.

Needs the ``columnar`` extra (numpy, pyarrow), as the batch path does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cptm_rules.batch import batch_answers
from cptm_rules.cohort.answers import (
    Answer,
    compare_answers,
    key_date_rule,
    moment_text,
    quote_text,
)
from cptm_rules.cohort.formats import candidates_from_table, checked_table
from cptm_rules.cohort.tally import AnswerRow, Tally, rule_order
from cptm_rules.money import Money
from cptm_rules.rule_coverage import quote_verdicts
from cptm_rules.rules.certification import RENEWAL_FEE_OUTCOME, RENEWAL_FEE_REFUSALS
from cptm_rules.rules.exam import ATTEMPT_OUTCOME, ATTEMPT_REFUSALS, RETAKE_FEE
from cptm_rules.rules.practicum_changes import CHANGE_FEE_PRECEDENCE, CHANGE_REFUSALS
from cptm_rules.rules.registration import REGISTRATION_FEES
from cptm_rules.vocabulary import KeyDateKind

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from numpy.typing import NDArray

    from cptm_rules.formulas import Precedence
    from cptm_rules.money import Amount
    from cptm_rules.policy import Policy
    from cptm_rules.pricing import PriceSchedule

    Ints = NDArray[np.int64]
    Mask = NDArray[np.bool_]

__all__ = ["BATCH_CHUNK", "SideAnswers", "side_answers", "tally_table"]

BATCH_CHUNK: Final = 20_000
"""Candidates per unit of work of the batch engine: a table's worth, answered at once."""

_ABSENT: Final = -1
"""The text code of an answer one side does not give (the journey engine's ``absent``)."""


class _Words:
    """The texts, rule ids and exercised pairs of a chunk's answers, each coded once.

    Both sides of a chunk share one, so equal codes are equal answers.
    """

    def __init__(self) -> None:
        self.names: list[str] = []
        self._name: dict[str, int] = {}
        self.texts: list[str] = []
        self._text: dict[str, int] = {}
        self.rules: list[str] = []
        self._rule: dict[str, int] = {}
        self.pairs: list[tuple[str, str]] = []
        self._pair: dict[tuple[str, str], int] = {}
        self.keys: list[tuple[int, tuple[int, ...], tuple[int, ...]]] = []
        """per answer code: its text code, rule codes and pair codes."""
        self._key: dict[tuple[str, tuple[str, ...], frozenset[tuple[str, str]]], int] = {}

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
                (
                    _code(self._text, self.texts, text),
                    tuple(self.rule(r) for r in rule_ids),
                    tuple(self.pair(p) for p in sorted(pairs)),
                )
            )
        return found


def _code(index: dict[Any, int], values: list[Any], value: Any) -> int:  # noqa: ANN401
    found = index.get(value)
    if found is None:
        found = index[value] = len(values)
        values.append(value)
    return found


class SideAnswers(NamedTuple):
    """One side's answers of a chunk's rows, one entry per answer (codes of :class:`_Words`)."""

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

    def __init__(self, n: int, words: _Words) -> None:
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
        decode: Callable[..., tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None],
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
        stacked = np.stack(parts, axis=1) if len(parts) > 1 else parts[0][:, None]
        distinct, inverse = np.unique(stacked, axis=0, return_inverse=True)
        codes = np.empty(len(distinct), dtype=np.int64)
        for i, combination in enumerate(distinct.tolist()):
            decoded = decode(
                *(None if c < 0 else values[k][c] for k, c in enumerate(combination))
            )
            codes[i] = -1 if decoded is None else self.words.answer(*decoded)
        answer = codes[inverse.reshape(-1)]
        missing = answer < 0
        if missing.any():
            self.uncovered[rows[missing]] = True
        self.row.append(rows[~missing])
        self.name.append(names[~missing])
        self.answer.append(answer[~missing])

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


def _joined(parts: list[Ints]) -> Ints:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _coded(values: pa.Array | pa.ChunkedArray) -> tuple[Ints, list[Any]]:
    """An Arrow column as codes (-1: null) into its distinct values."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    encoded = pc.dictionary_encode(values)
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


def _numbered(words: _Words, stem: str, places: Ints, *, start: int = 1) -> Ints:
    """Names ``stem N`` for items at ``places`` (0-based): ``change 1``, ``change 2``, …"""
    if not len(places):
        return places
    table = np.array(
        [words.name(f"{stem} {k + start}") for k in range(int(places.max()) + 1)], dtype=np.int64
    )
    return table[places]


def _fee_fields(*tables: Precedence[Any, Any]) -> dict[str, str | None]:
    """Per verdict of ``tables``: the price it charges (a PriceSchedule field), if any."""
    fields: dict[str, str | None] = {}
    for table in tables:
        for _rule_id, case in table:
            for i, verdict in enumerate(case.verdicts):
                fee = case.fees[i] if case.fees else None
                if fields.get(verdict) is None:
                    fields[verdict] = fee
    return fields


_CHANGE_FEES: Final = _fee_fields(CHANGE_REFUSALS, CHANGE_FEE_PRECEDENCE)
_LATE_FEES: Final = _fee_fields(*REGISTRATION_FEES)
_ATTEMPT_FEES: Final = _fee_fields(ATTEMPT_REFUSALS, ATTEMPT_OUTCOME, RETAKE_FEE)
_RENEWAL_FEES: Final = _fee_fields(RENEWAL_FEE_REFUSALS, RENEWAL_FEE_OUTCOME)
_REFUSED: Final = "refused"


def _decision(
    fees: dict[str, str | None], prices: PriceSchedule
) -> Callable[[str | None, str | None], tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None]:
    """Decode a verdict and its rule as a decision's answer, priced as its table says."""

    def decode(
        verdict: str | None, rule: str | None
    ) -> tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None:
        if verdict is None or rule is None or verdict == _REFUSED:
            return None  # a refusal's words need the journey's state: its journeys say them
        field = fees.get(verdict)
        fee: Amount | None = None if field is None else getattr(prices, field)
        answer = Answer(name="", verdict=verdict, rule_ids=(rule,), fee=fee)
        return str(answer), (rule,), frozenset({(rule, verdict)})

    return decode


def side_answers(
    cohort: pa.Table, answers: pa.Table, words: _Words, *, policy: Policy, prices: PriceSchedule
) -> SideAnswers:
    """One side's answers from its answer table (:func:`~cptm_rules.batch.batch_answers`)."""
    n = cohort.num_rows
    out = _Entries(n, words)
    everyone = np.arange(n, dtype=np.int64)
    replayed = np.asarray(answers.column("replayed").to_numpy(zero_copy_only=False), dtype=bool)
    out.uncovered |= replayed
    _key_dates(out, cohort, answers, everyone)
    for stem, verdicts, rules, fees in (
        ("change", "change_verdicts", "change_rules", _CHANGE_FEES),
        ("module", "module_verdicts", "module_rules", {}),
        ("activity", "activity_verdicts", "activity_rules", {}),
        ("renewal fee", "renewal_verdicts", "renewal_rules", _RENEWAL_FEES),
        ("exam attempt", "attempt_verdicts", "attempt_rules", _ATTEMPT_FEES),
    ):
        verdict, rows, place = _listed(answers.column(verdicts))
        rule, _, _ = _listed(answers.column(rules))
        v, v_values = _coded(verdict)
        r, r_values = _coded(rule)
        names = _numbered(words, stem, place)
        out.add(rows, names, (v, r), _decision(fees, prices), (v_values, r_values))
    # An assessment is named for its module; a module without one has a null.
    verdict, rows, place = _listed(answers.column("assessment_verdicts"))
    rule, _, _ = _listed(answers.column("assessment_rules"))
    v, v_values = _coded(verdict)
    r, r_values = _coded(rule)
    taken = v >= 0
    names = np.array(
        [words.name(f"module {k + 1} assessment") for k in range(int(place.max()) + 1)]
        if len(place)
        else [],
        dtype=np.int64,
    )
    out.add(
        rows[taken],
        names[place[taken]] if len(place) else place,
        (v[taken], r[taken]),
        _decision({}, prices),
        (v_values, r_values),
    )
    v, v_values = _coded(answers.column("access"))
    out.add(everyone, np.full(n, words.name("access"), dtype=np.int64), (v,), _access_decision(prices), (v_values,))
    v, v_values = _coded(answers.column("late_fee_verdict"))
    r, r_values = _coded(answers.column("late_fee_rule"))
    late = v >= 0
    out.add(
        everyone[late],
        np.full(int(late.sum()), words.name("registration"), dtype=np.int64),
        (v[late], r[late]),
        _decision(_LATE_FEES, prices),
        (v_values, r_values),
    )
    _quote(out, answers, everyone)
    return out.done()


def _access_decision(
    prices: PriceSchedule,
) -> Callable[[str | None], tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None]:
    from cptm_rules.rules.registration import ACCESS_VERDICT  # noqa: PLC0415

    rule_of = {verdict: rule for rule, case in ACCESS_VERDICT for verdict in case.verdicts}
    decide = _decision({}, prices)

    def decode(verdict: str | None) -> tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None:
        return None if verdict is None else decide(verdict, rule_of.get(verdict))

    return decode


def _key_dates(out: _Entries, cohort: pa.Table, answers: pa.Table, everyone: Ints) -> None:
    words = out.words
    registered = cohort.column("registered_at")
    for kind, column in (
        (KeyDateKind.REGISTERED, registered),
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
        codes, values = _coded(column)
        present = codes >= 0
        out.add(
            everyone[present],
            np.full(int(present.sum()), words.name(f"key date {kind}"), dtype=np.int64),
            (codes[present],),
            _key_date(kind),
            (values,),
        )
    ends, rows, place = _listed(answers.column("period_ends"))
    codes, values = _coded(ends)
    stem = f"key date {KeyDateKind.PERIOD_END}"
    out.add(rows, _numbered(words, stem, place), (codes,), _key_date(KeyDateKind.PERIOD_END), (values,))


def _key_date(
    kind: KeyDateKind,
) -> Callable[[dt.date | dt.datetime | None], tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None]:
    rule = key_date_rule(kind)

    def decode(
        when: dt.date | dt.datetime | None,
    ) -> tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None:
        assert when is not None  # noqa: S101  # nulls are not added
        return moment_text(when), (rule,), frozenset()

    return decode


def _quote(out: _Entries, answers: pa.Table, everyone: Ints) -> None:
    columns = [answers.column(name) for name in ("quote_total", "quote_missing", "quote_discounts", "quote_stacked")]
    # A list column is coded by its text: dictionary encoding takes no lists.
    total, total_values = _coded(columns[0])
    missing, missing_values = _coded(pc.binary_join(columns[1], "\x1f"))
    discounts, discount_values = _coded(pc.binary_join(columns[2], "\x1f"))
    stacked, stacked_values = _coded(columns[3])
    known = missing >= 0
    currency = "USD"

    def decode(
        amount: Any, missing_text: str | None, discounts_text: str | None, stacks: bool | None  # noqa: ANN401
    ) -> tuple[str, tuple[str, ...], frozenset[tuple[str, str]]] | None:
        if missing_text is None:
            return None
        unknown = tuple(missing_text.split("\x1f")) if missing_text else ()
        eligible = tuple(discounts_text.split("\x1f")) if discounts_text else ()
        total_amount = None if amount is None else Money(amount=amount, currency=currency)
        text, rules = quote_text(total_amount, unknown, eligible, stacking=bool(stacks))
        return text, rules, frozenset(quote_verdicts_of(total_amount is not None, len(eligible)))

    out.add(
        everyone[known],
        np.full(int(known.sum()), out.words.name("registration quote"), dtype=np.int64),
        (total[known], missing[known], discounts[known], stacked[known]),
        decode,
        (total_values, missing_values, discount_values, stacked_values),
    )
    out.uncovered[~known] = True
