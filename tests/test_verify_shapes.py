"""cptm_rules.verify on the later policy shapes: refund tiers, grace, caps, dated prices, states."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from cptm_rules import verify
from cptm_rules.cli import main
from cptm_rules.formulas import Case, check_precedence
from cptm_rules.policy import load_policy
from cptm_rules.pricing import load_prices
from cptm_rules.rules import cancellation, certification
from cptm_rules.scenarios import load_scenarios, run_scenario

POLICIES = Path(__file__).resolve().parent.parent / "scenarios" / "policies"


def planted(tmp_path: Path, name: str, sections: str, *, years: tuple[int, int]) -> Path:
    """A policy file extending current with ``sections``, on a short calendar."""
    path = tmp_path / f"{name}.toml"
    calendar = f"[calendar]\nfirst_year = {years[0]}\nlast_year = {years[1]}\n"
    path.write_text(f'extends = "current"\nname = "{name}"\n{sections}\n{calendar}', "utf-8")
    return path


TIERS = """[cancellation]
refund_tiers = [
  { before_practicum_days = 31, refund = "full_less_admin" },
  { before_practicum_days = 14, refund = "50%" },
  { before_practicum_days = 1, refund = "none" },
]
"""


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(argv), out=out, err=err)
    return status, out.getvalue(), err.getvalue()


def passes(path: Path) -> bool:
    return all(not run_scenario(s).failures for s in load_scenarios(path))


def counterexample(report: verify.VerifyReport, out: Path, property_name: str) -> Path:
    """The one counterexample file of ``property_name`` written for ``report``."""
    assert property_name in {v.property for v in report.violations}
    written = verify.write_counterexamples(report, out)
    slug = verify._slug(property_name)  # noqa: SLF001  # how the files are named
    (mine,) = [p for p in written if p.name.endswith(f"-{slug}.scenarios.toml")]
    return mine


def fails_then_passes(
    monkeypatch: pytest.MonkeyPatch, policy: Path, name: str, out: Path, **kw: Any
) -> verify.VerifyReport:
    """``policy`` violates ``name``; its counterexample fails, and passes with the fault gone."""
    report = verify.verify_policy(load_policy(policy), **kw)
    path = counterexample(report, out, name)
    assert not passes(path)
    monkeypatch.undo()
    assert passes(path)
    return report


# -- every policy under scenarios/policies/ -------------------------------------------------


@pytest.mark.parametrize("path", sorted(POLICIES.glob("*.toml")), ids=lambda p: p.stem)
def test_every_example_policy_keeps_every_property(path: Path) -> None:
    # Six calendar years around the proposals' effective dates keep the run short.
    policy = load_policy(path, overrides={"calendar.first_year": 2026, "calendar.last_year": 2031})
    report = verify.verify_policy(policy)
    assert report.violations == ()
    assert report.warnings == ()


# -- refund tiers (R24) -----------------------------------------------------------------------


def _tier_table(rows: list[Any]) -> Any:
    return check_precedence("planted tiers", tuple(("R24", row) for row in rows))


def _row(tier: cancellation.RefundTier, when: Any) -> Case[Any, Any]:
    return Case(verdicts=("refund",), when=when, explain=lambda _: tier)


def test_refund_tiers_with_a_gap_are_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = planted(tmp_path, "tiers", TIERS, years=(2030, 2030))
    real = cancellation._precedence  # noqa: SLF001  # the table both engines ask

    def gapped(tiers: Any) -> Any:
        _far, middle, near = tiers

        # Each tier from its days to the next one's, but the middle one stops at 20 days
        # before: a cancellation 21 to 30 days before falls in none.
        def between(low: int, high: int) -> Any:
            def when(ops: Any, case: Any) -> Any:
                before = ops.days_between(case.on, case.held_first)
                return (before >= low) & (before <= high)

            return when

        rows = [row for _r, row in real(tiers)]
        return _tier_table([rows[0], _row(middle, between(14, 20)), _row(near, between(1, 13))])

    monkeypatch.setattr(cancellation, "_precedence", gapped)
    report = fails_then_passes(monkeypatch, path, "cancellations", tmp_path / "o")
    (gap,) = [v for v in report.violations if v.summary.startswith("no refund tier")]
    case = dict(gap.case)
    before = dt.date.fromisoformat(case["held first day"]) - dt.date.fromisoformat(
        case["cancelled"]
    )
    assert 21 <= before.days <= 30  # in the gap
    assert case["registered"] == "2030-01-01"


def test_overlapping_tiers_answered_against_their_order_are_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = planted(tmp_path, "tiers", TIERS, years=(2030, 2030))
    real = cancellation._precedence  # noqa: SLF001  # the table both engines ask

    def reversed_table(tiers: Any) -> Any:
        # The nearest window first: it holds wherever the others do, and answers them.
        return _tier_table([row for _r, row in real(tiers)][::-1])

    monkeypatch.setattr(cancellation, "_precedence", reversed_table)
    report = fails_then_passes(monkeypatch, path, "cancellations", tmp_path / "o")
    (found,) = [v for v in report.violations if "list does not put first" in v.summary]
    assert found.summary.startswith("refund-tier rows 1 and 2 both hold")
    assert dict(found.case)["answering row"] == "1 (listed tier 3)"
    # The tiers the reversed table hides are reported as never answering.
    assert [w.summary for w in report.warnings] == [
        "refund tier 2 answers no cancellation on any date of the calendar",
        "refund tier 1 answers no cancellation on any date of the calendar",
    ]


def test_the_example_tiers_note_their_nested_overlaps_and_the_uncovered() -> None:
    policy = load_policy(POLICIES / "refund-tiers.toml", overrides={"calendar.last_year": 2021})
    report = verify.verify_policy(policy)
    assert report.passed
    cancels = next(r for r in report.results if r.name == "cancellations")
    assert any(
        n.startswith("which refund tier does this cancellation fall in?: rows 1 (R24) and 2")
        for n in cancels.notes
    )
    # Every cancellation before the first day falls in a tier: none is left not covered.
    assert not any("fall in no refund tier" in n for n in cancels.notes)


def test_a_refund_that_grows_across_tiers_is_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = planted(tmp_path, "tiers", TIERS, years=(2030, 2030))
    real = cancellation._precedence  # noqa: SLF001

    def swapped(tiers: Any) -> Any:
        # The nearest tier refunds half and the middle one nothing: later gets more back.
        _far, middle, near = tiers
        rows = [row for _r, row in real(tiers)]
        return _tier_table(
            [
                rows[0],
                _row(near, rows[1].when),
                _row(middle, rows[2].when),
            ]
        )

    monkeypatch.setattr(cancellation, "_precedence", swapped)
    fails_then_passes(
        monkeypatch, path, "refund never grows as the cancellation gets later", tmp_path / "o"
    )


# -- the grace period and renewal (R20) -------------------------------------------------------


GRACE = "[certification]\nrenewal_grace_days = 60\n"


def test_a_grace_period_that_ends_before_its_period_is_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = planted(tmp_path, "grace", GRACE, years=(2030, 2033))

    def early(policy: Any, end: Any, *, ops: Any = None) -> Any:  # noqa: ARG001
        # A day before the period's end, for one candidate (a date) or a cohort (day numbers).
        return end - (dt.timedelta(days=1) if isinstance(end, dt.date) else 1)

    # Both engines read the lapse day from the certification family alone.
    monkeypatch.setattr(certification, "grace_end", early)
    report = verify.verify_policy(load_policy(path))
    assert {v.property for v in report.violations} == {
        "grace period ends after its period",
        "renewal checks",
    }
    (grace,) = [v for v in report.violations if v.property.startswith("grace")]
    assert grace.summary == ("the grace period of a period ending 2032-01-02 ends on 2032-01-01")
    # With the grace period gone, in_grace is never reached: a warning, as a dead rule is.
    (dead,) = report.warnings
    assert dead.summary == "no journey reaches the state in_grace on any date"
    written = verify.write_counterexamples(report, tmp_path / "o")
    replays = {p.name: p for p in written if p.suffix == ".toml" and "scenarios" in p.name}
    assert len(replays) == 3
    assert not any(passes(p) for p in replays.values())
    monkeypatch.undo()
    assert all(passes(p) for p in replays.values())


def test_no_grace_period_leaves_in_grace_off_not_dead(tmp_path: Path) -> None:
    path = planted(tmp_path, "plain", "", years=(2030, 2031))
    report = verify.verify_policy(load_policy(path))
    states = next(r for r in report.results if r.name.startswith("every journey state"))
    assert states.violations == ()
    grace = next(r for r in report.results if r.name.startswith("grace period"))
    assert grace.holds


def test_a_grace_period_asks_the_late_renewal_fee_known_or_named_unknown(
    tmp_path: Path,
) -> None:
    grace = verify.verify_policy(load_policy(planted(tmp_path, "g", GRACE, years=(2030, 2030))))
    plain = verify.verify_policy(load_policy(planted(tmp_path, "p", "", years=(2030, 2030))))
    money = [next(r for r in x.results if r.group == verify.MONEY) for x in (grace, plain)]
    assert grace.passed  # the shipped schedule names it unknown: known or named, so it holds
    assert money[0].checked == money[1].checked + 1
    assert ("R20", "paid_in_grace", "late_renewal_fee") in verify._named_prices(grace.policy)  # noqa: SLF001


# -- category caps (R18) ----------------------------------------------------------------------


def test_a_cap_that_makes_more_hours_count_less_is_caught(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sections = (
        "[certification]\nce_hours_required = 40\n\n"
        '[[certification.category_limits]]\ncategories = ["webinar"]\nmax_hours = 25\n'
    )
    path = planted(tmp_path, "cap", sections, years=(2030, 2030))

    def cut(self: certification.CategoryLimit, recorded: Decimal) -> Decimal:
        cap = self.max_hours
        return recorded if cap is None or recorded <= cap else Decimal(0)

    monkeypatch.setattr(certification.CategoryLimit, "counted", cut)
    report = fails_then_passes(
        monkeypatch,
        path,
        "more qualifying hours never turn a met requirement unmet",
        tmp_path / "o",
    )
    (found,) = report.violations
    assert found.summary == (
        "15 h (no group); 25 h (webinar) meet the hours required, "
        "15 h (no group); 26 h (webinar) do not"
    )


def test_the_hour_sweep_asks_both_sides_of_every_bound() -> None:
    policy = load_policy(POLICIES / "pmi-style.toml")
    grid = verify._hour_grid(policy)  # noqa: SLF001
    assert {Decimal(34), Decimal(35), Decimal(36), Decimal(59), Decimal(60)} <= set(grid)


# -- dated prices (R22) -----------------------------------------------------------------------


def test_a_dated_schedule_that_prices_no_earlier_registration_is_caught(tmp_path: Path) -> None:
    shipped = resources.files("cptm_rules.policies").joinpath("prices.toml").read_text("utf-8")
    prices = tmp_path / "prices.toml"
    prices.write_text("effective_from = 2030-07-01\n" + shipped, "utf-8")
    path = planted(tmp_path, "plain", "", years=(2030, 2030))
    report = verify.verify_policy(load_policy(path), prices=load_prices(prices))
    name = "registrations priced by one schedule"
    (found,) = [v for v in report.violations if v.property == name]
    assert found.summary == "no version of the prices charges a registration on 2030-01-01"
    assert found.cases == 181
    written = counterexample(report, tmp_path / "o", name)
    assert not passes(written)
    # The fix: the file extends the schedule in force before its date.
    copy = tmp_path / "o" / "prices.toml"
    copy.write_text('extends = "shipped"\neffective_from = 2030-07-01\n', "utf-8")
    assert passes(written)


def test_each_version_of_dated_prices_is_checked() -> None:
    prices = load_prices(POLICIES.parent / "prices" / "from-2027-07.toml")
    report = verify.verify_policy(load_policy(), prices=prices)
    assert report.passed
    money = next(r for r in report.results if r.group == verify.MONEY)
    plain = next(r for r in verify.verify_policy(load_policy()).results if r.group == verify.MONEY)
    assert money.checked > plain.checked  # the shipped version before it, too


# -- a refund that grows, written in a file (review of issue 23) -------------------------------


GROWS = """[cancellation]
refund_tiers = [
  { before_practicum_days = 60, refund = "50%" },
  { before_practicum_days = 30, refund = "full" },
  { before_practicum_days = 1, refund = "none" },
]
"""


def test_a_file_whose_refund_grows_fails_check_under_the_shipped_prices_until_fixed(
    tmp_path: Path,
) -> None:
    path = planted(tmp_path, "grows", GROWS, years=(2030, 2030))
    out = tmp_path / "o"
    status, text, _ = run("verify", str(path), "--write-counterexamples", str(out))
    assert status == 1
    assert "violation: refund never grows as the cancellation gets later (R24): " in text
    # Under the shipped prices both refunds read "unknown program_price": the file pins
    # the tiers' shares of a probe price it names instead.
    (probe,) = out.glob("*.prices.toml")
    assert probe.read_text("utf-8").startswith("# Written by cptm-rules verify")
    status, text, _ = run("check", str(out))
    assert status == 1
    assert "expected: '500000.00 USD'" in text
    assert "actual:   '1000000.00 USD'" in text
    copy = out / "policy.toml"
    fixed = copy.read_text("utf-8").replace('60, refund = "50%"', '60, refund = "full"')
    copy.write_text(fixed.replace('30, refund = "full"', '30, refund = "50%"'), "utf-8")
    assert run("check", str(out))[0] == 0
    assert verify.verify_policy(load_policy(copy)).passed


def test_the_refund_property_says_it_compares_cash_refunds_only() -> None:
    report = verify.verify_policy(load_policy("current", overrides={"calendar.last_year": 2020}))
    refund = next(r for r in report.results if r.name.startswith("refund never grows"))
    assert refund.rule_ids == ("R24",)
    assert refund.notes == (
        (
            "compares cash refunds only (R24), each as its share of the program price: a "
            "tuition credit (R25) is not compared"
        ),
    )


# -- a dead refund tier (R24) -------------------------------------------------------------------


HIDDEN = """[cancellation]
refund_tiers = [
  { before_practicum_days = 1, refund = "none" },
  { within_days_of_registration = 5, refund = "full" },
]
"""


def test_a_dead_refund_tier_is_named_on_its_property_line_and_replays(tmp_path: Path) -> None:
    path = planted(tmp_path, "hidden", HIDDEN, years=(2030, 2030))
    out = tmp_path / "o"
    status, text, _ = run("verify", str(path), "--write-counterexamples", str(out))
    assert status == 0  # a warning
    line = next(x for x in text.splitlines() if "every rule the policy turns on can fire (R9" in x)
    assert line.endswith(": warning (R24 refund tier 2 can never fire)")
    assert "no counterexample file" not in text
    status, text, _ = run("check", str(out))
    assert status == 1
    assert "expected: ['R24 refund']" in text
    copy = out / "policy.toml"
    first, second = HIDDEN.splitlines()[2:4]
    copy.write_text(copy.read_text("utf-8").replace(f"{first}\n{second}", f"{second}\n{first}"))
    assert run("check", str(out))[0] == 0


# -- a grace period as long as the period (R17, R20) -------------------------------------------


@pytest.mark.parametrize(
    ("sections", "years", "fixed"),
    [
        ("[certification]\nrenewal_grace_days = 1000\n", (2030, 2034), ("1000", "60")),
        (
            (
                '[certification]\ncertification_period = { amount = 1, unit = "months" }\n'
                "renewal_grace_days = 60\n"
            ),
            (2030, 2030),
            ("renewal_grace_days = 60", "renewal_grace_days = 28"),
        ),
    ],
    ids=["1000-days-on-two-years", "60-days-on-one-month"],
)
def test_a_grace_period_that_outlasts_the_next_period_is_caught(
    tmp_path: Path, sections: str, years: tuple[int, int], fixed: tuple[str, str]
) -> None:
    path = planted(tmp_path, "long-grace", sections, years=years)
    report = verify.verify_policy(load_policy(path))
    name = "grace period ends before the next period would end"
    assert {v.property for v in report.violations} == {name}
    (found,) = report.violations
    assert found.rule_ids == ("R17", "R20")
    case = dict(found.case)
    assert case["grace ends (exclusive)"] > case["the period renewed from it ends"]
    written = counterexample(report, tmp_path / "o", name)
    assert not passes(written)  # the fee paid on the renewed period's end is taken
    copy = tmp_path / "o" / "policy.toml"
    copy.write_text(copy.read_text("utf-8").replace(*fixed), "utf-8")
    assert passes(written)
    assert verify.verify_policy(load_policy(copy)).passed
