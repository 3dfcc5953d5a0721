from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import attrs
import pytest

from cptm_rules.exceptions import CptmRulesError, InvalidInputError, PolicyError
from cptm_rules.policy import (
    KNOWN_CONCEPTS,
    POLICY_KEYS,
    SHIPPED_POLICIES,
    Policy,
    PolicySet,
    concept_hint,
    load_policy,
)
from cptm_rules.pricing import load_prices
from cptm_rules.vocabulary import AccessUnit, ActivityCategory, DayCount, DiscountKind


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_current_policy_holds_the_current_faq_figures() -> None:
    policy = load_policy()
    assert policy.name == "current"
    assert (policy.access_due_amount, policy.access_due_unit) == (2, AccessUnit.HOURS)  # R4
    assert policy.lead_time_minimum_days == 28  # R3
    assert policy.module_count == 10  # R5
    assert (policy.total_hours_min, policy.total_hours_max) == (Decimal(20), Decimal(50))  # R5
    assert policy.prework_recommended_days == 42  # R6
    assert policy.modules_required_for_exam is False  # R8
    assert policy.free_change_days == 30  # R9
    assert policy.free_change_day_count is DayCount.BUSINESS  # R10
    assert policy.free_changes == 2  # R11a
    assert policy.exam_window_months == 6  # R14
    assert policy.max_exam_attempts is None  # R15
    assert policy.certification_period_years == 2  # R17
    assert policy.ce_hours_required == Decimal(24)  # R18
    assert ActivityCategory.NOT_INDUSTRY_RELEVANT not in policy.qualifying_categories  # R19
    assert ActivityCategory.ALUMNI_WEBINAR in policy.free_categories  # R19
    assert set(policy.discount_kinds) == set(DiscountKind)  # R21
    assert (policy.group_min_size, policy.discount_stacking) == (2, False)  # R21
    assert policy.early_cancellation_days == 5  # R24
    assert (policy.tuition_credit_years, policy.re_enrollments) == (1, 1)  # R25
    assert policy.workalendar_class == "workalendar.usa.NorthCarolina"
    assert policy.time_zone == "America/New_York"
    assert str(policy.zone) == "America/New_York"


def test_the_legacy_policy_differs_only_where_the_older_faq_does() -> None:
    current, legacy = load_policy("current"), load_policy("legacy")
    changed = {
        f.name
        for f in attrs.fields(Policy)
        if "check" in f.metadata and getattr(current, f.name) != getattr(legacy, f.name)
    }
    assert changed == {
        "name",
        "description",
        "access_due",
        "module_hours_max",
        "prework_recommended",
    }
    assert legacy.access_due_unit is AccessUnit.BUSINESS_DAYS
    assert legacy.total_hours_max == Decimal(40)
    assert legacy.prework_recommended_days == 28


def test_every_value_records_its_rule_and_source() -> None:
    for name in SHIPPED_POLICIES:
        for source in load_policy(name).sources():
            assert source.citation
            if source.key not in ("calendar.first_year", "calendar.last_year"):
                assert source.rule_id is not None, source.key
    legacy = load_policy("legacy")
    assert str(legacy.source_of("access_due_unit")) == (
        'registration.access_due_unit = "business_days" '
        "(R4; older FAQ: access within two business days)"
    )
    assert str(load_policy().source_of("module_count")) == (
        'prework.module_count = 10 (R5; FAQ: "How long will it take to complete the eLearning '
        'modules?")'
    )
    assert str(load_policy().source_of("max_exam_attempts")).startswith(
        'exam.max_exam_attempts = "unlimited" (R15;'
    )


def test_source_of_an_unknown_field_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="'fee'"):
        load_policy().source_of("fee")


def test_a_partial_override_file_changes_only_what_it_names(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'extends = "current"\n[practicum]\nfree_change_days = 20\nfree_changes = "unlimited"\n'
        '[sources]\n"practicum.free_change_days" = "board decision 2027-04"\n',
    )
    mine, current = load_policy(path), load_policy("current")
    assert (mine.free_change_days, mine.free_changes) == (20, None)
    assert mine.name == "mine"
    assert (
        attrs.evolve(
            mine,
            name="current",
            free_change_deadline=current.free_change_deadline,
            free_changes=2,
            extends=None,
            citations=current.citations,
        )
        == current
    )
    assert mine.source_of("free_change_days").citation == "board decision 2027-04"
    assert mine.source_of("free_changes").citation == str(path)
    assert mine.source_of("module_count").citation == current.source_of("module_count").citation


def test_overrides_change_single_keys_and_never_the_policy_passed_in() -> None:
    current = load_policy()
    calendar_days = load_policy(overrides={"practicum.free_change_day_count": "calendar"})
    assert calendar_days.free_change_day_count is DayCount.CALENDAR
    assert current.free_change_day_count is DayCount.BUSINESS
    stricter = current.with_overrides({"exam.max_exam_attempts": 2}, citation="pilot")
    assert stricter.max_exam_attempts == 2
    assert stricter.source_of("max_exam_attempts").citation == "pilot"
    assert current.max_exam_attempts is None


def test_a_policy_builds_its_calendar_from_its_settings() -> None:
    closed = dt.date(2027, 1, 8)
    policy = load_policy(overrides={"calendar.extra_closures": [closed]})
    assert not policy.calendar.is_business_day(closed)
    assert policy.calendar is policy.calendar  # built once
    assert load_policy().calendar.is_business_day(closed)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'extends = "current"\n[practicum]\nfree_change_dayz = 30\n',
            (
                r"mine.toml: practicum.free_change_dayz = '<unknown key>' is not valid: "
                r"expected a known policy key; did you mean practicum.free_change_days"
            ),
        ),
        (
            'extends = "current"\n[practicum]\nfree_change_days = "thirty"\n',
            (
                r"mine.toml: practicum.free_change_days = 'thirty' is not valid: expected a whole "
                r"number from 0 to 365"
            ),
        ),
        (
            'extends = "current"\n[prework]\nmodule_hours_min = -2\n',
            (
                r"mine.toml: prework.module_hours_min = -2 is not valid: expected a number of hours"
                r" from 0 to 1,000"
            ),
        ),
        (
            'extends = "current"\n[calendar]\nworkalendar_class = "workalendar.usa.Atlantis"\n',
            (
                r"mine.toml: calendar.workalendar_class = 'workalendar.usa.Atlantis' is not valid: "
                r"expected a workalendar calendar class"
            ),
        ),
        (
            'extends = "current"\n[calendar]\ntime_zone = "America/Raleigh"\n',
            (
                r"mine.toml: calendar.time_zone = 'America/Raleigh' is not valid: expected an IANA "
                r"time zone name"
            ),
        ),
        (
            'extends = "current"\n[exam]\nmax_exam_attempts = 0\n',
            (
                r"exam.max_exam_attempts = 0 is not valid: expected a whole number from 1 to "
                r"1,000, or the string 'unlimited'"
            ),
        ),
        (
            'extends = "current"\n[prework]\nmodules_required_for_exam = "yes"\n',
            r"prework.modules_required_for_exam = 'yes' is not valid: expected true or false",
        ),
        (
            'extends = "current"\n[practicum]\nfree_change_day_count = "lunar"\n',
            (
                r"free_change_day_count = 'lunar' is not valid: expected one of 'business', "
                r"'calendar'"
            ),
        ),
        (
            'extends = "current"\n[certification]\nqualifying_categories = ["golf"]\n',
            r"qualifying_categories = \['golf'\] is not valid: .*'golf' is not one",
        ),
        (
            'extends = "current"\n[calendar]\nextra_closures = ["2027-01-08"]\n',
            r"calendar.extra_closures = \['2027-01-08'\] is not valid: expected a list of dates",
        ),
        (
            'extends = "current"\n[prework]\nmodule_hours_max = 1\n',
            (
                r"prework.module_hours_max = Decimal\('1'\) is not valid: expected at least "
                r"module_hours_min"
            ),
        ),
        (
            'extends = "current"\n[calendar]\nfirst_year = 2030\nlast_year = 2029\n',
            r"calendar.last_year = 2029 is not valid: expected a year on or after first_year",
        ),
        (
            'extends = "newest"\n',
            (
                r"extends = 'newest' is not valid: expected the name of a "
                r"shipped policy: current, legacy"
            ),
        ),
        ("[practicum]\nfree_change_days = 30\n", r"mine.toml: .* = '<missing>' .*extends = "),
        (
            'colour = "blue"\n',
            r"mine.toml: colour = '<unknown key>' is not valid: expected a top-level",
        ),
        ("practicum = 3\n", r"practicum = 3 is not valid: expected a table \[practicum\]"),
        ('extends = "current"\nsources = 3\n', r"sources = 3 is not valid"),
        ("extends = = 3\n", r"mine.toml: <file> = .* expected valid TOML"),
        ('extends = "current"\neffective_from = "soon"\n', r"effective_from = 'soon'"),
        (
            'extends = "current"\n[registration]\naccess_due_amount = true\n',
            r"access_due_amount = True",
        ),
        (
            'extends = "current"\n[certification]\nce_hours_required = true\n',
            r"ce_hours_required = True",
        ),
        (
            'extends = "current"\n[certification]\nce_hours_required = "lots"\n',
            r"ce_hours_required = 'lots'",
        ),
        (
            'extends = "current"\n[certification]\nce_hours_required = "inf"\n',
            r"ce_hours_required = 'inf'",
        ),
        (
            'extends = "current"\n[certification]\nce_hours_required = 2027-01-01\n',
            r"ce_hours_required = datetime.date",
        ),
        (
            'extends = "current"\n[certification]\nqualifying_categories = "webinar"\n',
            r"qualifying_categories = 'webinar' .*a list of values",
        ),
        (
            'extends = "current"\n[calendar]\nextra_closures = 2027-01-08\n',
            r"extra_closures = datetime.date\(2027, 1, 8\) .*a list of dates",
        ),
        ('extends = "current"\ndescription = ""\n', r"description = '' .*a non-empty string"),
        ('extends = "current"\n[calendar]\nfirst_year = 1800\n', r"first_year = 1800 .*1900"),
        (
            'extends = "current"\n[certification]\nfree_categories = ["not-industry-relevant"]\n',
            r"free_categories = .*a subset of qualifying_categories",
        ),
    ],
)
def test_each_kind_of_bad_policy_file_gives_a_clear_error(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=message) as caught:
        load_policy(write(tmp_path, text))
    assert isinstance(caught.value, CptmRulesError)
    assert isinstance(caught.value, ValueError)


def test_a_missing_or_unknown_policy_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match=r"expected a shipped policy name \(current, legacy\)"):
        load_policy("newest")
    with pytest.raises(PolicyError, match=r"path of an existing .toml file"):
        load_policy(tmp_path / "absent.toml")


def test_bad_overrides_name_the_key() -> None:
    with pytest.raises(PolicyError, match=r"<overrides>: exam.window = '<unknown key>'"):
        load_policy(overrides={"exam.window": 6})
    with pytest.raises(PolicyError, match=r"<overrides>: exam.exam_window_months = -6"):
        load_policy(overrides={"exam.exam_window_months": -6})


def test_building_a_policy_by_hand_validates_too() -> None:
    policy = load_policy()
    wrong = attrs.evolve(policy.free_change_deadline, amount=-1)
    with pytest.raises(
        PolicyError,
        match=r": practicum.free_change_deadline = .* is not valid: expected amount a whole "
        r"number of business_days from 0 to 365, not -1",
    ):
        attrs.evolve(policy, free_change_deadline=wrong)


def test_hours_accept_exact_decimal_strings_and_toml_floats(tmp_path: Path) -> None:
    path = write(tmp_path, 'extends = "current"\n[certification]\nce_hours_required = 23.75\n')
    assert load_policy(path).ce_hours_required == Decimal("23.75")
    as_text = load_policy(overrides={"certification.ce_hours_required": "0.1"})
    assert as_text.ce_hours_required == Decimal("0.1")


def test_a_policy_set_picks_the_policy_in_force_on_a_date() -> None:
    legacy = load_policy("legacy").with_overrides({"effective_from": dt.date(2020, 1, 1)})
    current = load_policy().with_overrides({"effective_from": dt.date(2024, 7, 1)})
    policies = PolicySet(policies=[current, legacy])
    assert policies.in_force_on(dt.date(2024, 6, 30)).name == "legacy"
    assert policies.in_force_on(dt.date(2024, 7, 1)).name == "current"
    assert policies.in_force_on(dt.date(2030, 1, 1)).name == "current"
    with pytest.raises(InvalidInputError, match=r"day=datetime.date\(2019, 12, 31\)"):
        policies.in_force_on(dt.date(2019, 12, 31))


def test_a_policy_set_needs_distinct_effective_dates() -> None:
    dated = load_policy().with_overrides({"effective_from": dt.date(2024, 7, 1)})
    with pytest.raises(InvalidInputError, match="each set effective_from"):
        PolicySet(policies=[dated, load_policy("legacy")])
    with pytest.raises(InvalidInputError, match="2024-07-01 is used twice"):
        PolicySet(policies=[dated, dated])
    with pytest.raises(InvalidInputError, match="at least one policy"):
        PolicySet(policies=[])


def test_effective_dates_can_be_set_in_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, 'extends = "legacy"\neffective_from = 2021-03-01\n', "old.toml")
    assert load_policy(path).effective_from == dt.date(2021, 3, 1)
    assert load_policy(path).access_due_unit is AccessUnit.BUSINESS_DAYS


BOARD = 'extends = "current"\neffective_from = 2027-07-01\n[practicum]\nfree_change_days = 20\n'


def test_a_dated_policy_is_in_force_from_its_effective_date_and_its_base_before_it(
    tmp_path: Path,
) -> None:
    board = load_policy(write(tmp_path, BOARD, "board-2027.toml"))
    assert board.extends == "current"
    assert board.label == "board-2027, in force from 2027-07-01"
    assert board.in_force_on(dt.date(2027, 7, 1)) is board
    assert board.in_force_on(dt.date(2028, 1, 1)) is board
    before = board.in_force_on(dt.date(2027, 6, 30))
    assert before == load_policy("current")
    assert before.label == "current"
    assert board.with_overrides({"practicum.free_changes": 3}).extends == "current"


def test_a_dated_policy_that_extends_nothing_cannot_judge_an_earlier_registration(
    tmp_path: Path,
) -> None:
    full = load_policy("current").with_overrides({"effective_from": dt.date(2027, 7, 1)})
    with pytest.raises(
        PolicyError, match=r"effective_from = .*registration date 2027-03-01.*extends"
    ):
        full.in_force_on(dt.date(2027, 3, 1))
    assert full.in_force_on(dt.date(2027, 7, 1)) is full
    with pytest.raises(PolicyError, match=r"extends = 'board'.*shipped policy: current, legacy"):
        attrs.evolve(load_policy(), extends="board")
    del tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[practicum]\nfree_change_days = 1000000\n", "free_change_days = 1000000 .*from 0 to 365"),
        (
            "[registration]\naccess_due_amount = 9223372036854775807\n",
            "access_due_amount = 9223372036854775807 .*from 1 to 1,000",
        ),
        ('[certification]\nce_hours_required = "1e999999"\n', "ce_hours_required = '1e999999'"),
        ('[certification]\nce_hours_required = "23.755"\n', "with at most 2 decimals"),
        (
            "[certification]\nqualifying_categories = {webinar = 1}\n",
            r"qualifying_categories = \{'webinar': 1\} .*a list of values",
        ),
        ("[certification]\nfree_categories = [1]\n", "1 is not one"),
        ('[calendar]\nextra_closures = "2027-01-01"\n', "a list of dates"),
        ("[practicum]\nmax_session_days = 0\n", "max_session_days = 0 .*from 1 to 366"),
    ],
)
def test_figures_out_of_range_or_of_the_wrong_shape_are_refused_when_loaded(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, 'extends = "current"\n' + text)
    with pytest.raises(PolicyError, match=message):
        load_policy(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "free_change_days = 20\n",
            r"did you mean practicum\.free_change_days \(under \[practicum\]",
        ),
        ('program_price = "2495"\n', r"prices and fees live in a price schedule file \(--prices"),
        ('[pricing]\nrenewal_fee = "150"\n', "prices and fees live in a price schedule file"),
        ('extend = "current"\n', "did you mean extends"),
    ],
)
def test_a_misplaced_or_misspelt_key_gets_a_suggestion(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(PolicyError, match=message):
        load_policy(write(tmp_path, 'extends = "current"\n' + text))


def test_an_unknown_policy_name_suggests_the_closest_shipped_one() -> None:
    with pytest.raises(PolicyError, match=r"did you mean current\?"):
        load_policy("curent")
    with pytest.raises(PolicyError, match=r"unknown key.*did you mean practicum\.free_changes"):
        load_policy(overrides={"practicum.free_change": 3})


def test_the_legacy_file_states_only_what_the_older_faq_changed() -> None:
    text = (
        Path(__file__).resolve().parents[1] / "src" / "cptm_rules" / "policies" / "legacy.toml"
    ).read_text(encoding="utf-8")
    assert 'extends = "current"' in text
    legacy, current = load_policy("legacy"), load_policy("current")
    changed = {
        f.name
        for f in attrs.fields(Policy)
        if f.name not in {"citations", "origin", "extends"}
        and getattr(legacy, f.name) != getattr(current, f.name)
    }
    assert changed == {
        "name",
        "description",
        "access_due",
        "module_hours_max",
        "prework_recommended",
    }
    assert legacy.source_of("access_due_amount").citation.startswith("older FAQ")


def test_cited_figures_read_as_the_policy_file_spells_them() -> None:
    policy = load_policy()
    assert policy.figures("free_categories", "discount_stacking", "extra_closures") == (
        (
            "certification.free_categories",
            "alumni-webinar, alumni-event, alumni-roundtable, alumni-course",
        ),
        ("pricing.discount_stacking", "false"),
        ("calendar.extra_closures", "none"),
    )
    assert policy.figures("max_exam_attempts", "module_count") == (
        ("exam.max_exam_attempts", "unlimited"),
        ("prework.module_count", "10"),
    )


def test_a_key_one_slip_from_a_real_one_gets_it_and_a_distant_one_gets_none(
    tmp_path: Path,
) -> None:
    near = write(tmp_path, 'extends = "current"\n[practicum]\nfree_change_day = 20\n')
    with pytest.raises(PolicyError, match=r"did you mean practicum\.free_change_days \(under"):
        load_policy(near)
    far = write(tmp_path, 'extends = "current"\n[certification]\ngrace_period_days = 30\n')
    with pytest.raises(PolicyError) as caught:
        load_policy(far)
    assert "did you mean" not in str(caught.value)
    assert "certification_period_years" not in str(caught.value)


FILE_VALUE = "board-only figure 8712"


@pytest.mark.parametrize(
    ("text", "concept", "section"),
    [
        ("[certification]\ngrace_period_days = {v}\n", "a grace period", "a-grace-period"),
        ("grace_period_days = {v}\n", "a grace period", "a-grace-period"),
        (
            "[certification]\nmax_hours_per_category = {v}\n",
            "a cap on a category's hours",
            "a-cap-on-a-category",
        ),
        ("[certification]\ncategory_caps = {v}\n", "a cap on a category", "a-cap-on-a-category"),
        ("[cancellation]\nrefund_schedule = {v}\n", "refund tiers", "refund-tiers"),
        ("[exam]\nretake_fee = {v}\n", "retakes and a retake fee", "retakes-and-a-retake-fee"),
        ("[exam]\nmax_retakes = {v}\n", "retakes", "retakes-and-a-retake-fee"),
        (
            "[registration]\nlate_registration_fee = {v}\n",
            "a late-registration fee",
            "a-late-registration-fee",
        ),
        ("effective_date = {v}\n", "an effective date", "an-effective-date-on-prices"),
    ],
)
def test_a_key_naming_a_known_concept_points_to_the_docs_section_on_it(
    tmp_path: Path, text: str, concept: str, section: str
) -> None:
    path = write(tmp_path, 'extends = "current"\n' + text.format(v=f'"{FILE_VALUE}"'))
    with pytest.raises(PolicyError) as caught:
        load_policy(path)
    message = str(caught.value)
    assert concept in message
    assert message.endswith(f"docs/policy.md#{section}")
    assert "\n" not in message
    assert FILE_VALUE not in message  # the key is named, never what the file gives it
    assert "did you mean" not in message


def _anchors(page: Path) -> set[str]:
    """The anchors of a page's headings, as MyST makes them (``myst_heading_anchors``)."""
    found = set()
    for line in page.read_text(encoding="utf-8").splitlines():
        if heading := re.fullmatch(r"#{1,3} (.+)", line):
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower())
            found.add(slug.replace(" ", "-"))
    return found


def test_every_concept_hint_points_to_a_section_that_exists() -> None:
    root = Path(__file__).resolve().parents[1]
    for words, (concept, page) in KNOWN_CONCEPTS.items():
        path, _, anchor = page.partition("#")
        assert anchor in _anchors(root / path), (concept, page)
        assert concept_hint(f"section.{words.replace(' ', '_')}s") == f"for {concept} see {page}"
    assert concept_hint("practicum.free_change_days") is None


def test_a_complete_policy_and_price_file_written_before_the_new_shapes_still_read() -> None:
    # tests/earlier/ holds the shipped files as the library wrote them before refund
    # tiers, R28, the retake fee, category limits and the grace period, copied as a
    # user keeps them (extending nothing): each new figure and fee reads as not stated.
    earlier = Path(__file__).parent / "earlier"
    ours = load_policy(earlier / "policy.toml")
    prices = load_prices(earlier / "prices.toml")
    current, shipped = load_policy(), load_prices()
    for name in (
        "late_registration_within_days",
        "attempts_included",
        "category_limits",
        "renewal_grace_days",
        "refund_tiers",
    ):
        assert getattr(ours, name) == getattr(current, name), name
    for item in ("late_registration_fee", "retake_fee"):
        assert str(getattr(prices, item)) == "0.00 USD", item
    assert str(prices.late_renewal_fee) == str(shipped.late_renewal_fee)
    assert prices.class_change_fee == shipped.class_change_fee


def test_a_policy_reads_its_figures_without_an_attribute_hook_and_keeps_its_derived_values() -> (
    None
):
    # A class with __getattr__ reads every attribute the slow way; the rules read a
    # policy's figures over a hundred times per journey.
    assert all("__getattr__" not in vars(cls) for cls in type(load_policy()).__mro__)
    policy = load_policy().with_overrides({"name": "mine"})
    assert policy.label == "mine"
    assert policy.calendar is policy.calendar  # derived once, then read as it is
    assert policy.zone is policy.zone
    assert policy == load_policy().with_overrides({"name": "mine"})
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        policy.name = "other"  # type: ignore[misc]


def test_a_policy_pickles_the_same_before_and_after_its_derived_values_are_read() -> None:
    import pickle  # noqa: PLC0415  # only this test pickles

    policy = load_policy("current")
    unused = pickle.dumps(policy)
    assert policy.calendar is not None
    assert policy.figures("free_changes")
    assert policy.label == "current"
    assert pickle.dumps(policy) == unused  # the caches stay behind
    again = pickle.loads(unused)  # noqa: S301  # our own bytes
    assert again == policy
    assert again.label == "current"
    assert again.figures("free_changes") == policy.figures("free_changes")


def test_figures_by_key_gives_each_figure_as_a_decision_cites_it_a_deadline_by_its_parts() -> None:
    current, legacy = load_policy("current"), load_policy("legacy")
    figures = current.figures_by_key()
    assert figures["practicum.free_changes"] == "2"
    assert figures["practicum.free_change_days"] == "30"
    assert figures["practicum.free_change_day_count"] == "business"
    assert "practicum.free_change_deadline" not in figures  # cited by its parts
    assert (
        legacy.figures_by_key()["registration.access_due_unit"]
        != figures["registration.access_due_unit"]
    )
    assert figures == dict(current.figures(*POLICY_KEYS))
