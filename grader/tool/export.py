"""The grades as CSV, through nbgrader's own exporter (the one ``nbgrader export`` uses)."""

from __future__ import annotations

from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import CsvExportPlugin


def export(config, destination: Path, assignments: list[str] | None = None) -> Path:
    """Write one row per student and assignment to ``destination`` and return it.

    config:      nbgrader configuration (``grader.tool.course.course_config(root)``).
    assignments: only these (default: all).
    """
    coursedir = CourseDirectory(config=config)
    plugin = CsvExportPlugin(to=str(destination), assignment=list(assignments or []))
    with Gradebook(coursedir.db_url) as gradebook:
        plugin.export(gradebook)
    return Path(destination)
