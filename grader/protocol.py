"""How the autograder asks a student's kernel to run a check, and reads the answer: both halves.

The grader's half, in the instructor's process:

- ``request(name, function, inputs, nonce)`` is the Python source that the grader sends to
  the kernel for one ``check(name, function)``: the inputs of every case in wire format, and a
  fresh nonce.
- ``read_reply(outputs, nonce)`` finds, among what the kernel displayed, the one reply tagged
  with that nonce, and returns its results.

The kernel's half, in the student's kernel:

- ``answer(...)`` calls ``Exercise.call`` on each case, through ``run_student``, and displays
  the outputs as one wire message tagged with the nonce. It decides nothing: whatever it sends
  back, the verdict is computed by ``judge`` in the grading process.

A result is ``{"outputs": ...}`` (what the student's function returned, as plain data) or
``{"failed": message}`` (it raised, or returned what cannot travel); the kernel stops at the
first failure.
"""

from __future__ import annotations

from typing import Any

from grader.checks import CheckFailed
from grader.exercise import Case, get
from grader.student import run_student
from grader.wire import WireError, decode, encode

MIME = "application/x-nn-course-outputs+json"
MAX_MESSAGE = 2000  # characters of a failure message that travel back


def request(name: str, function: str, inputs: list[dict[str, Any]], nonce: str) -> str:
    """The code that makes the kernel answer one check.

    name:     the exercise's registry name.
    function: the source of the expression that names the student's function, as written
              in the test cell (e.g. "dense_backward").
    inputs:   one input dict per case.
    nonce:    a fresh random string that the reply must carry.
    """
    # The grader modules are imported afresh from the read-only course copy, so that a
    # submission that replaced them in sys.modules cannot stop its own functions from being
    # graded.
    return (
        "import sys as _sys\n"
        "for _name in [n for n in _sys.modules if n == 'grader' or n.startswith('grader.')]:\n"
        "    del _sys.modules[_name]\n"
        f"__import__('grader.protocol', fromlist=['answer']).answer({name!r}, "
        f"lambda: ({function}), {encode(inputs)!r}, {nonce!r})"
    )


def read_reply(outputs: list[dict], nonce: str) -> list | None:
    """The results list of the one reply tagged with ``nonce`` among a request's outputs.

    outputs: nbformat output dicts that the kernel produced (untrusted).
    Returns None when there is no such reply, or more than one, or it is not a list.
    """
    found = []
    for output in outputs:
        text = (
            output.get("data", {}).get(MIME)
            if output.get("output_type") == "display_data"
            else None
        )
        if not isinstance(text, str):
            continue
        try:
            message = decode(text)
        except WireError:
            continue
        if isinstance(message, dict) and message.get("nonce") == nonce:
            found.append(message.get("results"))
    return found[0] if len(found) == 1 and isinstance(found[0], list) else None


def answer(name: str, function, request: str, nonce: str) -> None:
    """Run exercise ``name``'s ``call`` on the student's function for each case.

    name:     the exercise's registry name.
    function: a no-argument callable returning the student's function (so that a name that
              was never defined becomes a message, not a crash).
    request:  wire text of a list of input dicts, one per case.
    nonce:    echoed back so the grader knows which reply answers which request.
    Displays {"nonce": nonce, "results": [...]}, one {"outputs": ...} or {"failed": message}
    per case, stopping at the first failure.
    """
    from IPython.display import display

    exercise = get(name)
    results = []
    try:
        fn = function()
    except NameError as error:
        results.append({"failed": f"{name}: {error}. Run the answer cell that defines it."})
    else:
        if not callable(fn):
            results.append({"failed": f"{name}: expected a function, got {type(fn).__name__}."})
        for inputs in decode(request) if callable(fn) else []:
            try:
                outputs = run_student(exercise, fn, Case(inputs))
                encode(outputs)  # refuses what cannot travel, here, as this case's failure
                results.append({"outputs": outputs})
            except CheckFailed as failure:
                results.append({"failed": str(failure)[:MAX_MESSAGE]})
                break
            except WireError as failure:
                results.append({"failed": f"{name}: {failure}"[:MAX_MESSAGE]})
                break
    display({MIME: encode({"nonce": nonce, "results": results})}, raw=True)
