"""Helpers for the lesson notebooks: detecting grading, showing widgets, showing a figure
with a text alternative, redrawing a figure in place, and falling back to nnlib's answer while
a student's function is still unwritten.

Why figures go out as HTML: JupyterLab's renderer for an ``image/png`` output makes an
``<img>`` with no ``alt`` (it reads only width, height and "unconfined" from the output's
metadata), so a screen reader meets an unnamed image. An HTML output ``<img src="data:..."
alt="...">`` keeps its ``alt`` through JupyterLab's sanitiser, whether the notebook is trusted
or not (the browser tests check both). The ipywidgets ``Image`` model has no ``alt`` either, so
``LiveFigure`` shows its image in an ``HTML`` widget the same way (ipywidgets 7 and 8 alike).
"""

import base64
import functools
import html
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


# Texts that name no content: a screen reader already says "image", so these add nothing.
GENERIC_ALT = {"", "image", "figure", "plot", "graph", "chart", "picture", "png"}


def figure_html(png, alt):
    """An ``<img>`` element holding a PNG inline, with its text alternative.

    png: the PNG file's bytes.  alt: what the figure shows, in a sentence or two.
    Returns the HTML as a str.
    """
    alt = _checked_alt(alt)
    data = base64.b64encode(png).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}">'


def show(fig, alt):
    """Show a static figure with a text alternative, instead of ``plt.show()``.

    fig: a matplotlib Figure.  alt: what the figure shows, in words a reader who cannot see it
    can use (its axes, what is plotted, and what to notice), not a title alone.
    Displays one output with the figure as HTML (``<img alt>``) and its text alternative as
    plain text, and closes the figure so that the cell does not show it a second time.
    Returns None.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    alt = _checked_alt(alt)
    png = io.BytesIO()
    fig.savefig(png, format="png", bbox_inches="tight")  # as the inline backend crops it
    plt.close(fig)
    display({"text/html": figure_html(png.getvalue(), alt), "text/plain": alt}, raw=True)


def describe(fig):
    """A text alternative read from a figure's own labels: each panel's title, axis labels and
    legend entries. What ``LiveFigure`` says when it is given no ``alt``.

    fig: a matplotlib Figure.
    Returns a str such as "Figure with 2 panels. Panel 1, "loss": x axis epoch, y axis loss;
    legend: training loss, validation loss. Panel 2, ...".
    """
    panels = [ax for ax in fig.get_axes() if ax.get_visible()]
    parts = []
    for number, ax in enumerate(panels, start=1):
        title = ax.get_title() or ax.get_title(loc="left") or ax.get_title(loc="right")
        said = [
            f"{name} axis {label}"
            for name, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel()))
            if label
        ]
        legend = ax.get_legend()
        if legend is not None:
            said.append("legend: " + ", ".join(text.get_text() for text in legend.get_texts()))
        heading = f"Panel {number}" + (f', "{title}"' if title else "")
        parts.append(heading + (": " + "; ".join(said) if said else "") + ".")
    count = f"{len(panels)} panel" + ("" if len(panels) == 1 else "s")
    suptitle = fig.get_suptitle()
    opening = f"Figure with {count}" + (f', "{suptitle}"' if suptitle else "") + "."
    return " ".join([opening, *parts])


def _checked_alt(alt):
    """alt stripped, or a ValueError that says what a text alternative needs."""
    if not isinstance(alt, str) or alt.strip().lower().rstrip(".") in GENERIC_ALT:
        raise ValueError(
            f"a figure needs a text alternative that says what it shows (for example "
            f'"Loss against epoch: the training loss falls from 0.69 to 0.05"); got {alt!r}.'
        )
    return alt.strip()


class LiveFigure:
    """A matplotlib figure shown as an image widget with a text alternative, redrawn in place
    when a slider moves.

    Making a new figure on every move and showing it with ``plt.show()`` costs two to three
    renders (the notebook draws once more to crop the margins) plus building the axes and the
    layout again. Here the figure is made once and laid out on the first ``update()``; every
    update renders one PNG. Between updates, change the artists (``line.set_ydata``,
    ``image.set_data``, ``ax.set_title``) or clear an axes and draw it again.

    fig: a matplotlib Figure made without a layout engine (no ``layout=`` argument).
    alt: the text alternative: a str, or a function of no arguments that returns one, called on
         every update after the artists have changed (so that it can say what the figure shows
         now, e.g. f"the boundary after {epochs} epochs, accuracy {acc:.0%}"). By default the
         figure's own titles, axis labels and legends (``describe``).
    Attributes: figure, and widget (an ipywidgets HTML widget holding ``<img alt>``, to place
    in a layout; empty until the first update).
    """

    def __init__(self, fig, alt=None):
        import ipywidgets
        import matplotlib.pyplot as plt

        plt.close(fig)  # the widget shows it; the cell must not show it a second time
        self.figure = fig
        if alt is None:
            self._alt = functools.partial(describe, fig)
        elif callable(alt):
            self._alt = alt
        else:
            text = _checked_alt(alt)
            self._alt = lambda: text
        self.widget = ipywidgets.HTML()
        self._laid_out = False

    def update(self):
        """Render the figure and show the new image and text alternative (laying the figure
        out first, the first time)."""
        if not self._laid_out:
            from matplotlib.layout_engine import TightLayoutEngine

            # Not fig.tight_layout(): that leaves a layout engine on the figure, and a figure
            # with one is drawn twice per render.
            TightLayoutEngine().execute(self.figure)
            self._laid_out = True
        png = io.BytesIO()
        self.figure.savefig(png, format="png", pil_kwargs={"compress_level": 1})  # speed over size
        self.widget.value = figure_html(png.getvalue(), self._alt())
