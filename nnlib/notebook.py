"""Helpers for the lesson notebooks: detecting grading, showing widgets, and falling back to
nnlib's answer while a student's function is still unwritten.
"""

import functools
import os


def grading():
    """True while nbgrader executes the notebook (the NBGRADER_EXECUTION variable is set)."""
    return bool(os.environ.get("NBGRADER_EXECUTION"))


def interactive(build):
    """Show the widget that ``build()`` returns, unless the notebook is being graded.

    build: a function of no arguments returning an ipywidgets widget.
    Returns None, so that a call on a cell's last line does not show the widget twice.
    While grading, ``build`` is not called and one line says that the figure was skipped.
    """
    if grading():
        print("(interactive figure skipped while grading)")
        return
    from IPython.display import display

    display(build())


def student_or_reference(student_fn, reference_fn, name):
    """A function that calls the student's version, or nnlib's while the student's raises
    NotImplementedError (an exercise not done yet), so that later cells still run.

    student_fn, reference_fn: functions with the same signature.
    name: what to call the function in the notice, printed once.
    Returns the combined function.
    """
    told = False

    @functools.wraps(student_fn)
    def call(*args, **kwargs):
        nonlocal told
        try:
            return student_fn(*args, **kwargs)
        except NotImplementedError:
            if not told:
                print(f"{name} is not written yet: using the reference answer until it is.")
                told = True
            return reference_fn(*args, **kwargs)

    return call
