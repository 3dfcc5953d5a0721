"""The tutorial notebook runs from top to bottom, so it can never rot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"


def run_notebook(path: Path) -> dict[str, Any]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    namespace: dict[str, Any] = {"__name__": "__tutorial__"}
    for number, cell in enumerate(cells):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        exec(compile(source, f"{path.name}[cell {number}]", "exec"), namespace)  # noqa: S102  # our own notebook
    return namespace


def test_the_tutorial_notebook_runs_top_to_bottom_and_shows_real_answers() -> None:
    namespace = run_notebook(NOTEBOOK)
    key_dates = namespace["key_dates_table"](namespace["ana"])
    assert isinstance(key_dates, pd.DataFrame)
    history = namespace["history"]
    assert list(history["decisions"])[2] == "R10 fee"
    what_if = namespace["what_if"]
    assert what_if["change_on_2026_11_23_is_free"].tolist()[:5] == [False] * 5
    assert what_if["change_on_2026_11_23_is_free"].tolist()[-1] is True
    changes = namespace["changes"]
    assert changes.iloc[0]["answer"] == "key date access_due"
    assert isinstance(namespace["figure"], Figure)
    assert namespace["restored"] == namespace["certified"]
    assert namespace["ics"].startswith(b"BEGIN:VCALENDAR")
    assert len(namespace["certified"].periods) == 2
