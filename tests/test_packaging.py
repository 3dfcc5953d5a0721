from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_the_declared_licence_ships_its_text_in_the_wheel_and_sdist() -> None:
    assert PROJECT["license"] == "MIT"
    assert PROJECT["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "WITHOUT WARRANTY OF ANY KIND" in text


def test_the_classifiers_name_each_supported_python_and_the_topic() -> None:
    classifiers = set(PROJECT["classifiers"])
    minimum = PROJECT["requires-python"].removeprefix(">=")
    assert f"Programming Language :: Python :: {minimum}" in classifiers
    assert {"Typing :: Typed", "Topic :: Office/Business"} <= classifiers
    # PEP 639: the licence expression replaces the licence classifiers.
    assert not [c for c in classifiers if c.startswith("License ::")]
