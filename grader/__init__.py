"""The grading side of the course: checks that test cells call, and the instructor's tool.

In a test cell: ``from grader import check`` then ``check("exercise_name", student_function)``.
"""

from grader.checks import CheckFailed
from grader.exercise import check

__all__ = ["CheckFailed", "check"]
