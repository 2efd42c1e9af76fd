"""The page each student gets back: every test's result and what to fix, nothing hidden.

nbgrader's own feedback renders the autograded notebook, so it shows the hidden tests and the
traceback lines of a failing hidden test. Ours is built from the results file instead: per
test cell, each check (visible or hidden), pass or fail, and the diagnostic message that the
trusted ``judge`` wrote. No test source is ever on the page.

``feedback_zip`` packs the pages the way the student's LMS takes feedback back in bulk: under
the file prefix it gave the submission (Canvas's "Upload Submissions", Moodle's "Upload
multiple feedback files in a zip"); ``STUDENT/NOTEBOOK.html`` otherwise (Blackboard has no
bulk feedback upload, so its pages are filed by username).
"""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

from nbgrader.coursedir import CourseDirectory

from grader.tool.collect import read_record
from grader.tool.results import load_results

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; }}
table {{ border-collapse: collapse; width: 100%; }}
td, th {{ border-bottom: 1px solid #ddd; padding: .4rem; text-align: left; vertical-align: top; }}
.pass {{ color: #1a7f37; }} .fail {{ color: #cf222e; }}
pre {{ white-space: pre-wrap; margin: 0; }}
</style></head><body>
<h1>{title}</h1>
<p>Score: <strong>{score:g} / {max_score:g}</strong></p>
<table><tr><th>test</th><th>check</th><th>result</th><th>what to fix</th></tr>
{rows}</table>
{notes}</body></html>
"""


def page(result: dict) -> str:
    """The HTML page for one results dict (see ``results.Outcome``)."""
    rows = []
    for check in result["checks"]:
        kind = "hidden" if check["hidden"] else "visible"
        verdict = (
            '<span class="pass">✔ passed</span>'
            if check["passed"]
            else ('<span class="fail">✘ failed</span>')
        )
        rows.append(
            f"<tr><td>{html.escape(check['cell'])}</td>"
            f"<td>{html.escape(check['exercise'])} ({kind})</td><td>{verdict}</td>"
            f"<td><pre>{html.escape(check['message'])}</pre></td></tr>"
        )
    notes = ""
    if result["problems"]:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in result["problems"])
        notes = f"<h2>Notes from grading</h2><ul>{items}</ul>"
    title = f"{result['assignment']} / {result['notebook_name']}: {result['student']}"
    return PAGE.format(
        title=html.escape(title),
        score=result["score"],
        max_score=result["max_score"],
        rows="\n".join(rows),
        notes=notes,
    )


def feedback(config, assignment: str, students: list[str] | None = None) -> list[Path]:
    """Write ``feedback/STUDENT/ASSIGNMENT/NOTEBOOK.html`` for each graded notebook.

    config:   nbgrader configuration (``grader.tool.course.course_config(root)``).
    students: only these students (default: all graded ones).
    Returns the written paths.
    """
    coursedir = CourseDirectory(config=config)
    written = []
    for result in load_results(coursedir, assignment):
        if students and result["student"] not in students:
            continue
        folder = Path(
            coursedir.format_path(coursedir.feedback_directory, result["student"], assignment)
        )
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{result['notebook_name']}.html"
        path.write_text(page(result), encoding="utf-8")
        written.append(path)
    return written


def upload_name(record: dict | None, student: str, notebook: str) -> str:
    """The name a page gets in the bulk-feedback zip, from what ``collect`` recorded."""
    layout = record["format"] if record else "folder"
    if layout == "canvas":
        return f"{record['prefix']}{notebook}.html"
    if layout == "moodle":
        # Moodle's import reads "NAME_PARTICIPANT_..." from flat file names.
        return f"{record['prefix'].rstrip('/').rstrip('_')}_{notebook}.html"
    return f"{student}/{notebook}.html"


def feedback_zip(config, assignment: str, destination: Path, students=None) -> list[str]:
    """Write every graded notebook's page into the zip ``destination``, named for the
    student's LMS (``upload_name``). Returns the names in the zip."""
    coursedir = CourseDirectory(config=config)
    names = []
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for result in load_results(coursedir, assignment):
            student = result["student"]
            if students and student not in students:
                continue
            folder = coursedir.format_path(coursedir.submitted_directory, student, assignment)
            name = upload_name(read_record(Path(folder)), student, result["notebook_name"])
            archive.writestr(name, page(result))
            names.append(name)
    return names
