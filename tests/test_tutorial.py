"""The tutorial notebook runs from top to bottom, so it can never rot."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
from matplotlib.figure import Figure
from nbclient import NotebookClient

from cptm_rules.notebook import NotebookFigure

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "tutorial.ipynb"
FIGURE_CALLS = ("plot_journey(", "plot_change_timing(", "\nfigure")


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
    moved = {a.answer for a in namespace["what_if_diff"].answers}
    assert "key date free_change_deadline" in moved  # 20 business days instead of 30 (R9)


@pytest.fixture(scope="module")
def executed() -> nbformat.NotebookNode:
    notebook: nbformat.NotebookNode = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
    NotebookClient(notebook, timeout=300, kernel_name="python3").execute()
    return notebook


def test_every_figure_cell_shows_a_png_in_a_real_kernel(executed: nbformat.NotebookNode) -> None:
    figure_cells = [
        cell
        for cell in executed.cells
        if cell.cell_type == "code"
        and any(call in "\n" + cell.source.splitlines()[-1] for call in FIGURE_CALLS)
    ]
    assert len(figure_cells) == 4
    for cell in figure_cells:
        kinds = {kind for output in cell.outputs for kind in output.get("data", {})}
        assert "image/png" in kinds, cell.source
        png = next(o["data"]["image/png"] for o in cell.outputs if "image/png" in o.get("data", {}))
        assert len(png) > 10_000  # a real picture, base64-encoded


def test_no_cell_of_the_executed_tutorial_errs(executed: nbformat.NotebookNode) -> None:
    outputs = [o for cell in executed.cells if cell.cell_type == "code" for o in cell.outputs]
    assert [o for o in outputs if o.output_type == "error"] == []
    tables = [o for o in outputs if "text/html" in o.get("data", {})]
    assert len(tables) >= 5


def test_a_notebook_figure_still_saves_from_a_script(tmp_path: Path) -> None:
    figure = NotebookFigure(figsize=(2, 1))
    figure.subplots().plot([0, 1], [0, 1])
    figure.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").read_bytes().startswith(b"\x89PNG")
    assert figure._repr_png_().startswith(b"\x89PNG")
