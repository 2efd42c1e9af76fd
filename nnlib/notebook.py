"""Helpers for the lesson notebooks: detecting grading, showing widgets, redrawing a figure
in place, and falling back to nnlib's answer while a student's function is still unwritten.
"""

import functools
import io
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


class LiveFigure:
    """A matplotlib figure shown as an image widget, redrawn in place when a slider moves.

    Making a new figure on every move and showing it with ``plt.show()`` costs two to three
    renders (the notebook draws once more to crop the margins) plus building the axes and the
    layout again. Here the figure is made once and laid out on the first ``update()``; every
    update renders one PNG. Between updates, change the artists (``line.set_ydata``,
    ``image.set_data``, ``ax.set_title``) or clear an axes and draw it again.

    fig: a matplotlib Figure made without a layout engine (no ``layout=`` argument).
    Attributes: figure, and widget (an ipywidgets Image to place in a layout; empty until the
    first update).
    """

    def __init__(self, fig):
        import ipywidgets
        import matplotlib.pyplot as plt

        plt.close(fig)  # the widget shows it; the cell must not show it a second time
        self.figure = fig
        self.widget = ipywidgets.Image(format="png")
        self._laid_out = False

    def update(self):
        """Render the figure and show the new image (laying it out first, the first time)."""
        if not self._laid_out:
            from matplotlib.layout_engine import TightLayoutEngine

            # Not fig.tight_layout(): that leaves a layout engine on the figure, and a figure
            # with one is drawn twice per render.
            TightLayoutEngine().execute(self.figure)
            self._laid_out = True
        png = io.BytesIO()
        self.figure.savefig(png, format="png", pil_kwargs={"compress_level": 1})  # speed over size
        self.widget.value = png.getvalue()
