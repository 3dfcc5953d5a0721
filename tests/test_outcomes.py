"""Outcomes: decisions, advisories and effects whose text is rendered on first read."""

from __future__ import annotations

import ast
import copy
import pickle
from pathlib import Path

import attrs
import pytest

from cptm_rules.outcomes import Advisory, Decision, Effect, prebuilt
from cptm_rules.rules._build import advisory, decision, effect
from cptm_rules.serialization import decode, encode
from cptm_rules.vocabulary import EffectKind, Severity

SOURCE = Path(__file__).resolve().parents[1] / "src" / "cptm_rules"


class Renderer:
    """A renderer that counts its calls."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.text


def lazy_decision(render: Renderer) -> Decision:
    return decision(rule_id="R5", verdict="module_complete", reason=render, policy="current")


def eager_decision() -> Decision:
    return Decision(
        rule_id="R5", verdict="module_complete", reason="module 1 done", policy="current"
    )


def test_a_reason_given_as_a_renderer_is_rendered_once_on_its_first_read() -> None:
    render = Renderer("module 1 done")
    built = lazy_decision(render)
    assert render.calls == 0
    assert built.reason == "module 1 done"
    assert built.reason == "module 1 done"
    assert render.calls == 1
    assert vars(built)["reason"] == "module 1 done"
    assert not any(key.startswith("_unrendered") for key in vars(built))


def test_a_lazily_built_decision_equals_hashes_reprs_and_explains_like_an_eager_one() -> None:
    eager = eager_decision()
    for read in (
        lambda d: d == eager,
        lambda d: hash(d) == hash(eager),
        lambda d: repr(d) == repr(eager),
        lambda d: d.explain() == eager.explain(),
        lambda d: attrs.asdict(d) == attrs.asdict(eager),
        lambda d: encode(d) == encode(eager),
        lambda d: attrs.evolve(d, verdict="x") == attrs.evolve(eager, verdict="x"),
    ):
        assert read(lazy_decision(Renderer("module 1 done")))


def test_pickling_and_copying_carry_the_text_and_never_the_renderer() -> None:
    def pickled(built: Decision) -> Decision:
        restored: Decision = pickle.loads(pickle.dumps(built))  # noqa: S301  # our own bytes
        return restored

    for clone in (pickled, copy.copy, copy.deepcopy):
        render = Renderer("module 1 done")
        cloned = clone(lazy_decision(render))
        assert render.calls == 1
        assert cloned == eager_decision()
        assert set(vars(cloned)) == {field.name for field in attrs.fields(Decision)}


def test_a_decoded_lazy_decision_round_trips() -> None:
    built = lazy_decision(Renderer("module 1 done"))
    assert decode(encode(built), Decision) == eager_decision()


def test_advisory_messages_and_effect_details_are_rendered_on_read_too() -> None:
    message, detail = Renderer("only 3 days"), Renderer("charge the fee: $100.00")
    warned = advisory(rule_ids=("R3",), severity=Severity.WARNING, message=message)
    charged = effect(kind=EffectKind.CHARGE, rule_id="R18", detail=detail)
    assert (message.calls, detail.calls) == (0, 0)
    assert warned == Advisory(rule_ids=("R3",), severity=Severity.WARNING, message="only 3 days")
    assert charged == Effect(
        kind=EffectKind.CHARGE, rule_id="R18", detail="charge the fee: $100.00"
    )
    assert (message.calls, detail.calls) == (1, 1)


def test_a_text_given_as_text_is_kept_as_it_is() -> None:
    built = decision(rule_id="R5", verdict="v", reason="module 1 done", policy="current")
    assert vars(built)["reason"] == "module 1 done"
    assert built == Decision(rule_id="R5", verdict="v", reason="module 1 done", policy="current")


def test_an_unknown_attribute_is_still_an_attribute_error() -> None:
    built = lazy_decision(Renderer("x"))
    with pytest.raises(AttributeError, match=r"^'Decision' object has no attribute 'verdcit'$"):
        built.verdcit  # type: ignore[attr-defined]  # noqa: B018  # the read under test
    assert not hasattr(built, "reasons")


def test_prebuilt_refuses_a_lazy_field_the_class_cannot_render() -> None:
    @attrs.frozen(kw_only=True, slots=False)
    class Plain:
        text: str

    with pytest.raises(TypeError, match=r"^Plain\.text cannot be rendered on read$"):
        prebuilt(Plain, lazy=("text",))
    with pytest.raises(TypeError, match=r"^Decision\.reasons cannot be rendered on read$"):
        prebuilt(Decision, lazy=("reasons",))


# -- renderers in the package read the values they were made with ----------------------

TEXT_FIELDS = frozenset({"reason", "message", "detail"})
LOOPS = (
    ast.For,
    ast.AsyncFor,
    ast.While,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)


def _bindings(function: ast.FunctionDef) -> dict[str, int]:
    counts: dict[str, int] = {}
    arguments = function.args
    for argument in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs):
        counts[argument.arg] = 1
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            counts[node.id] = counts.get(node.id, 0) + 1
    return counts


Found = list[tuple[str, ast.FunctionDef, list[ast.AST], ast.Lambda]]


def _visit(
    module: str, node: ast.AST, function: ast.FunctionDef | None, chain: list[ast.AST], found: Found
) -> None:
    # `chain`: the nodes between the enclosing function and `node`.
    if (
        isinstance(node, ast.keyword)
        and node.arg in TEXT_FIELDS
        and isinstance(node.value, ast.Lambda)
    ):
        assert function is not None, f"{module}: a renderer outside a function"
        found.append((module, function, chain, node.value))
    if isinstance(node, ast.FunctionDef):
        function, chain = node, []
    else:
        chain = [*chain, node]
    for child in ast.iter_child_nodes(node):
        _visit(module, child, function, chain, found)


def _renderers() -> Found:
    found: Found = []
    for path in sorted(SOURCE.rglob("*.py")):
        _visit(path.name, ast.parse(path.read_text(encoding="utf-8")), None, [], found)
    return found


def test_the_package_hands_its_hot_path_texts_over_as_renderers() -> None:
    modules = {module for module, *_ in _renderers()}
    assert {"prework.py", "certification.py", "exam.py", "registration.py"} <= modules


def test_no_renderer_reads_a_name_that_is_bound_again_or_bound_in_a_loop() -> None:
    # A renderer runs when its text is first read, after the function that made it has
    # returned: it must see the values of the moment it was made. So every name it reads
    # from its function is bound there once, and it is never made inside a loop.
    for module, function, chain, renderer in _renderers():
        where = f"{module}:{function.name} (line {renderer.lineno})"
        assert not any(isinstance(node, LOOPS) for node in chain), f"{where}: made in a loop"
        counts = _bindings(function)
        read = {
            node.id
            for node in ast.walk(renderer.body)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        rebound = sorted(name for name in read if counts.get(name, 0) > 1)
        assert not rebound, f"{where}: reads {rebound}, bound more than once"


def test_a_text_read_before_it_is_rendered_renders_through_its_field_and_no_attribute_hook() -> (
    None
):
    # A class with __getattr__ reads every attribute the slow way: the lazy texts are
    # fields on the class that step aside once rendered (the text is then in the dict).
    for cls, name in ((Decision, "reason"), (Advisory, "message"), (Effect, "detail")):
        assert all("__getattr__" not in vars(k) for k in cls.__mro__)
        assert not hasattr(type(vars(cls)[name]), "__set__")  # the instance dict wins
    render = Renderer("module 1 done")
    built = lazy_decision(render)
    assert "reason" not in vars(built)
    assert built.reason == "module 1 done"
    assert vars(built)["reason"] == "module 1 done"
    assert render.calls == 1
    assert Decision.reason.name == "reason"  # type: ignore[attr-defined]  # the descriptor
