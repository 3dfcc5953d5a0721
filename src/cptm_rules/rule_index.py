"""Where each rule lives: its code, its figures, and the tests and scenarios that exercise it.

``code`` is found by reading the rule modules: a function (or method) *decides*
a rule when a rule id stands alone as a string in its body (``rule_id="R9"``,
``_refuse(..., "R11")``), so the index follows the code without a second list to
keep. ``figures`` are the policy keys whose metadata names the rule, and
:func:`rules_reading` gives every rule that reads a figure (declares, shows or reads
it in code). The tests and scenarios that exercise each rule are collected from a
checkout by ``cptm_rules.docs.collect_exercised`` (``scripts/generate_docs.py``)
into ``rule_index.json`` beside this module (a test fails when it is stale), since an
installed package has neither.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Final

import attrs

from cptm_rules.catalogue import RULES, rule_ids_in
from cptm_rules.money import amount_text
from cptm_rules.policy import SHIPPED_POLICIES, SHORTHAND_KEYS, Policy, load_policy
from cptm_rules.pricing import Discount, PriceSchedule, load_prices
from cptm_rules.renames import moved_attribute
from cptm_rules.vocabulary import DiscountKind

if TYPE_CHECKING:
    # Moved to cptm_rules.docs; found here by __getattr__, with a warning.
    from cptm_rules.docs import collect_exercised as collect_exercised  # noqa: PLC0414

__all__ = [
    "RULE_MODULES",
    "code_of",
    "exercised_in",
    "figure_readers",
    "figures_of",
    "policy_key",
    "prices_of",
    "rule_index",
    "rules_reading",
]

RULE_MODULES: Final = (
    "cptm_rules.calendar",
    "cptm_rules.lifecycle",
    "cptm_rules.rules.registration",
    "cptm_rules.rules.prework",
    "cptm_rules.rules.practicum_changes",
    "cptm_rules.rules.exam",
    "cptm_rules.rules.certification",
    "cptm_rules.rules.pricing",
    "cptm_rules.rules.cancellation",
    "cptm_rules.pricing",
    "cptm_rules.money",
    "cptm_rules.facts",
)
"""The modules whose functions decide rules."""


def _ids_in(text: str) -> set[str]:
    """Rule ids a string constant names on its own: ``"R9"``, ``"R24, R25"``, ``"R9-R11a"``."""
    return set(rule_ids_in(text))


@functools.cache
def _code_index() -> dict[str, tuple[str, ...]]:
    where: dict[str, set[str]] = {rule_id: set() for rule_id in RULES}
    for name in RULE_MODULES:
        module = importlib.import_module(name)
        for qualname, nodes in _definitions(ast.parse(inspect.getsource(module))):
            for node in (n for top in nodes for n in ast.walk(top)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    for rule_id in _ids_in(node.value):
                        where[rule_id].add(f"{name}:{qualname}")
    return {rule_id: tuple(sorted(places)) for rule_id, places in where.items()}


def _definitions(tree: ast.Module) -> list[tuple[str, list[ast.AST]]]:
    """Functions and methods (without their docstrings), and public module-level tables.

    A table that names a rule (the transition table, the facts) is where that rule
    is declared, as much as a function that decides it.
    """
    found: list[tuple[str, list[ast.AST]]] = []

    def body(function: ast.FunctionDef) -> list[ast.AST]:
        return list(function.body[1:] if ast.get_docstring(function) else function.body)

    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            found.append((node.name, body(node)))
        elif isinstance(node, ast.ClassDef):
            found += [
                (f"{node.name}.{item.name}", body(item))
                for item in node.body
                if isinstance(item, ast.FunctionDef)
            ]
        elif isinstance(node, ast.AnnAssign | ast.Assign) and node.value is not None:
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            names = [t.id for t in targets if isinstance(t, ast.Name) and t.id[0].isupper()]
            # A family's RULES is its rules' declaration: the statement, not the code.
            if names and names[0] != "RULES":
                found.append((names[0], [node.value]))
    return found


@functools.cache
def figure_readers() -> dict[str, frozenset[str]]:
    """The rules whose code reads each figure, by policy field name or price item.

    Found by reading the rule modules: a function that names a rule id and reads a
    figure itself (``policy.ce_hours_required``, ``policy.figures("free_changes")``,
    ``prices.class_change_fee``) reads it for that rule. Reads through a helper are
    not followed: a helper serves many rules, and a diff would then take a move of
    any of them for the figure's (it lists a figure as unobserved rather than miss
    one).
    """
    fields = {f.name for f in attrs.fields(Policy) if "check" in f.metadata}
    known = fields | {f.name for f in attrs.fields(PriceSchedule) if f.metadata.get("item")}
    readers: dict[str, set[str]] = {name: set() for name in known}
    for name in RULE_MODULES:
        module = importlib.import_module(name)
        for _qualname, nodes in _definitions(ast.parse(inspect.getsource(module))):
            ids: set[str] = set()
            read: set[str] = set()
            for node in (n for top in nodes for n in ast.walk(top)):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    ids |= _ids_in(node.value)
                    read |= {node.value} & known
                elif isinstance(node, ast.Attribute) and node.attr in known:
                    read.add(node.attr)
            for figure in read:
                readers[figure] |= ids
    return {name: frozenset(rules) for name, rules in readers.items()}


def rules_reading(key: str, declared: str | None = None) -> tuple[str, ...]:
    """The rules that read the figure ``key``.

    Its declared rule, every rule showing it, and every rule whose code reads it
    (:func:`figure_readers`). ``key`` is a dotted policy key
    or ``prices.<item>``; a rule *shows* a figure when its statement template has a
    ``{key}`` placeholder for it.
    """
    # A deadline's older key (exam.exam_window_months) is read wherever the deadline is.
    key = SHORTHAND_KEYS.get(key, key)
    found = {declared} if declared else set()
    found |= figure_readers().get(key.rsplit(".", 1)[-1], frozenset())
    for rule in RULES.values():
        if key in rule.figure_keys:
            found.add(rule.id)
    order = list(RULES)
    return tuple(sorted(found, key=order.index))


def code_of(rule_id: str) -> tuple[str, ...]:
    """Where ``rule_id`` is decided, as importable ``module:qualname`` strings.

    Functions and methods that name the rule in their code, and public tables
    that declare it (``cptm_rules.lifecycle:MOVES``, ``cptm_rules.facts:FACTS``).
    """
    return _code_index()[RULES[rule_id].id]


def figures_of(rule_id: str, policy: Policy) -> dict[str, str]:
    """The policy figures ``rule_id`` reads, with their values under ``policy``."""
    rule = RULES[rule_id].id
    names = [f.name for f in attrs.fields(Policy) if f.metadata.get("rule") == rule]
    # A deadline's older key that served a rule of its own (free_change_day_count, R10).
    names += [
        shorthand.name
        for f in attrs.fields(Policy)
        if "deadline" in f.metadata
        for shorthand in f.metadata["deadline"].shorthands
        if shorthand.rule_id == rule
    ]
    return dict(policy.figures(*names))


def prices_of(rule_id: str, prices: PriceSchedule) -> dict[str, str]:
    """The prices ``rule_id`` charges, refunds, discounts or states, with their amounts.

    Keyed as price files write them (``class_change_fee``, ``discounts.group``), with
    the amount under ``prices`` as scenario files write it (``400.00 USD``,
    ``unknown renewal_fee``). A rule has an item when it reads it as a policy diff
    counts it (:func:`rules_reading`); the discounts are
    R21's, which applies them, and R22's, whose statement states them.
    """
    rule = RULES[rule_id].id
    found = {
        field.name: amount_text(getattr(prices, field.name))
        for field in attrs.fields(type(prices))
        if field.metadata.get("item")
        and rule in rules_reading(f"prices.{field.name}", field.metadata["rule"])
    }
    if rule in _DISCOUNT_RULES:
        for kind in DiscountKind:
            discount = prices.discount(kind)
            found[f"discounts.{kind}"] = (
                str(discount) if isinstance(discount, Discount) else amount_text(discount)
            )
    return found


_DISCOUNT_RULES: Final = frozenset({"R21", "R22"})


@functools.cache
def _exercised() -> dict[str, dict[str, list[str]]]:
    text = resources.files("cptm_rules").joinpath("rule_index.json").read_text("utf-8")
    data: dict[str, dict[str, list[str]]] = json.loads(text)
    return data


def exercised_in(rule_id: str) -> dict[str, list[str]]:
    """The tests and shipped scenarios that exercise ``rule_id`` (from ``rule_index.json``)."""
    return _exercised().get(RULES[rule_id].id, {"tests": [], "scenarios": []})


def rule_index(
    policy: Policy | None = None, prices: PriceSchedule | None = None
) -> list[dict[str, Any]]:
    """Every rule: title, statement, sources, figures per policy, prices, code, tests, scenarios.

    ``title`` and ``statement`` read under ``policy`` and ``prices`` (default: the
    current policy and the shipped schedule); ``titles``, ``statements`` and
    ``figures`` give them under each shipped policy, and under ``policy`` too when it
    is not one of them, keyed by its name (or by its file, when it takes a shipped
    policy's name). All statements use ``prices``, and ``prices`` gives the amounts
    the rule charges or states under it (:func:`prices_of`).
    """
    chosen = load_policy() if policy is None else policy
    schedule = load_prices() if prices is None else prices
    policies = {name: load_policy(name) for name in SHIPPED_POLICIES}
    if chosen not in policies.values():
        policies[policy_key(chosen)] = chosen
    entries = []
    for rule in RULES.values():
        seen = exercised_in(rule.id)
        entries.append(
            {
                "id": rule.id,
                "title": rule.title_under(chosen, prices),
                "kinds": [str(k) for k in rule.kinds],
                "statement": rule.statement_under(chosen, prices),
                "statements": {
                    name: rule.statement_under(p, prices) for name, p in policies.items()
                },
                "titles": {name: rule.title_under(p, prices) for name, p in policies.items()},
                "sources": [str(c) for c in rule.sources],
                "figures": {name: figures_of(rule.id, p) for name, p in policies.items()},
                "prices": prices_of(rule.id, schedule),
                "code": list(code_of(rule.id)),
                "tests": seen["tests"],
                "scenarios": seen["scenarios"],
            }
        )
    return entries


def policy_key(policy: Policy) -> str:
    """How :func:`rule_index` names a policy: its name, or its file when a shipped one has it."""
    return policy.origin if policy.name in SHIPPED_POLICIES else policy.name


_MOVED: Final = {"collect_exercised": "cptm_rules.docs"}


def __getattr__(name: str) -> object:
    """A name moved to another module: found there, with a warning."""
    return moved_attribute(__name__, name, _MOVED)


def __dir__() -> list[str]:
    """The module's names, the moved ones among them."""
    return sorted({*globals(), *_MOVED})
