"""The course as a student meets it: every lesson opened and run in JupyterLab in Chromium.

nbval proves the notebooks compute the right things; it runs no JavaScript, so it cannot see a
widget whose front-end is missing (it renders as a line of text), a slider wired to nothing, or
a missing nbgrader Validate button. These tests can. They also check that every figure in the
page carries a text alternative a screen reader can read, that the student's JupyterLab shows
none of nbgrader's instructor tools (and the instructor's shows them all), and measure how long
a lesson's main figure takes to redraw after a slider is released, reporting the median and
the worst in the summary at the end of the run.
"""

from __future__ import annotations

import json
import re
import statistics
import urllib.error
import urllib.request
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

from grader.tool.release import WIDGET_VIEW
from nnlib import lab as course_lab
from nnlib.notebook import GENERIC_ALT
from nnlib.notebook import show as nnlib_show

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted(path.name for path in (REPO / "solutions").iterdir() if path.is_dir())
SLIDER_MOVES = 5
# What a widget looks like when its front-end extension is missing: its Python repr as text.
WIDGET_AS_TEXT = re.compile(r"^\s*(interactive|VBox|HBox|Box|Output|\w*Slider|Dropdown)\(")

# The app object that JupyterLab exposes with --LabApp.expose_app_in_browser.
CURRENT = "jupyterapp.shell.currentWidget"
# ``reset`` in the URL reloads the page once, so the app may not exist yet when this is polled.
KERNEL_IDLE = f"""() => {{
    if (typeof jupyterapp === 'undefined') return false;
    const panel = {CURRENT};
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.status === 'idle';
}}"""
ALL_CODE_CELLS_RUN = f"""() => {{
    const panel = {CURRENT};
    const cells = panel.content.model.cells;
    for (let i = 0; i < cells.length; i++) {{
        const cell = cells.get(i);
        if (cell.type === 'code' && cell.executionCount === null) return false;
    }}
    return panel.sessionContext.session.kernel.status === 'idle';
}}"""
ERROR_OUTPUTS = f"""() => {{
    const cells = {CURRENT}.content.model.cells;
    const errors = [];
    for (let i = 0; i < cells.length; i++) {{
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (const output of cell.outputs.toJSON()) {{
            if (output.output_type !== 'error') continue;
            errors.push(`cell ${{i}}: ${{output.ename}}: ${{output.evalue}}`);
        }}
    }}
    return errors;
}}"""
WIDGET_OUTPUTS_IN_MODEL = f"""() => {{
    const cells = {CURRENT}.content.model.cells;
    let count = 0;
    for (let i = 0; i < cells.length; i++) {{
        const cell = cells.get(i);
        if (cell.type !== 'code') continue;
        for (const output of cell.outputs.toJSON()) {{
            if (output.data && output.data['{WIDGET_VIEW}']) count += 1;
        }}
    }}
    return count;
}}"""
# The text alternative of every image in the notebook's outputs, as the page has it.
IMAGE_ALTS = f"""() => [...{CURRENT}.node.querySelectorAll('.jp-OutputArea-output img')]
    .map(img => img.getAttribute('alt'))"""
NBGRADER_PLUGINS = f"""() => Object.fromEntries({list(course_lab.LAB_PLUGINS)!r}
    .map(id => [id, jupyterapp.hasPlugin(id) && jupyterapp.isPluginActivated(id)]))"""
MENU_LABELS = """() => [...document.querySelectorAll('#jp-menu-panel .lm-MenuBar-itemLabel')]
    .map(label => label.textContent)"""
# The first widget output holding both a slider and a figure: the lesson's main widget.
MAIN_WIDGET_INDEX = f"""() => {{
    const outputs = [...{CURRENT}.node.querySelectorAll('.jp-OutputArea-output')];
    return outputs.findIndex(o => o.querySelector(':scope > .jupyter-widgets')
        && o.querySelector('.noUi-handle') && o.querySelector('img'));
}}"""
ARM_LATENCY_PROBE = f"""(index) => {{
    const area = {CURRENT}.node.querySelectorAll('.jp-OutputArea-output')[index];
    const before = area.querySelector('img').src;
    window.__released = null;
    window.__latency = null;
    document.addEventListener('keyup', () => {{ window.__released = performance.now(); }},
                              {{capture: true, once: true}});
    const observer = new MutationObserver(() => {{
        const img = area.querySelector('img');
        if (img && img.src !== before && window.__released !== null) {{
            window.__latency = performance.now() - window.__released;
            observer.disconnect();
        }}
    }});
    observer.observe(area, {{subtree: true, childList: true, attributes: true,
                            attributeFilter: ['src']}});
}}"""


def open_notebook(page, lab, relative: str):
    """Open one notebook in a fresh workspace; return a locator for its panel only."""
    page.goto(lab.notebook_url(relative))
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    panel_id = page.evaluate(f"() => {CURRENT}.id")
    return page.locator(f"[id='{panel_id}']")


def run_all(page) -> None:
    page.evaluate("() => jupyterapp.commands.execute('notebook:run-all-cells')")
    try:
        page.wait_for_function(ALL_CODE_CELLS_RUN, timeout=120_000, polling=250)
    except Exception:
        errors = page.evaluate(ERROR_OUTPUTS)
        raise AssertionError(f"not every cell ran; errors: {errors}") from None


def run_cell(page, index: int) -> list[dict]:
    """Run cell ``index`` of the open notebook and return its outputs as nbformat dicts."""
    page.evaluate(
        """async (index) => {
            const panel = jupyterapp.shell.currentWidget;
            panel.content.activeCellIndex = index;
            await jupyterapp.commands.execute('notebook:run-cell');
        }""",
        index,
    )
    page.wait_for_function(KERNEL_IDLE, polling=100)
    return page.evaluate(
        f"(index) => {{ const cell = {CURRENT}.content.model.cells.get(index);"
        " return cell.type === 'code' ? cell.outputs.toJSON() : []; }",
        index,
    )


def set_cell_source(page, index: int, source: str) -> None:
    page.evaluate(
        f"([index, source]) => {CURRENT}.content.model.cells.get(index).sharedModel"
        ".setSource(source)",
        [index, source],
    )


def output_text(outputs: list[dict]) -> str:
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append("".join(output["text"]))
        elif output["output_type"] == "error":
            parts.append(f"{output['ename']}: {output['evalue']}")
        else:
            parts.append("".join(output.get("data", {}).get("text/plain", "")))
    return "\n".join(parts)


def lesson_path(folder: str, lesson: str) -> str:
    return f"{folder}/{lesson}/{lesson}.ipynb"


def images_without_alt(page) -> list:
    """The alt of each image in the open notebook's outputs that says nothing: missing, empty
    or generic ("Image"). Fails if the notebook shows no image at all."""
    alts = page.evaluate(IMAGE_ALTS)
    assert alts, "the notebook shows no figure"
    return [alt for alt in alts if alt is None or alt.strip().lower().rstrip(".") in GENERIC_ALT]


def status_of(lab, path: str) -> int:
    """The HTTP status of a GET of ``path`` on the server (404 when no extension serves it)."""
    request = urllib.request.Request(f"{lab.url}{path}?token={lab.token}")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


# nbgrader's server endpoints: the Validate button's, and the instructor's tools'.
VALIDATE_ENDPOINT = "/assignments/validate"  # answers POST only: a GET is 405, not 404
INSTRUCTOR_ENDPOINTS = ("/formgrader", "/formgraders", "/assignments")


def test_student_lab_has_the_validate_button_and_no_instructor_tool(page, lab):
    open_notebook(page, lab, lesson_path("lessons", LESSONS[0]))
    plugins = page.evaluate(NBGRADER_PLUGINS)
    assert plugins == {
        plugin: plugin == "@jupyter/nbgrader:validate-assignment"
        for plugin in course_lab.LAB_PLUGINS
    }
    assert "Nbgrader" not in page.evaluate(MENU_LABELS)
    assert status_of(lab, VALIDATE_ENDPOINT) == 405
    assert {path: status_of(lab, path) for path in INSTRUCTOR_ENDPOINTS} == dict.fromkeys(
        INSTRUCTOR_ENDPOINTS, 404
    )


def test_instructor_lab_has_every_nbgrader_tool(page, instructor_lab):
    open_notebook(page, instructor_lab, lesson_path("solutions", LESSONS[0]))
    assert page.evaluate(NBGRADER_PLUGINS) == dict.fromkeys(course_lab.LAB_PLUGINS, True)
    assert "Nbgrader" in page.evaluate(MENU_LABELS)
    assert status_of(instructor_lab, VALIDATE_ENDPOINT) == 405
    served = {path: status_of(instructor_lab, path) != 404 for path in INSTRUCTOR_ENDPOINTS}
    assert served == dict.fromkeys(INSTRUCTOR_ENDPOINTS, True)


def test_a_figure_saved_in_a_notebook_keeps_its_alt_when_reopened(page, lab, monkeypatch):
    """A notebook reopened from disk is untrusted, and JupyterLab sanitises its HTML outputs:
    the figure that ``nnlib.notebook.show`` wrote must come through with its alt."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    ax.plot([0, 1], [1, 0])
    alt = 'A line falling from (0, 1) to (1, 0): "down" & out.'
    nnlib_show(fig, alt)
    cell = nbformat.v4.new_code_cell("show(fig, alt)", execution_count=1)
    cell.outputs = [nbformat.v4.new_output("display_data", data=shown[0])]
    kernel = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook = nbformat.v4.new_notebook(cells=[cell], metadata={"kernelspec": kernel})
    nbformat.write(notebook, lab.root / "saved_figure.ipynb")
    open_notebook(page, lab, "saved_figure.ipynb")
    page.wait_for_function(f"() => ({IMAGE_ALTS})().length === 1")
    assert page.evaluate(IMAGE_ALTS) == [alt]


@pytest.mark.parametrize("lesson", LESSONS)
def test_student_notebook_has_validate_button_and_widgets(page, lab, lesson):
    panel = open_notebook(page, lab, lesson_path("lessons", lesson))
    assert panel.locator(".jp-NotebookPanel-toolbar .validate-button").count() == 1, (
        "the nbgrader Validate button is missing from the notebook toolbar"
    )
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    extensions = {extension["name"] for extension in config["federated_extensions"]}
    assert "@jupyter-widgets/jupyterlab-manager" in extensions


@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_runs_and_its_main_slider_redraws(page, lab, lesson, record_property):
    panel = open_notebook(page, lab, lesson_path("solutions", lesson))
    run_all(page)
    assert page.evaluate(ERROR_OUTPUTS) == []

    in_model = page.evaluate(WIDGET_OUTPUTS_IN_MODEL)
    rendered = panel.locator(".jp-OutputArea-output > .jupyter-widgets").count()
    as_text = [
        text
        for text in panel.locator(
            ".jp-OutputArea-output[data-mime-type='text/plain']"
        ).all_text_contents()
        if WIDGET_AS_TEXT.match(text)
    ]
    assert in_model >= 1, "the lesson displays no widget"
    assert as_text == [], f"widgets rendered as text: {as_text[:3]}"
    assert rendered == in_model, f"{in_model} widget outputs, but {rendered} rendered as widgets"

    index = page.evaluate(MAIN_WIDGET_INDEX)
    assert index >= 0, "no widget output holds both a slider and a figure"
    handle = panel.locator(".jp-OutputArea-output").nth(index).locator(".noUi-handle").first
    handle.scroll_into_view_if_needed()
    latencies = []
    for move in range(SLIDER_MOVES):
        page.evaluate(ARM_LATENCY_PROBE, index)
        handle.focus()
        page.keyboard.press("ArrowRight" if move % 2 == 0 else "ArrowLeft")
        page.wait_for_function("() => window.__latency !== null", timeout=30_000, polling=10)
        latencies.append(page.evaluate("() => window.__latency"))
    record_property(
        "figure",
        f"{lesson}: slider release → redrawn figure:"
        f" median {statistics.median(latencies):.0f} ms,"
        f" worst {max(latencies):.0f} ms over {len(latencies)} moves",
    )
    # Last, so that the latency is measured and reported for a lesson that still lacks some.
    assert images_without_alt(page) == [], "figures (static or in widgets) without an alt text"


def first_exercise(lesson: str) -> tuple[int, str, int]:
    """(answer cell index, its solution source, the index of the test cell after it)."""
    solution = nbformat.read(REPO / lesson_path("solutions", lesson), as_version=4)
    for index, cell in enumerate(solution.cells):
        if cell.metadata.get("nbgrader", {}).get("solution") and cell.cell_type == "code":
            source = re.sub(r"^\s*### (BEGIN|END) SOLUTION\n", "", cell.source, flags=re.M)
            test = next(
                later
                for later in range(index + 1, len(solution.cells))
                if solution.cells[later].metadata.get("nbgrader", {}).get("grade")
            )
            return index, source, test
    raise AssertionError(f"{lesson} has no answer cell")


def test_lesson_01_student_sees_a_pass_then_a_named_mistake(page, lab):
    lesson = "01_perceptron"
    answer, solution, test = first_exercise(lesson)
    assert "z >= 0" in solution, "the lesson's first solution changed; update the mistake below"
    panel = open_notebook(page, lab, lesson_path("lessons", lesson))
    for index in range(answer):
        run_cell(page, index)

    set_cell_source(page, answer, solution)
    run_cell(page, answer)
    passed = output_text(run_cell(page, test))
    assert "✔ threshold_unit: 1 check passed" in passed
    assert panel.get_by_text("✔ threshold_unit: 1 check passed").count() == 1

    set_cell_source(page, answer, solution.replace("z >= 0", "z > 0"))
    run_cell(page, answer)
    failed = output_text(run_cell(page, test))
    assert "CheckFailed" in failed and "with >=, not >" in failed
    panel.get_by_text("Diagnosis: h is 0 where w·x' = 0 exactly", exact=False).wait_for()
