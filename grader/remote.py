"""What runs inside a student's kernel while it is graded: the untrusted half of a check.

The autograder sends ``answer(...)`` with an exercise's name, the expression that names the
student's function, the inputs of every case (wire format) and a fresh nonce. ``answer``
calls ``Exercise.call`` on each case, through ``run_student``, and displays the outputs as
one wire message tagged with the nonce. It decides nothing: whatever it sends back, the
verdict is computed by ``judge`` in the grading process.
"""

from __future__ import annotations

from grader.checks import CheckFailed
from grader.exercise import Case, get, run_student
from grader.wire import WireError, decode, encode

MIME = "application/x-nn-course-outputs+json"
MAX_MESSAGE = 2000  # characters of a failure message that travel back


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
