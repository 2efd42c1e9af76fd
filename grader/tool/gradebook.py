"""Where the gradebook lives, and the part of it a grading worker on another machine needs.

The gradebook is nbgrader's database: SQLite by default (``grading/gradebook.db``), or
PostgreSQL for a class graded by several machines or read while it is written
(``--db postgresql://user@host/name``, or ``c.CourseDirectory.db_url`` in
``nbgrader_config.py``, with a ``c.CourseDirectory.course_id``). ``use`` checks such a URL
and puts it in a configuration.

A worker restores a submission's locked cells with nbgrader's preprocessors, which read the
assignment's source cells from a gradebook. A worker elsewhere cannot reach the instructor's,
so ``source_copy`` copies the assignment's source part (the assignment, its notebooks and
cells; no student and no grade) into a small SQLite file, whose bytes travel with the jobs.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from nbgrader.api import Base
from sqlalchemy import create_engine, select, text
from traitlets.config import Config

# nbgrader's tables that describe an assignment as released, in the order their rows can be
# inserted (each row's foreign keys point to rows of the tables before it).
SOURCE_TABLES = (
    "course",
    "assignment",
    "notebook",
    "base_cell",
    "grade_cells",
    "solution_cells",
    "task_cells",
    "source_cell",
)


def use(config: Config, url: str) -> Config:
    """``config`` with its gradebook at ``url``; returns ``config``.

    url: "sqlite:///path/to/gradebook.db" or "postgresql://user:password@host:port/name".
    Raises ValueError saying what to fix for another scheme, or for PostgreSQL without its
    driver installed.
    """
    scheme = url.partition("://")[0]
    if scheme == "sqlite":
        if not url.startswith("sqlite:///"):
            raise ValueError(f"{url!r}: a SQLite gradebook is sqlite:///path/to/gradebook.db")
    elif scheme in ("postgresql", "postgresql+psycopg"):
        if importlib.util.find_spec("psycopg") is None:
            raise ValueError(
                "a PostgreSQL gradebook needs the psycopg driver: install the instructor's "
                "packages with pip install -r requirements-test.txt"
            )
        if not config.CourseDirectory.get("course_id"):
            # nbgrader files each assignment under the course id, and PostgreSQL, unlike
            # SQLite, refuses an assignment whose course has no row.
            raise ValueError(
                "a PostgreSQL gradebook needs a course id: add "
                'c.CourseDirectory.course_id = "nn-course" to nbgrader_config.py'
            )
    else:
        raise ValueError(
            f"{url!r} is not a gradebook URL: use sqlite:///path/to/gradebook.db or "
            "postgresql://user:password@host:port/database"
        )
    config.CourseDirectory.db_url = url
    return config


def source_copy(db_url: str, assignment: str) -> bytes:
    """The source part of ``assignment`` in the gradebook at ``db_url``, as the bytes of a
    SQLite gradebook that holds nothing else (a few tens of kilobytes per lesson)."""
    with tempfile.TemporaryDirectory(prefix="gradebook-") as folder:
        path = Path(folder) / "gradebook.db"
        source = create_engine(db_url)
        target = create_engine(f"sqlite:///{path}")
        tables = Base.metadata.tables
        try:
            with source.connect() as reading, target.begin() as writing:
                # nbgrader's own way to a new gradebook asks the alembic command for the
                # schema version, which takes seconds; the source gradebook knows it.
                Base.metadata.create_all(writing)
                [version] = reading.execute(text("SELECT version_num FROM alembic_version"))
                writing.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32))"))
                writing.execute(
                    text("INSERT INTO alembic_version VALUES (:version)"), {"version": version[0]}
                )
                for name in SOURCE_TABLES:
                    table = tables[name]
                    rows = reading.execute(_rows_of(tables, name, assignment)).mappings().all()
                    if rows:
                        writing.execute(table.insert(), [dict(row) for row in rows])
        finally:
            source.dispose()
            target.dispose()
        return path.read_bytes()


def _rows_of(tables, name: str, assignment: str):
    """The SELECT of table ``name``'s rows that belong to ``assignment``."""
    table = tables[name]
    if name == "course":
        return select(table)
    assignments = select(tables["assignment"].c.id).where(tables["assignment"].c.name == assignment)
    if name == "assignment":
        return select(table).where(table.c.id.in_(assignments))
    notebooks = select(tables["notebook"].c.id).where(
        tables["notebook"].c.assignment_id.in_(assignments)
    )
    if name == "notebook":
        return select(table).where(table.c.id.in_(notebooks))
    if name in ("base_cell", "source_cell"):
        return select(table).where(table.c.notebook_id.in_(notebooks))
    cells = select(tables["base_cell"].c.id).where(tables["base_cell"].c.notebook_id.in_(notebooks))
    return select(table).where(table.c.id.in_(cells))
